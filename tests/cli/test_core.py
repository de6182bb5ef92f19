"""``qujat profiles``, ``qujat init`` and ``qujat validate`` through the real entry points."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.read.conftest import PROFILES, run_cli

ROOT = Path(__file__).resolve().parents[2]


def test_profiles_lists_every_profile(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "profiles")
    assert code == 0
    for profile in PROFILES:
        assert f"\n{profile}\n" in f"\n{out}"
    assert "kk: Қазақстан Республикасы Президентінің Іс басқармасы — бұйрық № 13/67, 13.04.2018" in out
    assert "ru: Управление Делами Президента Республики Казахстан — приказ № 13/67 от 13.04.2018" in out
    assert "methods: kpi, ranking, survey_360, calibration" in out


def test_init_then_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "init", "vssk-2018", str(tmp_path / "out"), "--lang", "kk")
    assert code == 0 and "evaluation.xlsx жазылды (профиль vssk-2018" in out
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["evaluation.xlsx"]   # no temp file left
    assert run_cli(capsys, "validate", str(tmp_path / "out" / "evaluation.xlsx"))[0] == 0


def test_init_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "evaluation.xlsx"
    target.write_bytes(b"keep me")
    code, _, err = run_cli(capsys, "init", "udp-2018", str(tmp_path), "--lang", "en")
    assert code == 1 and "the file already exists; use --force" in err
    assert target.read_bytes() == b"keep me"
    assert run_cli(capsys, "init", "udp-2018", str(tmp_path), "--force")[0] == 0
    assert target.read_bytes()[:2] == b"PK"


def test_init_unknown_profile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "init", "astana-2030", str(tmp_path / "x"), "--lang", "kk")
    assert code == 1
    assert "«astana-2030» профилі белгісіз; белгілі профильдер: alatau-2024" in err
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("command", [("validate", "examples/udp-2018/evaluation.yaml"),
                                     ("evaluate", "examples/udp-2018/evaluation.yaml"),
                                     ("templates", "check")])
def test_bad_language_is_a_usage_error(command: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    """Every command with a message language refuses an unknown one the same way (``templates check``
    used to fall back to English silently)."""
    code, _, err = run_cli(capsys, *command, "--lang", "de")
    assert code == 2 and "--lang must be one of kk, ru, en, not 'de'" in err


def test_missing_argument_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "validate")[0] == 2


def test_language_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "evaluation.yaml"
    path.write_text("", encoding="utf-8")
    monkeypatch.setenv("QUJAT_LANG", "ru")
    assert "файл пуст" in run_cli(capsys, "validate", str(path))[2]
    monkeypatch.setenv("QUJAT_LANG", "xx")
    monkeypatch.setenv("LANG", "kk_KZ.UTF-8")
    assert "файл бос" in run_cli(capsys, "validate", str(path))[2]


def test_python_m_pipeline(tmp_path: Path) -> None:
    bad = tmp_path / "evaluation.yaml"
    bad.write_text("profile: udp-2018\nperiod: {year: 2024\n", encoding="utf-8")
    env = {**os.environ, "QUJAT_LANG": "en", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "pipeline", "validate", str(bad)], check=False, capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=60)
    assert done.returncode == 1
    assert "evaluation.yaml (line 3, column 1): YAML syntax error" in done.stderr
    assert "Traceback" not in done.stderr
    ok = subprocess.run([sys.executable, "-m", "pipeline", "validate", "examples/alatau-2024/evaluation.yaml"],
                        check=False, capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert ok.returncode == 0, ok.stderr
