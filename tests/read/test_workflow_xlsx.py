"""The workflow dates sheet: written by ``qujat init``, read back, a late step located at its cell."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from pipeline.profile import load_profile
from pipeline.read import load_evaluation
from pipeline.read.layout import HEADER_ROWS
from pipeline.rules.validate import late_actions
from tests.read.conftest import column_of
from tests.read.test_xlsx import Edit

SHEET = "Мерзімдер - Сроки"


def test_workflow_sheet_written_and_read(workbooks: dict[str, Path]) -> None:
    book = openpyxl.load_workbook(workbooks["udp-2018"])
    ws = book[SHEET]
    assert ws.cell(row=1, column=column_of(ws, "superior_signed_on")).value == "Жоғары тұрған басшы қол қойған күн"
    assert "kpis_approved_on" not in [c.value for c in ws[HEADER_ROWS]]          # alatau only
    ev, _ = load_evaluation(workbooks["udp-2018"])
    assert ev.employees[0].workflow is not None
    assert ev.employees[0].workflow.sheet_to_commission_on.isoformat() == "2025-01-09"
    alatau = openpyxl.load_workbook(workbooks["alatau-2024"])[SHEET]
    assert [c.value for c in alatau[HEADER_ROWS]] == ["employee", "kpis_approved_on", "plan_in_is_on"]


def test_late_step_located_at_its_cell(edit_workbook: Edit) -> None:
    def late(book: openpyxl.Workbook) -> None:
        ws = book[SHEET]
        ws.cell(row=HEADER_ROWS + 1, column=column_of(ws, "sheet_to_commission_on"), value="2025-01-13")

    path = edit_workbook("udp-2018", late)
    ev, source = load_evaluation(path)
    [issue] = late_actions(ev, load_profile("udp-2018"), source.locate)
    ws = openpyxl.load_workbook(path)[SHEET]
    letter = openpyxl.utils.get_column_letter(column_of(ws, "sheet_to_commission_on"))
    assert issue.location == f'evaluation.xlsx, sheet "{SHEET}", cell {letter}{HEADER_ROWS + 1}'
    assert issue.clause == "cl. 24" and issue.params["due"] == "2025-01-10"
