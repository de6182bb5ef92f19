"""Helpers for the reader tests: examples, edited copies, the real console entry."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from pipeline.cli import main
from pipeline.read.layout import HEADER_ROWS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PROFILES = ("udp-2018", "atyrau-2018", "vssk-2018", "almaty-2023", "alatau-2024")


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``qujat ARGS`` through :func:`pipeline.cli.main`; (exit code, stdout, stderr)."""
    code = 0
    try:
        main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def example_text(profile: str) -> str:
    return (EXAMPLES / profile / "evaluation.yaml").read_text(encoding="utf-8")


def column_of(ws: openpyxl.worksheet.worksheet.Worksheet, code: str) -> int:
    """1-based column whose code header (third header row) is ``code``."""
    for cell in ws[HEADER_ROWS]:
        if cell.value == code:
            return cell.column
    raise KeyError(code)


@pytest.fixture(scope="session")
def workbooks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``qujat init`` output for every profile, made once."""
    root = tmp_path_factory.mktemp("init")
    made = {}
    for profile in PROFILES:
        try:
            main(["init", profile, str(root / profile)])
        except SystemExit as exc:
            assert not exc.code, f"qujat init {profile} failed"
        made[profile] = root / profile / "evaluation.xlsx"
    return made


@pytest.fixture
def edit_workbook(workbooks: dict[str, Path], tmp_path: Path) -> Callable[..., Path]:
    """Copy a profile's workbook, apply ``change(book)``, save it as tmp/evaluation.xlsx."""

    def edit(profile: str, change: Callable[[openpyxl.Workbook], None]) -> Path:
        target = tmp_path / "evaluation.xlsx"
        shutil.copy(workbooks[profile], target)
        book = openpyxl.load_workbook(target)
        change(book)
        book.save(target)
        return target

    return edit
