"""``qujat init``: the secretary's workbook for a profile, pre-filled with its example."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.errors import InputError, Issue
from pipeline.fsio import atomic_write_bytes
from pipeline.model import Employee, Evaluation, Person
from pipeline.profile import Profile
from pipeline.read.layout import (
    HEADER_ROWS,
    LISTS_SHEET,
    NO,
    ORGANISATION_FIELDS,
    PEOPLE,
    YES,
    Column,
    SheetSpec,
    layout,
)
from pipeline.read.xlsx import INSTRUCTIONS_SHEET

__all__ = ["WORKBOOK_NAME", "build_workbook", "example_path", "write_workbook"]

WORKBOOK_NAME = "evaluation.xlsx"
_EMPTY_ROWS = 300
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_DATE_FORMAT = "DD.MM.YYYY"
_SCORE_COLUMNS = ("score", "quarter_scores.", "scores.")


def example_path(profile_id: str) -> Path:
    """``examples/<profile>/evaluation.yaml`` beside the packages: the source tree or, in an
    installed wheel, the ``examples`` data package in site-packages."""
    return Path(__file__).resolve().parents[2] / "examples" / profile_id / "evaluation.yaml"


# -- rows from the model ---------------------------------------------------------------
def _persons(evaluation: Evaluation) -> list[dict[str, Any]]:
    """Everyone named in the evaluation except the employees, once each, with their flags."""
    people: dict[str, dict[str, Any]] = {}

    def add(person: Person | None, **flags: Any) -> None:
        if person is None:
            return
        row = people.setdefault(person.id, {"person": person})
        row.update(flags)

    commission = evaluation.commission
    if commission is not None:                  # members first: their order is the commission's
        for member in commission.members:
            add(member, commission_role=member.role)
    add(evaluation.hr, hr=True)
    if commission is not None:
        add(commission.approved_by, approves=True)
    for employee in evaluation.employees:
        add(employee.direct_manager)
        add(employee.superior)
        if employee.acquaintance is not None:
            for witness in employee.acquaintance.witnesses:
                add(witness)
        if employee.calibration is not None:
            for participant in employee.calibration.participants:
                add(participant)
    return list(people.values())


def _value(obj: Any, code: str) -> Any:
    for part in code.split("."):
        if obj is None:
            return None
        if isinstance(obj, dict):
            obj = obj.get(int(part) if part.isdigit() else part)
        else:
            obj = getattr(obj, part, None)
    return obj


def _rows(spec: SheetSpec, evaluation: Evaluation) -> Iterator[dict[str, Any]]:
    """code -> model value, one dict per row of ``spec``."""
    if spec.id == "people":
        for row in _persons(evaluation):
            person = row.pop("person")
            yield {**person.model_dump(include={"id", "full_name", "iin", "position_kk", "position_ru", "email"}),
                   "hr": row.get("hr", False), "approves": row.get("approves", False),
                   "commission_role": row.get("commission_role")}
        return
    for employee in evaluation.employees:
        yield from _employee_rows(spec, employee)


def _employee_rows(spec: SheetSpec, employee: Employee) -> Iterator[dict[str, Any]]:
    codes = [c.code for c in spec.columns]
    own = {"employee": employee.id}
    items: Iterable[Any]
    if spec.id == "employees":
        items = [employee]
    elif spec.id in ("absences", "kpis", "competencies", "ranking"):
        items = getattr(employee, spec.id)
    elif spec.id == "decisions":
        items = [employee.decision] if employee.decision is not None else []
    elif spec.id == "votes":
        items = employee.decision.votes if employee.decision is not None else []
    elif spec.id in ("workflow", "acquaintance", "calibration"):
        single = getattr(employee, spec.id)
        items = [single] if single is not None else []
    else:
        survey = employee.survey_360
        items = []
        if survey is not None:
            if survey.self_assessment:
                items.append({"relation": "self", "scores": survey.self_assessment})
            items += [r.model_dump() for r in survey.respondents]
    for item in items:
        yield {**{code: _value(item, code) for code in codes if code != "employee"}, **own}


# -- cells -----------------------------------------------------------------------------
def _cell_value(column: Column | None, kind: str, value: Any) -> Any:
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, Person):
        return value.id
    if isinstance(value, list):
        return "; ".join(item.id if isinstance(item, Person) else str(item) for item in value)
    if kind == "choice" and column is not None:
        return column.choices.get(value, value)
    return value


def _put(ws: Worksheet, row: int, col: int, value: Any) -> None:
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    if isinstance(value, dt.date):
        cell.number_format = _DATE_FORMAT
    cell.alignment = Alignment(wrap_text=isinstance(value, str) and len(value) > 40, vertical="top")


def _header(ws: Worksheet, columns: Iterable[Column]) -> None:
    for index, column in enumerate(columns, start=1):
        for row, text, font in ((1, column.kk, Font(bold=True)), (2, column.ru, Font(italic=True)),
                                (3, column.code, Font(size=8, color="808080"))):
            cell = ws.cell(row=row, column=index, value=text)
            cell.font = font
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if row < 3:
                cell.fill = _HEAD_FILL
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = ws.cell(row=HEADER_ROWS + 1, column=1)


class _Lists:
    """The hidden sheet holding every dropdown's values, one column per list."""

    def __init__(self, book: openpyxl.Workbook) -> None:
        self.sheet = book.create_sheet(LISTS_SHEET)
        self.sheet.sheet_state = "hidden"
        self.columns: dict[tuple[str, ...], str] = {}

    def formula(self, values: Iterable[str]) -> str:
        values = tuple(values)
        if values not in self.columns:
            col = get_column_letter(len(self.columns) + 1)
            for row, value in enumerate(values, start=1):
                self.sheet.cell(row=row, column=len(self.columns) + 1, value=value)
            self.columns[values] = f"{quote_sheetname(LISTS_SHEET)}!${col}$1:${col}${max(len(values), 1)}"
        return self.columns[values]


