"""A failure at any stage of ``qujat run`` leaves no output folder and no temporary sibling;
an existing folder is refused without ``--overwrite`` and swapped atomically with it."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from pipeline.run import RunOptions, run
from signing.demo import make_demo

from .kit import DEMO_PASSWORD, ROOT, example, leftovers, qujat, qujat_process, tree

UDP = example("udp-2018")


def _assert_nothing_left(parent: Path, name: str = "out") -> None:
    assert not (parent / name).exists()
    assert leftovers(parent, name) == []


def _broken_templates(tmp_path: Path) -> Path:
    root = tmp_path / "forms"
    for lang in ("kk", "ru"):
        shutil.copytree(ROOT / f"templates_{lang}", root / f"templates_{lang}")
    (root / "templates_ru" / "kpi_sheet.docx").write_bytes(b"PK\x03\x04 this is not a zip archive")
    return root


def test_broken_template_fails_cleanly(tmp_path, capsys):
    result = qujat(capsys, "run", UDP, "--out", tmp_path / "out", "--templates", _broken_templates(tmp_path))
    assert result.code == 1
    assert "kpi_sheet.docx" in result.err
    _assert_nothing_left(tmp_path)


def test_custom_templates_folder_is_used(tmp_path, capsys):
    root = _broken_templates(tmp_path)
    shutil.copy(ROOT / "templates_ru" / "kpi_sheet.docx", root / "templates_ru" / "kpi_sheet.docx")
    result = qujat(capsys, "generate", UDP, "--out", tmp_path / "out", "--templates", root, "--lang", "ru")
    assert result.code == 0, result.err
    assert (tmp_path / "out" / "manifest.json").is_file()


def test_key_with_a_wrong_password_fails_before_any_output(tmp_path, capsys, monkeypatch):
    keys = tmp_path / "keys"
    make_demo(keys)
    monkeypatch.setenv("QUJAT_KEY_PASSWORD", "not-" + DEMO_PASSWORD)
    result = qujat(capsys, "run", UDP, "--out", tmp_path / "out", "--keys", keys)
    assert result.code == 1
    assert "wrong password" in result.err and ".p12" in result.err
    assert "not-" + DEMO_PASSWORD not in result.err + result.out
    _assert_nothing_left(tmp_path)


@pytest.mark.parametrize("command", ["run", "generate"])
def test_missing_libreoffice_is_reported_without_traceback(command, tmp_path):
    env = {"PATH": os.path.dirname(sys.executable)}
    assert shutil.which("soffice", path=env["PATH"]) is None
    done = qujat_process(command, UDP, "--out", tmp_path / "out", "--pdf", env=env)
    assert done.returncode == 1
    assert "LibreOffice" in done.stderr and "Traceback" not in done.stderr
    _assert_nothing_left(tmp_path)


@pytest.mark.parametrize("stage", ["generated", "signatures;", "stamped"])
def test_failure_after_a_stage_removes_the_work(stage, tmp_path):
    """A crash inside the pipeline (after generation, after signing) discards the temporary folder."""
    def notify(text: str) -> None:
        if stage in text:
            raise RuntimeError(f"crash after {stage}")

    out = tmp_path / "out"
    options = RunOptions(jobs=1, keys=tmp_path / "keys", demo_keys=True)
    with pytest.raises(RuntimeError, match="crash"):
        run(UDP, out, options, notify=notify)
    _assert_nothing_left(tmp_path)


def test_existing_output_is_refused_then_replaced_atomically(tmp_path, capsys):
    out = tmp_path / "out"
    first = qujat(capsys, "run", UDP, "--out", out, "--lang", "ru")
    assert first.code == 0, first.err
    (out / "marker.txt").write_text("old run")
    before = tree(out)

    again = qujat(capsys, "run", UDP, "--out", out)
    assert again.code == 2 and "--overwrite" in again.err
    assert tree(out) == before
    generate_again = qujat(capsys, "generate", UDP, "--out", out)
    assert generate_again.code == 2 and "--overwrite" in generate_again.err

    failed = qujat(capsys, "run", UDP, "--out", out, "--overwrite", "--templates", _broken_templates(tmp_path))
    assert failed.code == 1
    assert tree(out) == before                       # a failed replacement keeps the old folder
    assert leftovers(tmp_path, "out") == []

    replaced = qujat(capsys, "run", UDP, "--out", out, "--overwrite", "--lang", "kk")
    assert replaced.code == 0, replaced.err
    after = tree(out)
    assert "marker.txt" not in after
    assert any(p.endswith(".kk.docx") for p in after) and not any(p.endswith(".ru.docx") for p in after)
    assert leftovers(tmp_path, "out") == []


def test_output_under_a_file_is_a_user_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for command in ("run", "generate"):
        result = qujat(capsys, command, UDP, "--out", blocker / "out")
        assert result.code == 1 and str(blocker) in result.err
    assert blocker.read_text() == "x"
    assert leftovers(tmp_path, "out") == []
