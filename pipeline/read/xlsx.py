"""Read an evaluation from the secretary's workbook (the layout of :mod:`pipeline.read.layout`)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
import zlib
from typing import Any
from xml.etree.ElementTree import ParseError

import openpyxl
from lxml import etree
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from pipeline.errors import InputError, Issue
from pipeline.profile import Profile, available_profiles, load_profile
from pipeline.read.checks import parse_day
from pipeline.read.layout import (
    EMPLOYEES_TITLE,
    HEADER_ROWS,
    LISTS_SHEET,
    ORGANISATION,
    ORGANISATION_FIELDS,
    PEOPLE,
    Column,
    SheetSpec,
    choice_value,
    layout,
    normalise_label,
)
from pipeline.read.source import ModelPath, Source

__all__ = ["INSTRUCTIONS_SHEET", "MAX_UNPACKED_BYTES", "read_xlsx"]

INSTRUCTIONS_SHEET = "Нұсқаулық - Инструкция"
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEADER_SCAN = 10
_YES = {"иә", "ия", "да", "yes", "y", "true", "1", "иә / да", "+"}
_NO = {"жоқ", "нет", "no", "n", "false", "0", "жоқ / нет", "-"}
_CORRUPT = (zipfile.BadZipFile, zlib.error, InvalidFileException, KeyError, ValueError, EOFError, OSError,
            ParseError, etree.XMLSyntaxError)

Rows = list[tuple[Any, ...]]
Cell = tuple[Any, str]                 # (value, "E7")
Record = tuple[int, dict[str, Cell]]   # (row number, code -> cell)


def _load_sheets(source: Source, data: bytes) -> dict[str, Rows]:
    """Every worksheet's values; a damaged or protected file is an :class:`InputError`."""
    if data.startswith(_OLE_MAGIC):
        raise InputError(issues=[Issue(location=source.name, key="input.xlsx_encrypted")])
    corrupt = InputError(issues=[Issue(location=source.name, key="input.xlsx_corrupt")])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise corrupt
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)]
                    for ws in book.worksheets}
        finally:
            book.close()
    except _CORRUPT:
        raise corrupt from None


