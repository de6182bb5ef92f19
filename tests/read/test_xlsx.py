"""The secretary's workbook: ``qujat init`` output re-read, and every workbook mistake located."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from pipeline.errors import InputError, ValidationFailed
from pipeline.read import load_evaluation
from pipeline.read.layout import HEADER_ROWS
from tests.read.conftest import PROFILES, column_of, run_cli

Edit = Callable[..., Path]
KPI = "НМИ - КЦИ"
EMPLOYEES = "Қызметшілер - Служащие"


@pytest.mark.parametrize("profile", PROFILES)
def test_init_workbook_validates_and_equals_yaml(profile: str, workbooks: dict[str, Path],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "validate", str(workbooks[profile]), "--lang", "ru")
    assert (code, err) == (0, "")
    assert f"evaluation.xlsx: данные корректны: профиль {profile}" in out
    from_yaml = load_evaluation(f"examples/{profile}/evaluation.yaml")[0]
    assert load_evaluation(workbooks[profile])[0] == from_yaml


def test_workbook_layout(workbooks: dict[str, Path]) -> None:
    book = openpyxl.load_workbook(workbooks["alatau-2024"])
    assert book.sheetnames[0] == "Нұсқаулық - Инструкция"
    assert {"360", "Саралау - Ранжирование", KPI, "Калибрлеу - Калибровка"} <= set(book.sheetnames)
    assert "Шешімдер - Решения" not in book.sheetnames          # alatau has no commission
    assert book["_lists"].sheet_state == "hidden"
    survey = book["360"]
    assert [c.value for c in survey[HEADER_ROWS]][:2] == ["employee", "relation"]
    assert all(c.value in (None, "") or isinstance(c.value, (int, float)) or c.column <= 2
               for row in survey.iter_rows(min_row=HEADER_ROWS + 1) for c in row)   # no names in 360
    ranges = {str(v.sqref).split(":")[0][:1] for v in book[EMPLOYEES].data_validations.dataValidation}
    assert column_of(book[EMPLOYEES], "category") and ranges
    kk_header = [c.value for c in book[KPI][1]]
    ru_header = [c.value for c in book[KPI][2]]
    assert "НМИ атауы" in kk_header and "Наименование КЦИ" in ru_header
    instructions = " ".join(str(c.value) for row in book["Нұсқаулық - Инструкция"].iter_rows() for c in row)
    assert "Күндер: КК.АА.ЖЖЖЖ" in instructions and "Даты: ДД.ММ.ГГГГ" in instructions


def test_text_in_score_cell_located(edit_workbook: Edit, capsys: pytest.CaptureFixture[str]) -> None:
    def change(book: openpyxl.Workbook) -> None:
        ws = book[KPI]
        ws.cell(row=HEADER_ROWS + 2, column=column_of(ws, "quarter_scores.3"), value="жақсы")

    path = edit_workbook("alatau-2024", change)
    letter = openpyxl.utils.get_column_letter(column_of(openpyxl.load_workbook(path)[KPI], "quarter_scores.3"))
    code, out, err = run_cli(capsys, "validate", str(path), "--lang", "en")
    assert code == 1 and out == ""
    assert f'evaluation.xlsx, sheet "{KPI}", cell {letter}{HEADER_ROWS + 2}: expected a number' in err
    assert "«жақсы»" in err
    _, _, err_ru = run_cli(capsys, "validate", str(path), "--lang", "ru")
    assert f"cell {letter}{HEADER_ROWS + 2}: ожидается число" in err_ru


def test_columns_may_move_and_comma_decimals(edit_workbook: Edit) -> None:
    def change(book: openpyxl.Workbook) -> None:
        ws = book[EMPLOYEES]
        ws.move_range("A1:A200", cols=ws.max_column + 1)     # the id column goes last
        kpi = book[KPI]
        kpi.cell(row=HEADER_ROWS + 1, column=column_of(kpi, "quarter_scores.1"), value="5,0")

    path = edit_workbook("alatau-2024", change)
    assert load_evaluation(path)[0] == load_evaluation("examples/alatau-2024/evaluation.yaml")[0]


def test_unknown_sheet_and_column(edit_workbook: Edit) -> None:
    def change(book: openpyxl.Workbook) -> None:
        book.create_sheet("Ескертпелер")
        ws = book[EMPLOYEES]
        ws.cell(row=1, column=ws.max_column + 1, value="Туған күні")

    path = edit_workbook("udp-2018", change)
    with pytest.raises(ValidationFailed) as caught:
        load_evaluation(path)
    rendered = caught.value.render("kk")
    assert 'evaluation.xlsx, sheet "Ескертпелер": белгісіз парақ' in rendered
    assert f'sheet "{EMPLOYEES}", cell S1: «Туған күні» бағаны белгісіз' in rendered


def test_missing_sheet_and_column(edit_workbook: Edit) -> None:
    def change(book: openpyxl.Workbook) -> None:
        del book["Адамдар - Люди"]
        ws = book[EMPLOYEES]
        ws.delete_cols(column_of(ws, "category"))

    with pytest.raises(ValidationFailed) as caught:
        load_evaluation(edit_workbook("udp-2018", change))
    rendered = caught.value.render("en")
    assert "the sheet «Адамдар - Люди» is missing" in rendered
    assert "the required column «Санаты / Категория» is missing" in rendered


@pytest.mark.parametrize(("sheet", "code", "row", "value", "expected"), [
    (EMPLOYEES, "appointed_on", 1, "2019/09/16", "expected a date written as YYYY-MM-DD"),
    (EMPLOYEES, "id", 2, "e1", "the id «e1» is used twice"),
    (EMPLOYEES, "direct_manager", 1, "nobody", "no person with the id «nobody»"),
    (EMPLOYEES, "iin", 3, "12345", "expected 12 digits"),
    (EMPLOYEES, "probation", 1, "мүмкін", "expected yes or no"),
    ("Дауыстар - Голоса", "choice", 1, "қарсы", "is not allowed; expected one of: approve, review"),
    ("Дауыстар - Голоса", "employee", 1, "e77", "no employee with the id «e77»"),
    (KPI, "due", 1, "2025-03-01", "outside the evaluated period 2024-01-01 – 2024-12-31"),
    ("Құзыреттер - Компетенции", "observed", 1, "1; екі", "expected a whole number"),
])
def test_cell_mistakes_located(edit_workbook: Edit, capsys: pytest.CaptureFixture[str], sheet: str, code: str,
                               row: int, value: str, expected: str) -> None:
    def change(book: openpyxl.Workbook) -> None:
        ws = book[sheet]
        ws.cell(row=HEADER_ROWS + row, column=column_of(ws, code), value=value)

    path = edit_workbook("udp-2018", change)
    letter = openpyxl.utils.get_column_letter(column_of(openpyxl.load_workbook(path)[sheet], code))
    code_, _, err = run_cli(capsys, "validate", str(path), "--lang", "en")
    assert code_ == 1
    assert f'evaluation.xlsx, sheet "{sheet}", cell {letter}{HEADER_ROWS + row}' in err
    assert expected in err
    assert "Traceback" not in err


def test_date_outside_window_in_organisation_sheet(edit_workbook: Edit, capsys: pytest.CaptureFixture[str]) -> None:
    def change(book: openpyxl.Workbook) -> None:
        ws = book["Ұйым - Организация"]
        for row in ws.iter_rows(min_row=HEADER_ROWS + 1):
            if row[0].value == "commission.sitting.date":
                row[2].value = "14.01.2023"

    code, _, err = run_cli(capsys, "validate", str(edit_workbook("udp-2018", change)), "--lang", "kk")
    assert code == 1
    assert 'sheet "Ұйым - Организация", cell C' in err
    assert "«2023-01-14» күні 2024-01-01 – 2025-06-30 аралығынан тыс" in err


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "evaluation.xlsx"
    path.write_bytes(data)
    return path


def test_corrupt_workbook(tmp_path: Path, workbooks: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    for data in (b"PK\x03\x04 not really a zip", workbooks["udp-2018"].read_bytes()[:5000], b"hello"):
        path = _write(tmp_path, data)
        code, _, err = run_cli(capsys, "validate", str(path), "--lang", "en")
        assert code == 1
        assert "evaluation.xlsx: the workbook cannot be opened: it is damaged or not an .xlsx file" in err
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")
    code, _, err = run_cli(capsys, "validate", str(_write(tmp_path, buffer.getvalue())), "--lang", "ru")
    assert code == 1 and "книгу невозможно открыть" in err


def test_password_protected_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An encrypted .xlsx is an OLE compound file (MS-OFFCRYPTO), not a zip."""
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088)
    code, _, err = run_cli(capsys, "validate", str(_write(tmp_path, ole)), "--lang", "kk")
    assert code == 1 and "жұмыс кітабы құпиясөзбен қорғалған" in err
    with pytest.raises(InputError) as caught:
        load_evaluation(_write(tmp_path, ole))
    assert "password-protected" in caught.value.render("en")