def _validation(column: Column, lists: _Lists, people_ref: str, employees_ref: str,
                score_max: float) -> DataValidation | None:
    if column.kind == "choice" and column.choices:
        return DataValidation(type="list", formula1=lists.formula(column.choices.values()), allow_blank=True)
    if column.kind == "bool":
        return DataValidation(type="list", formula1=lists.formula((YES, NO)), allow_blank=True)
    if column.kind == "person" or column.code == "member":
        return DataValidation(type="list", formula1=people_ref, allow_blank=True)
    if column.code == "employee":
        return DataValidation(type="list", formula1=employees_ref, allow_blank=True)
    if column.kind == "number" and column.code.startswith(_SCORE_COLUMNS):
        return DataValidation(type="decimal", operator="between", formula1="0", formula2=str(score_max),
                              allow_blank=True, showErrorMessage=True,
                              error=f"0 – {score_max}", errorTitle="Балл / Балл")
    if column.kind == "int" and column.code == "quarter":
        return DataValidation(type="whole", operator="between", formula1="1", formula2="4", allow_blank=True)
    return None


def _table(book: openpyxl.Workbook, spec: SheetSpec, evaluation: Evaluation | None, lists: _Lists,
           score_max: float) -> int:
    ws = book.create_sheet(spec.title)
    _header(ws, spec.columns)
    rows = list(_rows(spec, evaluation)) if evaluation is not None else []
    for r, values in enumerate(rows, start=HEADER_ROWS + 1):
        for c, column in enumerate(spec.columns, start=1):
            _put(ws, r, c, _cell_value(column, column.kind, values.get(column.code)))
    people_ref = f"{quote_sheetname(PEOPLE.title)}!$A${HEADER_ROWS + 1}:$A${HEADER_ROWS + _EMPTY_ROWS}"
    employees_title = next(s.title for s in layout(None) if s.id == "employees")
    employees_ref = f"{quote_sheetname(employees_title)}!$A${HEADER_ROWS + 1}:$A${HEADER_ROWS + _EMPTY_ROWS}"
    last = HEADER_ROWS + max(_EMPTY_ROWS, len(rows) + 50)
    for c, column in enumerate(spec.columns, start=1):
        check = _validation(column, lists, people_ref, employees_ref, score_max)
        if check is not None:
            letter = get_column_letter(c)
            check.add(f"{letter}{HEADER_ROWS + 1}:{letter}{last}")
            ws.add_data_validation(check)
        if column.kind == "date":
            for r in range(HEADER_ROWS + 1, last + 1):
                ws.cell(row=r, column=c).number_format = _DATE_FORMAT
    return len(rows)


