"""No traceback for a user's mistake: each command with a missing file, a folder instead of a
file, an unreadable file and a damaged workbook exits 1 or 2 naming the file."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from signing.demo import make_demo

from .kit import DEMO_PASSWORD, example, qujat, qujat_process

# chmod 000 does not stop root from reading: the unreadable case runs only for other users.
BAD_INPUTS = ("missing", "folder", "corrupt_xlsx") + (("unreadable",) if os.geteuid() != 0 else ())


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """Bad inputs of every kind, a generated folder to sign, and demo keys."""
    root = tmp_path_factory.mktemp("errors")
    (root / "folder.xlsx").mkdir()
    (root / "unreadable.yaml").write_bytes(example("udp-2018").read_bytes())
    (root / "unreadable.yaml").chmod(0)
    (root / "corrupt.xlsx").write_bytes(b"PK\x03\x04" + os.urandom(200))
    make_demo(root / "keys")
    return root


def _bad(workspace: Path, kind: str) -> Path:
    return {"missing": workspace / "missing.yaml", "folder": workspace / "folder.xlsx",
            "unreadable": workspace / "unreadable.yaml", "corrupt_xlsx": workspace / "corrupt.xlsx"}[kind]


@pytest.fixture(scope="module")
def signed_folder(workspace: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("folder") / "out"
    from pipeline.run import RunOptions, run

    run(example("udp-2018"), out, RunOptions(langs=("ru",), jobs=1))
    return out


Args = Callable[[Path, Path, Path], list[object]]
COMMANDS: dict[str, Args] = {
    "validate": lambda bad, ws, out: ["validate", bad],
    "evaluate": lambda bad, ws, out: ["evaluate", bad],
    "evaluate --calendar": lambda bad, ws, out: ["evaluate", example("udp-2018"), "--calendar", bad],
    "generate": lambda bad, ws, out: ["generate", bad, "--out", ws / "never"],
    "run": lambda bad, ws, out: ["run", bad, "--out", ws / "never"],
    "run --keys": lambda bad, ws, out: ["run", example("udp-2018"), "--out", ws / "never", "--keys", bad],
    "init": lambda bad, ws, out: ["init", "udp-2018", bad],
    "sign --key": lambda bad, ws, out: ["sign", out, "--key", bad],
    "sign DIR": lambda bad, ws, out: ["sign", bad, "--key", ws / "keys" / "HR01.p12"],
    "verify": lambda bad, ws, out: ["verify", bad],
    "verify --ca": lambda bad, ws, out: ["verify", out, "--ca", bad],
}
# ``init`` writes into its DIR: a missing one is created, so only "a file where a folder
# should be" applies; a folder is a valid DIR, and ``sign`` / ``verify`` take folders.
NOT_AN_ERROR = {("init", "missing"), ("init", "folder"), ("init", "unreadable"), ("run --keys", "folder"),
                ("sign DIR", "folder"), ("verify", "folder")}


@pytest.mark.parametrize("command, kind", [(command, kind) for command in COMMANDS for kind in BAD_INPUTS
                                            if (command, kind) not in NOT_AN_ERROR])
def test_bad_input_gives_a_message_not_a_traceback(command, kind, workspace, signed_folder, capsys,
                                                   monkeypatch):
    bad = _bad(workspace, kind)
    monkeypatch.setenv("QUJAT_KEY_PASSWORD", DEMO_PASSWORD)
    before = {p.name for p in workspace.iterdir()}
    result = qujat(capsys, *COMMANDS[command](bad, workspace, signed_folder))
    assert result.code in (1, 2), (result.code, result.out, result.err)
    assert bad.name in result.err + result.out
    assert "Traceback" not in result.err
    assert {p.name for p in workspace.iterdir()} == before        # nothing written next to the inputs


def test_folder_without_people_json_and_manifest(workspace, capsys, monkeypatch):
    """``run --keys`` and ``sign`` on a folder that is not what they expect."""
    monkeypatch.setenv("QUJAT_KEY_PASSWORD", DEMO_PASSWORD)
    folder = workspace / "folder.xlsx"
    for args in (["run", example("udp-2018"), "--out", workspace / "never", "--keys", folder],
                 ["sign", folder, "--key", workspace / "keys" / "HR01.p12"]):
        result = qujat(capsys, *args)
        assert result.code == 1 and "folder.xlsx" in result.err and "Traceback" not in result.err


def test_a_real_process_prints_no_traceback(workspace, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for args in (["validate", workspace / "corrupt.xlsx"], ["init", "udp-2018", blocker],
                 ["run", example("udp-2018"), "--out", blocker / "out"]):
        done = qujat_process(*args)
        assert done.returncode in (1, 2) and "Traceback" not in done.stderr, done.stderr
        assert done.stderr.strip()