def test_validate_writes_nothing(edit_workbook: Edit, capsys: pytest.CaptureFixture[str]) -> None:
    path = edit_workbook("udp-2018", lambda book: book.create_sheet("Extra"))
    before = sorted(p.name for p in path.parent.iterdir())
    stamp = path.stat().st_mtime_ns
    assert run_cli(capsys, "validate", str(path))[0] == 1
    assert sorted(p.name for p in path.parent.iterdir()) == before
    assert path.stat().st_mtime_ns == stamp


def test_large_workbook_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "evaluation.xlsx"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    started = time.perf_counter()
    with pytest.raises(InputError, match="input.too_large"):
        load_evaluation(path)
    assert time.perf_counter() - started < 0.5


def test_unknown_profile_in_workbook(edit_workbook: Edit, capsys: pytest.CaptureFixture[str]) -> None:
    def change(book: openpyxl.Workbook) -> None:
        book["Ұйым - Организация"].cell(row=HEADER_ROWS + 1, column=3, value="alatau-2025")

    code, _, err = run_cli(capsys, "validate", str(edit_workbook("alatau-2024", change)), "--lang", "en")
    assert code == 1
    assert err.strip() == ('evaluation.xlsx, sheet "Ұйым - Организация", cell C4: unknown profile «alatau-2025»; '
                           "known profiles: alatau-2024, almaty-2023, atyrau-2018, udp-2018, vssk-2018")