class _Reader:
    def __init__(self, source: Source, sheets: dict[str, Rows]) -> None:
        self.source = source
        self.sheets = sheets
        self.issues: list[Issue] = []

    # -- locations ---------------------------------------------------------------------
    def where(self, sheet: str, ref: str | None = None) -> str:
        base = f'{self.source.name}, sheet "{sheet}"'
        return base if ref is None else (f"{base}, row {ref}" if ref.isdigit() else f"{base}, cell {ref}")

    def add(self, location: str, key: str, value: Any = None, **params: Any) -> None:
        self.issues.append(Issue(location=location, key=key, params=params, value=value))

    def mark(self, path: ModelPath, sheet: str, ref: str) -> None:
        self.source.cells.setdefault(path, (sheet, ref))

    # -- sheets and headers ------------------------------------------------------------
    def find_sheets(self, specs: list[SheetSpec]) -> dict[str, str]:
        """spec id -> workbook sheet title; unknown sheets are reported."""
        found: dict[str, str] = {}
        ignored = {normalise_label(LISTS_SHEET), *(normalise_label(p) for p in
                                                    (INSTRUCTIONS_SHEET, *INSTRUCTIONS_SHEET.split(" - "),
                                                     "instructions"))}
        for title in self.sheets:
            name = normalise_label(title)
            spec = next((s for s in specs if name in s.names()), None)
            if spec is not None:
                found[spec.id] = title
            elif name not in ignored:
                self.add(self.where(title), "input.unknown_sheet",
                         known=", ".join(f"«{s.title}»" for s in specs))
        for spec in specs:
            if spec.required and spec.id not in found:
                self.add(self.source.name, "input.missing_sheet", sheet=spec.title)
        return found

    def records(self, spec: SheetSpec, title: str) -> list[Record]:
        rows = self.sheets[title]
        labels = {label: column for column in spec.columns for label in column.labels()}

        def match(value: Any) -> Column | None:
            if value is None or isinstance(value, (int, float, dt.date)):
                return None
            return labels.get(normalise_label(value))

        def is_header(row: tuple[Any, ...]) -> bool:
            filled = [v for v in row if v not in (None, "")]
            hits = sum(1 for v in filled if match(v) is not None)
            return hits > 0 and hits * 2 >= len(filled)

        start = next((r for r in range(min(_HEADER_SCAN, len(rows))) if is_header(rows[r])), None)
        if start is None:
            sample = ", ".join(f"«{c.kk}»" for c in spec.columns[:3])
            self.add(self.where(title), "input.no_header", rows=_HEADER_SCAN, expected=sample)
            return []
        end = start
        while end < len(rows) and end - start < HEADER_ROWS and is_header(rows[end]):
            end += 1
        columns: dict[int, Column] = {}
        width = max(len(rows[r]) for r in range(start, end))
        for index in range(width):
            cells = [(r, rows[r][index]) for r in range(start, end) if index < len(rows[r])]
            hit = next((match(v) for _, v in cells if match(v) is not None), None)
            if hit is not None:
                columns[index] = hit
                continue
            text = next(((r, v) for r, v in cells if v not in (None, "")), None)
            if text is not None:
                self.add(self.where(title, f"{get_column_letter(index + 1)}{text[0] + 1}"),
                         "input.unknown_column", column=str(text[1]).strip(),
                         known=", ".join(f"«{c.kk}»" for c in spec.columns))
        present = {column.code for column in columns.values()}
        for column in spec.columns:
            if column.required and column.code not in present:
                self.add(self.where(title), "input.missing_column", column=f"{column.kk} / {column.ru}")
        records: list[Record] = []
        for r in range(end, len(rows)):
            cells = {column.code: (rows[r][i], f"{get_column_letter(i + 1)}{r + 1}")
                     for i, column in columns.items() if i < len(rows[r])}
            if any(v not in (None, "") and not (isinstance(v, str) and not v.strip()) for v, _ in cells.values()):
                records.append((r + 1, cells))
        return records

    # -- values ------------------------------------------------------------------------
    @staticmethod
    def convert(column: Column | None, kind: str, value: Any) -> Any:
        """A cell value as the model expects it; what cannot be converted is kept for pydantic."""
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                return None
        if value is None:
            return None
        if kind in ("text", "person"):
            if isinstance(value, float) and value.is_integer():
                return str(int(value))
            if isinstance(value, dt.datetime):
                return value.date().isoformat()
            return value if isinstance(value, str) else str(value)
        if kind == "date":
            if isinstance(value, dt.datetime):
                return value.date()
            if isinstance(value, str):
                return parse_day(value) or value
            return value
        if kind == "bool":
            if isinstance(value, bool):
                return value
            word = normalise_label(str(value))
            return True if word in _YES else False if word in _NO else value
        if kind == "number" and isinstance(value, str):
            try:
                return float(value.replace(",", ".").replace(" ", ""))
            except ValueError:
                return value
        if kind == "int":
            if isinstance(value, float) and value.is_integer():
                return int(value)
            if isinstance(value, str) and value.isdigit():
                return int(value)
            return value
        if kind == "choice" and column is not None and isinstance(value, str):
            return choice_value(column, value) or value
        if kind in ("ids", "indexes"):
            parts = [p.strip() for p in str(value).replace(",", ";").split(";") if p.strip()]
            if kind == "ids":
                return [p.removesuffix(".0") for p in parts]
            return [int(float(p)) if p.replace(".", "", 1).isdigit() and float(p).is_integer() else p
                    for p in parts]
        return value