def _organisation(book: openpyxl.Workbook, spec: SheetSpec, profile: Profile,
                  evaluation: Evaluation | None, lists: _Lists) -> None:
    ws = book.create_sheet(spec.title)
    _header(ws, spec.columns)
    for r, item in enumerate(ORGANISATION_FIELDS, start=HEADER_ROWS + 1):
        value = profile.id if item.code == "profile" else _value(evaluation, item.code)
        _put(ws, r, 1, item.code)
        _put(ws, r, 2, f"{item.kk} / {item.ru}")
        _put(ws, r, 3, _cell_value(None, item.kind, value))
        ws.cell(row=r, column=1).font = Font(size=8, color="808080")
        if item.kind == "bool":
            check = DataValidation(type="list", formula1=lists.formula((YES, NO)), allow_blank=True)
            check.add(f"C{r}")
            ws.add_data_validation(check)
        if item.kind == "date":
            ws.cell(row=r, column=3).number_format = _DATE_FORMAT


def _instructions(book: openpyxl.Workbook, profile: Profile, specs: list[SheetSpec]) -> None:
    ws = book.active
    ws.title = INSTRUCTIONS_SHEET
    ws.column_dimensions["A"].width = 70
    ws.column_dimensions["B"].width = 70
    lines: list[tuple[str, str]] = [
        (f"Бағалау деректерінің жұмыс кітабы: {profile.organisation.name.kk}",
         f"Рабочая книга данных оценки: {profile.organisation.name.ru}"),
        ((f"Әдістеме: {profile.act.methodology_title.kk} ({profile.act.kind.kk} № {profile.act.number}, "
         f"{profile.act.date:%d.%m.%Y})"),
         (f"Методика: {profile.act.methodology_title.ru} ({profile.act.kind.ru} № {profile.act.number} "
         f"от {profile.act.date:%d.%m.%Y})")),
        (("Әр парақтың алғашқы үш жолы – тақырыптар (қазақша, орысша, өріс коды). Оларды өзгертпеңіз; "
         "бағандардың ретін ауыстыруға болады."),
         ("Первые три строки каждого листа – заголовки (на казахском, на русском, код поля). Не меняйте их; "
         "порядок столбцов менять можно.")),
        ("Мысал жолдарын өз деректеріңізбен ауыстырыңыз. Бос жолдар оқылмайды.",
         "Замените строки-примеры своими данными. Пустые строки не читаются."),
        ("Күндер: КК.АА.ЖЖЖЖ (мысалы, 20.12.2024) немесе күн форматындағы ұяшық.",
         "Даты: ДД.ММ.ГГГГ (например, 20.12.2024) или ячейка в формате даты."),
        (f"Иә/жоқ бағандары: «{YES}» немесе «{NO}» (тізімнен таңдаңыз).",
         f"Столбцы да/нет: «{YES}» или «{NO}» (выберите из списка)."),
        ("Баллдар: 0-ден 5-ке дейінгі сан, бөлшегі үтірмен немесе нүктемен (мысалы, 4,5).",
         "Баллы: число от 0 до 5, дробная часть через запятую или точку (например, 4,5)."),
        (("ЖСН мен БСН – 12 цифр. Адамдар мен қызметшілерге қысқа ID беріңіз (мысалы, k1, e1); басқа "
         "парақтар оларға ID арқылы сілтейді."),
         ("ИИН и БИН – 12 цифр. Людям и служащим присвойте короткие ID (например, k1, e1); другие листы "
         "ссылаются на них по ID.")),
        ("Тексеру: qujat validate evaluation.xlsx – барлық қате ұяшық мекенжайымен көрсетіледі.",
         "Проверка: qujat validate evaluation.xlsx – каждая ошибка выводится с адресом ячейки."),
        ("", ""),
        ("Парақтар:", "Листы:"),
    ]
    descriptions = {
        "organisation": ("мемлекеттік орган, кезең, комиссия отырысы (өріс коды – мәні)",
                         "госорган, период, заседание комиссии (код поля – значение)"),
        "people": ("персоналды басқару қызметі, комиссия мүшелері, басшылар, куәлар",
                   "служба управления персоналом, члены комиссии, руководители, свидетели"),
        "employees": ("бағаланатын қызметшілер, бір жолда бір қызметші", "оцениваемые служащие, по одному в строке"),
        "absences": ("демалыс, іссапар, ауру және т.б.", "отпуск, командировка, болезнь и т.п."),
        "kpis": ("нысаналы мақсатты индикаторлар, бір жолда бір НМИ", "ключевые целевые индикаторы, по одному в строке"),
        "competencies": ("байқалған мінез-құлық индикаторларының нөмірлері",
                         "номера проявленных поведенческих индикаторов"),
        "ranking": ("тоқсан сайынғы саралау баллдары", "ежеквартальные баллы ранжирования"),
        "survey_360": ("360 сауалнамасы, жасырын: тек қатынас пен баллдар, аты-жөні жазылмайды",
                       "опрос 360, анонимно: только отношение и баллы, без имён"),
        "decisions": ("комиссия шешімі мен ұсынымдары", "решение и рекомендации комиссии"),
        "votes": ("комиссия мүшелерінің ашық дауыстары", "открытые голоса членов комиссии"),
        "workflow": ("мерзімі бар іс жүргізу қадамдарының күндері: қайтарылған, қол қойылған, ұсынылған",
                     "даты шагов делопроизводства со сроками: возврат, подписание, представление"),
        "acquaintance": ("нәтижелермен таныстыру, бас тарту актісі", "ознакомление с результатами, акт об отказе"),
        "calibration": ("калибрлеу сессиясы туралы өтініш пен хаттама", "заявление и протокол калибровочной сессии"),
    }
    for spec in specs:
        kk, ru = descriptions[spec.id]
        kk_title, _, ru_title = spec.title.partition(" - ")
        lines.append((f"«{spec.title}»: {kk}", f"«{spec.title}»: {ru}") if not ru_title
                     else (f"«{kk_title}»: {kk}", f"«{ru_title}»: {ru}"))
    ws.cell(row=1, column=1, value="Қазақша").font = Font(bold=True)
    ws.cell(row=1, column=2, value="На русском").font = Font(bold=True)
    for row, (kk, ru) in enumerate(lines, start=2):
        for col, text in ((1, kk), (2, ru)):
            cell = ws.cell(row=row, column=col, value=text)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if row == 2:
                cell.font = Font(bold=True)


