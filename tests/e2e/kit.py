"""Helpers of the end-to-end tests: the qujat CLI in-process and as a real process."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
PROFILES = ("udp-2018", "atyrau-2018", "vssk-2018", "almaty-2023", "alatau-2024")
DEMO_PASSWORD = "qujat-demo"


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


def example(profile: str) -> Path:
    return EXAMPLES / profile / "evaluation.yaml"


def qujat(capsys: pytest.CaptureFixture[str], *args: object) -> Outcome:
    """``qujat ARGS`` in this process, through the real error boundary of ``pipeline.cli``.

    An exception that escapes the boundary (a traceback for the user) fails the test.
    """
    from pipeline.cli import main

    capsys.readouterr()
    try:
        main([str(arg) for arg in args])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    captured = capsys.readouterr()
    return Outcome(code, captured.out, captured.err)


def qujat_process(*args: object, env: dict[str, str] | None = None, cwd: Path | None = None,
                  stderr: Any = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    """``python -m pipeline ARGS`` as a separate process (what a user sees, tracebacks included)."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)], cwd=cwd or ROOT,
                          env=environment, stdout=subprocess.PIPE, stderr=stderr, text=True, timeout=300)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def leftovers(parent: Path, name: str) -> list[str]:
    """Temporary siblings ``.<name>.*`` that a failed or finished run left in ``parent``."""
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(f".{name}."))


def tree(folder: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under ``folder``."""
    return {p.relative_to(folder).as_posix(): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}