def _set(target: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[int(last) if last.isdigit() else last] = value


def _path(dotted: str) -> ModelPath:
    return tuple(int(p) if p.isdigit() else p for p in dotted.split("."))


class _Assembler(_Reader):
    """Builds the plain data of an :class:`Evaluation` from the sheets, recording each cell."""

    def row_fields(self, spec_title: str, base: ModelPath, record: Record,
                   columns: dict[str, Column], skip: tuple[str, ...] = ()) -> dict[str, Any]:
        row, cells = record
        self.mark(base, spec_title, str(row))
        data: dict[str, Any] = {}
        for code, (raw, ref) in cells.items():
            if code in skip:
                continue
            column = columns[code]
            self.mark(base + _path(code), spec_title, ref)
            value = self.convert(column, column.kind, raw)
            if value is None and column.kind == "indexes":
                value = []                      # a blank list of observed indicators: none observed
            if value is not None:
                _set(data, code, value)
        return data

    def organisation(self, title: str, spec: SheetSpec) -> dict[str, Any]:
        fields = {f.code: f for f in ORGANISATION_FIELDS}
        data: dict[str, Any] = {}
        for row, cells in self.records(spec, title):
            code_raw, code_ref = cells.get("field", (None, f"A{row}"))
            value, ref = cells.get("value", (None, f"C{row}"))
            code = str(code_raw).strip() if code_raw is not None else ""
            if code not in fields:
                if code or value not in (None, ""):
                    self.add(self.where(title, code_ref), "input.unknown_field_code", code or "—",
                             code=code, known=", ".join(fields))
                continue
            self.mark(_path(code), title, ref)
            converted = self.convert(None, fields[code].kind, value)
            if converted is not None:
                _set(data, code, converted)
        return data

    def people(self, title: str, spec: SheetSpec) -> dict[str, tuple[dict[str, Any], Record]]:
        columns = {c.code: c for c in spec.columns}
        people: dict[str, tuple[dict[str, Any], Record]] = {}
        for record in self.records(spec, title):
            _row, cells = record
            person = {}
            for code in ("id", "full_name", "iin", "position_kk", "position_ru", "email",
                         "commission_role", "hr", "approves"):
                if code in cells:
                    value = self.convert(columns[code], columns[code].kind, cells[code][0])
                    if value is not None:
                        person[code] = value
            ident = str(person.get("id", ""))
            if ident in people:
                first_row = people[ident][1][0]
                self.add(self.where(title, cells["id"][1]), "input.duplicate_id", None, id=ident,
                         first=self.where(title, str(first_row)))
                continue
            people[ident] = (person, record)
        return people


_PERSON_FIELDS = ("id", "full_name", "iin", "position_kk", "position_ru", "email")


def _person_part(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in _PERSON_FIELDS}


def _profile_for(profile_id: Any) -> Profile | None:
    if isinstance(profile_id, str) and profile_id in available_profiles():
        return load_profile(profile_id)
    return None


def _build(reader: _Assembler) -> dict[str, Any]:
    title = next((t for t in reader.sheets if normalise_label(t) in ORGANISATION.names()), None)
    raw = reader.organisation(title, ORGANISATION) if title is not None else {}
    profile_id = raw.get("profile")
    if isinstance(profile_id, str) and profile_id not in available_profiles():
        return raw                  # the other sheets depend on the profile: only that is reported
    specs = {s.id: s for s in layout(_profile_for(profile_id))}
    found = reader.find_sheets(list(specs.values()))
    people = reader.people(found["people"], specs["people"]) if "people" in found else {}
    _assemble_people(reader, raw, people, found.get("people", ""))
    employees: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    if "employees" in found:
        _assemble_employees(reader, raw, employees, index, people, found["employees"], specs["employees"])
    raw["employees"] = employees
    for sheet_id in ("absences", "kpis", "competencies", "ranking", "survey_360", "decisions", "votes",
                     "workflow", "acquaintance", "calibration"):
        if sheet_id in found:
            _assemble_child(reader, sheet_id, specs[sheet_id], found[sheet_id], employees, index, people)
    return raw


def _assemble_people(reader: _Assembler, raw: dict[str, Any],
                     people: dict[str, tuple[dict[str, Any], Record]], title: str) -> None:
    hr = [(p, rec) for p, rec in people.values() if p.get("hr") is True]
    if title and len(hr) != 1:
        reader.add(reader.where(title), "input.one_hr", count=len(hr))
    if hr:
        person, (row, cells) = hr[0]
        raw["hr"] = _person_part(person)
        reader.mark(("hr",), title, str(row))
        for code in _PERSON_FIELDS:
            if code in cells:
                reader.mark(("hr", code), title, cells[code][1])
    members = [(p, rec) for p, rec in people.values() if "commission_role" in p]
    for position, (person, (row, cells)) in enumerate(members):
        path: ModelPath = ("commission", "members", position)
        raw.setdefault("commission", {}).setdefault("members", []).append(
            {**_person_part(person), "role": person["commission_role"]})
        reader.mark(path, title, str(row))
        for code in (*_PERSON_FIELDS, "commission_role"):
            if code in cells:
                reader.mark(path + ("role" if code == "commission_role" else code,), title, cells[code][1])
    approvers = [(p, rec) for p, rec in people.values() if p.get("approves") is True]
    if len(approvers) > 1:
        reader.add(reader.where(title), "input.one_approver", count=len(approvers))
    if approvers:
        person, (row, _cells) = approvers[0]
        raw.setdefault("commission", {})["approved_by"] = _person_part(person)
        reader.mark(("commission", "approved_by"), title, str(row))
    commission = raw.get("commission")
    if commission is not None:
        commission.setdefault("members", [])
        if "sitting" in commission:
            commission["sitting"].setdefault("present", [])


def _assemble_employees(reader: _Assembler, raw: dict[str, Any], employees: list[dict[str, Any]],
                        index: dict[str, int], people: dict[str, tuple[dict[str, Any], Record]],
                        title: str, spec: SheetSpec) -> None:
    columns = {c.code: c for c in spec.columns}
    rows = reader.records(spec, title)
    for position, record in enumerate(rows):
        base: ModelPath = ("employees", position)
        employee = reader.row_fields(title, base, record, columns)
        employees.append(employee)
        index.setdefault(str(employee.get("id", "")), position)
    by_id = {str(e.get("id", "")): _person_part(e) for e in employees}
    for position, (row, cells) in enumerate(rows):
        for code in ("direct_manager", "superior"):
            ident = employees[position].get(code)
            if ident is None:
                continue
            person = people[ident][0] if ident in people else by_id.get(ident)
            if person is None:
                reader.add(reader.where(title, cells[code][1]), "input.unknown_person", None,
                           person=ident, sheet=PEOPLE.title)
                employees[position].pop(code)
            else:
                employees[position][code] = _person_part(person)


_SINGLE = {"decisions": "decision", "workflow": "workflow", "acquaintance": "acquaintance",
           "calibration": "calibration"}
_LISTS = {"absences": "absences", "kpis": "kpis", "competencies": "competencies", "ranking": "ranking"}


def _assemble_child(reader: _Assembler, sheet_id: str, spec: SheetSpec, title: str,
                    employees: list[dict[str, Any]], index: dict[str, int],
                    people: dict[str, tuple[dict[str, Any], Record]]) -> None:
    columns = {c.code: c for c in spec.columns}
    seen: dict[str, int] = {}
    for record in reader.records(spec, title):
        row, cells = record
        ident_raw, ident_ref = cells.get("employee", (None, f"A{row}"))
        ident = reader.convert(None, "text", ident_raw)
        if ident not in index:
            reader.add(reader.where(title, ident_ref), "input.unknown_employee", None,
                       employee=ident or "—", sheet=EMPLOYEES_TITLE)
            continue
        position = index[ident]
        employee = employees[position]
        base: ModelPath = ("employees", position)
        if sheet_id in _LISTS:
            items = employee.setdefault(_LISTS[sheet_id], [])
            items.append(reader.row_fields(title, base + (_LISTS[sheet_id], len(items)), record, columns,
                                           skip=("employee",)))
        elif sheet_id in _SINGLE:
            if ident in seen:
                reader.add(reader.where(title, ident_ref), "input.duplicate_id", None, id=ident,
                           first=reader.where(title, str(seen[ident])))
                continue
            seen[ident] = row
            target = _SINGLE[sheet_id]
            fields = reader.row_fields(title, base + (target,), record, columns, skip=("employee",))
            if target == "acquaintance":
                fields = _resolve_people(reader, fields, "witnesses", people, employees, title, cells)
            if target == "calibration":
                fields = _resolve_people(reader, fields, "participants", people, employees, title, cells)
            employee[target] = {**employee.get(target, {}), **fields}
        elif sheet_id == "votes":
            decision = employee.setdefault("decision", {})
            votes = decision.setdefault("votes", [])
            votes.append(reader.row_fields(title, base + ("decision", "votes", len(votes)), record, columns,
                                           skip=("employee",)))
        else:
            _assemble_survey(reader, employee, base, record, columns, title)


def _resolve_people(reader: _Assembler, fields: dict[str, Any], key: str,
                    people: dict[str, tuple[dict[str, Any], Record]], employees: list[dict[str, Any]],
                    title: str, cells: dict[str, Cell]) -> dict[str, Any]:
    if key not in fields:
        return fields
    by_id = {str(e.get("id", "")): e for e in employees}
    resolved = []
    for ident in fields[key]:
        person = people[ident][0] if ident in people else by_id.get(ident)
        if person is None:
            reader.add(reader.where(title, cells[key][1]), "input.unknown_person", None, person=ident,
                       sheet=PEOPLE.title)
        else:
            resolved.append(_person_part(person))
    return {**fields, key: resolved}


def _assemble_survey(reader: _Assembler, employee: dict[str, Any], base: ModelPath, record: Record,
                     columns: dict[str, Column], title: str) -> None:
    survey = employee.setdefault("survey_360", {})
    _row, cells = record
    relation_raw = cells.get("relation", (None, ""))[0]
    relation = reader.convert(columns["relation"], "choice", relation_raw)
    if relation == "self":
        path = base + ("survey_360", "self_assessment")
        fields = reader.row_fields(title, path, record, columns, skip=("employee", "relation"))
        survey.setdefault("self_assessment", {}).update(fields.get("scores", {}))
        for code, (_raw, ref) in cells.items():
            if code.startswith("scores."):
                reader.mark(path + (code.split(".", 1)[1],), title, ref)
        return
    respondents = survey.setdefault("respondents", [])
    path = base + ("survey_360", "respondents", len(respondents))
    fields = reader.row_fields(title, path, record, columns, skip=("employee",))
    for code, (_raw, ref) in cells.items():
        if code.startswith("scores."):
            reader.mark(path + ("scores", code.split(".", 1)[1]), title, ref)
    fields.setdefault("scores", {})
    respondents.append(fields)


def read_xlsx(path: Any, data: bytes) -> tuple[dict[str, Any], Source, list[Issue]]:
    """Parse workbook bytes: the plain data, its :class:`Source` and the layout issues found."""
    source = Source(path=path, kind="xlsx")
    reader = _Assembler(source, _load_sheets(source, data))
    raw = _build(reader)
    return raw, source, reader.issues