def build_workbook(profile: Profile, evaluation: Evaluation | None) -> tuple[bytes, int]:
    """The workbook for ``profile`` as bytes, with ``evaluation`` (if any) as its rows."""
    book = openpyxl.Workbook()
    specs = layout(profile)
    _instructions(book, profile, specs)
    lists = _Lists(book)
    score_max = max((r.score_max for r in (profile.kpi, profile.ranking, profile.survey_360) if r is not None),
                    default=5)
    employees = 0
    for spec in specs:
        if spec.id == "organisation":
            _organisation(book, spec, profile, evaluation, lists)
        else:
            count = _table(book, spec, evaluation, lists, score_max)
            employees = count if spec.id == "employees" else employees
    book.move_sheet(LISTS_SHEET, offset=len(book.sheetnames))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), employees


def write_workbook(profile: Profile, directory: Path, *, force: bool = False) -> tuple[Path, int]:
    """Write ``directory/evaluation.xlsx`` atomically, pre-filled from the profile's example."""
    from pipeline.read.loader import load_evaluation

    target = Path(directory) / WORKBOOK_NAME
    if target.exists() and not force:
        raise InputError(issues=[Issue(location=str(target), key="input.init_exists")])
    example = example_path(profile.id)
    evaluation = load_evaluation(example)[0] if example.is_file() else None
    data, employees = build_workbook(profile, evaluation)
    if target.parent.exists() and not target.parent.is_dir():
        raise InputError(issues=[Issue(location=str(target.parent), key="output.not_folder",
                                       params={"parent": str(target.parent)})])
    try:
        atomic_write_bytes(target, data)
    except OSError as exc:      # a file on the way, no permission, disk full
        raise InputError(issues=[Issue(location=str(target), key="output.write_failed",
                                       params={"detail": exc.strerror or str(exc)})]) from None
    return target, employees
