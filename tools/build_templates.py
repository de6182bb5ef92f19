"""Build every form template (templates_kk/*.docx, templates_ru/*.docx) with python-docx.

One definition per form id below; wording comes from ``pipeline/terms.yaml``. A label that
some profile overrides is written as the tag ``{{ L.<key> }}`` (filled from the context); every
other label is written as fixed text, so the DOCX stays readable and hand-editable in Word or
LibreOffice. Both languages are built from the same definition: same tables, rows, columns and
tags. Layout: A4, margins 2/2/3/1.5 cm, Times New Roman 14 (tables 12), table header rows
repeated on every page.

    python tools/build_templates.py            # rebuild all
    python tools/build_templates.py kpi_sheet  # rebuild some
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import yaml
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

ROOT = Path(__file__).resolve().parent.parent
TERMS = ROOT / "pipeline" / "terms.yaml"
LANGS = ("kk", "ru")
FONT = "Times New Roman"
RIGHT_BLOCK_INDENT = Cm(9.0)                 # portrait; landscape sheets indent by half the body + 0.75 cm
NARROW_CELL_MARGIN = Cm(0.1)                # left/right cell margin of the wide quarterly tables
BLANK = "{{ B }}"
FIXED_TIME = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)   # the context's blank line


class Builder:
    """Writes one form in one language into a python-docx Document."""

    def __init__(self, form: str, lang: str, terms: dict, *, landscape: bool = False) -> None:
        self.form = form
        self.lang = lang
        self.terms = terms
        self.doc = Document()
        self._page(landscape)
        self._styles()
        self.body_width = (29.7 if landscape else 21.0) - 3.0 - 1.5
        self.right_indent = Cm(self.body_width / 2 + 0.75) if landscape else RIGHT_BLOCK_INDENT
        # python-docx's default template starts with one empty paragraph: reuse it
        self._first: Paragraph | None = self.doc.paragraphs[0] if self.doc.paragraphs else None

    # --- setup -------------------------------------------------------------------------
    def _page(self, landscape: bool) -> None:
        section = self.doc.sections[0]
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Cm(29.7), Cm(21.0)
        section.top_margin = section.bottom_margin = Cm(2)
        section.left_margin, section.right_margin = Cm(3), Cm(1.5)
        section.header_distance = section.footer_distance = Cm(1.25)

    @staticmethod
    def _fonts(style, size: float) -> None:
        style.font.name = FONT
        style.font.size = Pt(size)
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.insert(0, fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), FONT)
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)

    def _styles(self) -> None:
        styles = self.doc.styles
        normal = styles["Normal"]
        self._fonts(normal, 14)
        normal.element.get_or_add_rPr().find(qn("w:lang")).set(qn("w:val"), "kk-KZ" if self.lang == "kk" else "ru-RU")
        pf = normal.paragraph_format
        pf.space_before = pf.space_after = Pt(0)
        pf.line_spacing = 1.0
        for name, size in (("Table Text", 12), ("Caption Line", 10)):
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = normal
            self._fonts(style, size)

    # --- wording -----------------------------------------------------------------------
    def overridden(self, key: str) -> bool:
        return any(key in forms.get(self.form, {}) for forms in self.terms.get("profiles", {}).values())

    def label(self, key: str) -> str:
        """Fixed text in this language, or ``{{ L.key }}`` if some profile overrides it."""
        if self.overridden(key):
            return "{{ L." + key + " }}"
        entry = self.terms["forms"][self.form]["labels"].get(key) or self.terms["common"][key]
        return entry[self.lang]

    # --- blocks ------------------------------------------------------------------------
    def para(self, text: str = "", *, align=None, bold: bool = False, style: str | None = None,
             indent=None, before: float = 0, after: float = 0, keep: bool = False,
             italic: bool = False) -> Paragraph:
        if self._first is not None:
            paragraph, self._first = self._first, None
            if style:
                paragraph.style = self.doc.styles[style]
        else:
            paragraph = self.doc.add_paragraph(style=style)
        if text:
            run = paragraph.add_run(text)
            run.bold = bold or None
            run.italic = italic or None
        fmt = paragraph.paragraph_format
        if align is not None:
            fmt.alignment = align
        if indent is not None:
            fmt.left_indent = indent
        fmt.space_before, fmt.space_after = Pt(before), Pt(after)
        if keep:
            fmt.keep_with_next = True
        return paragraph

    def tag(self, text: str) -> None:
        """A paragraph holding only a block tag ({%p ... %}); the renderer removes it."""
        self.para(text)

    def appendix_header(self) -> None:
        self.tag("{%p if appendix_header %}")
        self.para("{{ appendix_header }}", indent=self.right_indent, style="Table Text")
        self.para(self.label("form_word"), indent=self.right_indent, before=6, style="Table Text")
        self.tag("{%p endif %}")

    def approval(self) -> None:
        self.tag("{%p if approver %}")
        self.para(self.label("approve"), indent=self.right_indent, before=12)
        self.para("{{ approver.label }}", indent=self.right_indent)
        self.para("{{ approver.name }}", indent=self.right_indent, before=6)
        self.para(self.label("name_caption"), indent=self.right_indent, style="Caption Line")
        self.para(f"{self.label('date_word')} {{{{ approver.date }}}}", indent=self.right_indent)
        self.para(f"{self.label('sign_word')} {BLANK}", indent=self.right_indent)
        self.tag("{%p endif %}")

    def title(self, text: str, *, before: float = 12) -> None:
        self.para(text, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, before=before, after=6, keep=True)

    def line_with_caption(self, value: str, caption: str) -> None:
        self.para(value, align=WD_ALIGN_PARAGRAPH.CENTER, before=6)
        self.para(caption, align=WD_ALIGN_PARAGRAPH.CENTER, style="Caption Line")

    def field(self, label_key: str, value: str) -> None:
        self.para(f"{self.label(label_key)} {value}", after=2)

    def footnote(self, key: str) -> None:
        self.para(self.label(key), style="Table Text", before=6)

    def page_break(self) -> None:
        self.para().add_run().add_break(WD_BREAK.PAGE)

    # --- tables ------------------------------------------------------------------------
    def table(self, header: list[list[tuple[str, int]]], widths: list[float], *,
              loop: str | None = None, body: list[str | list[str]] | None = None,
              static_rows: list[list[str]] = (), footer_rows: list[list[tuple[str, int]]] = (),
              borders: bool = True, header_repeat: bool = True, bold_header: bool = True,
              narrow: bool = False) -> Table:
        """A table: header rows (text, column span), then an optional ``{%tr for %}`` row.

        A header cell whose text is ``None`` continues the cell above it (vertical merge), as the
        two-row headers of the 2023 sheets print «№», «НМИ атауы» … across both rows.
        ``narrow``: 0.1 cm cell margins and the last header row (the quarter labels) in 10 pt, so
        eight quarter columns fit a landscape A4 without breaking a word.
        """
        ncols = len(widths)
        scale = self.body_width / sum(widths)
        widths = [w * scale for w in widths]
        table = self.doc.add_table(rows=0, cols=ncols)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        if borders:
            table.style = self.doc.styles["Table Grid"]
        self._fixed_layout(table, widths)
        table.autofit = False
        if narrow:
            self._cell_margins(table, NARROW_CELL_MARGIN)
        for index, spec in enumerate(header):
            small = narrow and len(header) > 1 and index == len(header) - 1
            row = self._row(table, widths)
            col = 0
            for text, span in spec:
                cell = row.cells[col]
                if span > 1:
                    cell = cell.merge(row.cells[col + span - 1])
                if text is None:
                    above = table.rows[len(table.rows) - 2].cells[col]
                    above.merge(cell)
                else:
                    self._cell_text(cell, text, bold=bold_header, center=True,
                                    style="Caption Line" if small else "Table Text")
                col += span
            if header_repeat:
                self._row_flag(row, "w:tblHeader")
        for tc in table._tbl.iter(qn("w:tc")):
            if tc.tcPr is not None and tc.tcPr.find(qn("w:vMerge")) is not None:
                self._v_center(tc)
        for values in static_rows:
            row = self._row(table, widths)
            for cell, text in zip(row.cells, values):
                self._cell_text(cell, text)
        if loop:
            self._cell_text(self._row(table, widths).cells[0], "{%tr for " + loop + " %}")
            row = self._row(table, widths)
            self._row_flag(row, "w:cantSplit")
            for cell, value in zip(row.cells, body or []):
                self._cell_text(cell, value)
            self._cell_text(self._row(table, widths).cells[0], "{%tr endfor %}")
        for spec in footer_rows:
            row = self._row(table, widths)
            col = 0
            for text, span in spec:
                cell = row.cells[col]
                if span > 1:
                    cell = cell.merge(row.cells[col + span - 1])
                self._cell_text(cell, text)
                col += span
        self._first = None
        return table

    @staticmethod
    def _fixed_layout(table: Table, widths: list[float]) -> None:
        """Fixed layout with explicit grid widths (LibreOffice sizes columns from w:tblGrid)."""
        width = table._tbl.tblPr.find(qn("w:tblW"))
        width.set(qn("w:w"), str(int(sum(Cm(w) for w in widths) / 635)))
        width.set(qn("w:type"), "dxa")
        for col, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths):
            col.set(qn("w:w"), str(int(Cm(w) / 635)))

    @staticmethod
    def _row(table: Table, widths: list[float]):
        row = table.add_row()
        for cell, width in zip(row.cells, widths):
            cell.width = Cm(width)
        return row

    @staticmethod
    def _v_center(tc) -> None:
        """Vertically centre a merged header cell (``w:vAlign`` after ``w:vMerge``, schema order)."""
        align = OxmlElement("w:vAlign")
        align.set(qn("w:val"), "center")
        tc.tcPr.append(align)

    @staticmethod
    def _row_flag(row, name: str) -> None:
        tr_pr = row._tr.get_or_add_trPr()
        flag = OxmlElement(name)
        tr_pr.append(flag)

    @staticmethod
    def _cell_margins(table: Table, margin) -> None:
        """Left/right cell margins of the whole table (``w:tblCellMar`` after ``w:tblLayout``)."""
        margins = OxmlElement("w:tblCellMar")
        for side in ("w:left", "w:right"):
            edge = OxmlElement(side)
            edge.set(qn("w:w"), str(int(margin / 635)))
            edge.set(qn("w:type"), "dxa")
            margins.append(edge)
        tbl_pr = table._tbl.tblPr
        layout = tbl_pr.find(qn("w:tblLayout"))
        if layout is not None:
            layout.addnext(margins)
        else:
            tbl_pr.append(margins)

    def _cell_text(self, cell, text: str | list[str], *, bold: bool = False, center: bool = False,
                   style: str = "Table Text") -> None:
        lines = text if isinstance(text, list) else [text]
        first = cell.paragraphs[0]
        for index, line in enumerate(lines):
            paragraph = first if index == 0 else cell.add_paragraph()
            paragraph.style = self.doc.styles[style]
            if center:
                paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if line:
                run = paragraph.add_run(line)
                run.bold = bold or None

    def signers(self, *, before: float = 18) -> None:
        """The signature lines of everyone in ``signers`` (label, name, date, signature)."""
        self.para(before=before)
        self.table(
            header=[], widths=[9.0, 7.5], loop="s in signers", borders=False,
            body=[
                ["{{ s.label }}", "{{ s.name }}", self.label("name_caption")],
                ["", f"{self.label('date_word')} {{{{ s.date }}}}", f"{self.label('sign_word')} {BLANK}"],
            ],
        )

    def save(self, path: Path) -> None:
        props = self.doc.core_properties
        props.title = self.form
        props.author = "qujat"
        props.comments = "Built by tools/build_templates.py from pipeline/terms.yaml"
        props.language = "kk-KZ" if self.lang == "kk" else "ru-RU"
        props.created = props.modified = FIXED_TIME
        props.revision = 1
        buffer = io.BytesIO()
        self.doc.save(buffer)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_reproducible_zip(buffer.getvalue()))


def _reproducible_zip(data: bytes) -> bytes:
    """The same package with fixed member timestamps, so a rebuild gives identical bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(member, src.read(info.filename))
    return out.getvalue()


# --- form definitions ----------------------------------------------------------------------

def employee_fields(b: Builder) -> None:
    b.field("field_name", "{{ employee.full_name }}")
    b.field("field_position", "{{ employee.position }}")
    b.field("field_unit", "{{ employee.unit }}")


def approved_heading(b: Builder, *lines: tuple[str, str]) -> None:
    """Appendix line, approval block and title, then each ``(value, caption label key)`` line."""
    b.appendix_header()
    b.approval()
    b.title(b.label("title"))
    for value, caption in lines:
        b.line_with_caption(value, b.label(caption))


PERSON = ("{{ employee.full_name }}, {{ employee.position }}", "person_caption")
PERIOD = ("{{ period.text }}", "period_caption")


def work_plan(b: Builder) -> None:
    approved_heading(b, (f"{{{{ period.text }}}} {b.label('year_word')}", "period_caption"))
    b.para(before=6)
    employee_fields(b)
    b.para(before=6)
    b.table(
        header=[[(b.label(k), 1) for k in ("col_no", "col_kpi", "col_source", "col_unit",
                                            "col_planned", "col_due", "col_result")]],
        widths=[1.0, 3.5, 4.0, 1.8, 1.8, 2.0, 2.8],
        loop="k in kpis",
        body=["{{ k.n }}", "{{ k.title }}", "{{ k.source }}", "{{ k.unit }}", "{{ k.planned }}",
              "{{ k.due }}", "{{ k.key_result }}"],
    )
    b.footnote("footnote")
    b.signers()


def kpi_sheet(b: Builder) -> None:
    approved_heading(b, PERSON, PERIOD)
    b.para(before=6)
    b.table(
        header=[[(b.label(k), 1) for k in ("col_no", "col_kpi", "col_unit", "col_planned",
                                            "col_actual", "col_met")]],
        widths=[1.0, 5.5, 2.2, 2.2, 2.2, 3.5],
        loop="k in kpis",
        body=["{{ k.n }}", "{{ k.title }}", "{{ k.unit }}", "{{ k.planned }}", "{{ k.actual }}",
              "{{ k.met_text }}"],
    )
    b.para(f"{b.label('result_label')} {{{{ result.grade }}}}", before=12)
    b.para(b.label("result_caption"), style="Caption Line", align=WD_ALIGN_PARAGRAPH.CENTER)
    b.signers()


def competency_sheet(b: Builder) -> None:
    b.appendix_header()
    b.approval()
    b.title(f"{b.label('title')} {{{{ period.text }}}} {b.label('year_word')}")
    b.para(b.label("period_caption"), style="Caption Line", align=WD_ALIGN_PARAGRAPH.CENTER)
    b.para(before=6)
    employee_fields(b)
    b.para(before=6)
    b.table(
        header=[[(b.label(k), 1) for k in ("col_no", "col_competency", "col_result", "col_unobserved")]],
        widths=[1.0, 4.5, 4.5, 6.5],
        loop="c in competencies",
        body=["{{ c.n }}", "{{ c.label }}", "{{ c.result }}",
              "{{ c.unobserved }}"],
    )
    b.tag("{%p if L.footnote %}")
    b.para("{{ L.footnote }}", style="Table Text", before=6)
    b.tag("{%p endif %}")
    b.signers()
    b.tag("{%p if indicators.rows %}")
    b.page_break()
    b.title(b.label("indicators_title"), before=0)
    b.para("{{ indicators.group }}", align=WD_ALIGN_PARAGRAPH.CENTER, after=6)
    b.tag("{%p endif %}")
    b.table(
        header=[[(b.label(k), 1) for k in ("ind_competency", "ind_category", "ind_effective",
                                            "ind_ineffective")]],
        widths=[3.5, 3.0, 5.0, 5.0],
        loop="r in indicators.rows",
        body=["{% vm %}{{ r.label }}", "{% vm %}{{ r.category }}", "{{ r.effective }}", "{{ r.ineffective }}"],
    )


def commission_signers(b: Builder) -> None:
    b.table(
        header=[], widths=[5.0, 7.0, 4.5], loop="s in signers", borders=False,
        body=["{{ s.label }}:", ["{{ s.name }}", b.label("name_sign_caption")],
              f"{b.label('date_colon')} {{{{ s.date }}}}"],
    )


def commission_protocol(b: Builder) -> None:
    approved_heading(b, ("{{ organisation.name }}", "org_caption"), PERIOD)
    b.para(b.label("subtitle"), align=WD_ALIGN_PARAGRAPH.CENTER, before=12, after=6, keep=True)
    b.table(
        header=[[(b.label(k), 1) for k in ("col_no", "col_name", "col_info", "col_correction",
                                            "col_recommendation")]],
        widths=[1.2, 4.5, 4.0, 3.8, 3.5],
        loop="r in rows",
        body=["{{ r.n }}.", "{{ r.name }}", ["{{ r.info }}", "{{ r.detail }}"], "{{ r.correction }}",
              "{{ r.recommendation }}"],
    )
    conclusion = f"{b.label('conclusion')} {{{{ commission.conclusion }}}}"
    order = [conclusion, b.label("checked")] if b.lang == "kk" else [b.label("checked"), conclusion]
    b.para(order[0], before=12)
    b.para(order[1], after=6)
    commission_signers(b)


def refusal_act(b: Builder) -> None:
    b.title(b.label("title"), before=0)
    b.para(f"{b.label('date_label')} {{{{ act.date }}}}", before=12)
    b.para(f"{b.label('place_label')} {{{{ act.place }}}}", after=6)
    b.para(f"{b.label('body')} {{{{ employee.full_name }}}} ({{{{ employee.position }}}}, "
           f"{{{{ employee.unit }}}}) {b.label('body_refused')}",
           align=WD_ALIGN_PARAGRAPH.JUSTIFY, before=6, after=6)
    b.field("field_period", "{{ period.text }}")
    b.field("field_grade", "{{ result.grade }}")
    b.field("field_clause", "{{ act.basis }}")
    b.signers()


def schedule_notice(b: Builder) -> None:
    b.appendix_header()
    b.approval()
    b.title(b.label("title"))
    b.para("{{ organisation.name }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    b.para("{{ period.text }}", align=WD_ALIGN_PARAGRAPH.CENTER, after=6)
    b.para(b.label("intro"), align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6)
    b.table(
        header=[[(b.label(k), 1) for k in ("col_no", "col_stage", "col_employee", "col_due", "col_clause")]],
        widths=[1.0, 7.0, 4.0, 2.8, 2.2],
        loop="d in schedule",
        body=["{{ d.n }}", "{{ d.label }}", "{{ d.employee }}", "{{ d.due }}", "{{ d.clause }}"],
    )
    b.signers()


def results_acquaintance(b: Builder) -> None:
    b.appendix_header()
    b.title(b.label("title"))
    employee_fields(b)
    b.field("field_period", "{{ period.text }}")
    b.field("field_grade", "{{ result.grade }}")
    b.tag("{%p if result.score %}")
    b.field("field_score", "{{ result.score }}")
    b.tag("{%p endif %}")
    b.para(b.label("acquainted"), before=12)
    b.signers()


def results_notice(b: Builder) -> None:
    b.appendix_header()
    b.para("{{ employee.full_name }}", indent=b.right_indent)
    b.para("{{ employee.position }}", indent=b.right_indent)
    b.title(b.label("title"))
    b.para(f"{b.label('greeting')} {{{{ employee.full_name }}}}!", align=WD_ALIGN_PARAGRAPH.CENTER, after=6)
    b.para(b.label("body"), align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6)
    b.field("field_period", "{{ period.text }}")
    b.field("field_grade", "{{ result.grade }}")
    b.tag("{%p if result.score %}")
    b.field("field_score", "{{ result.score }}")
    b.tag("{%p endif %}")
    b.para(b.label("appeal"), align=WD_ALIGN_PARAGRAPH.JUSTIFY, before=6)
    b.signers()


def quarters(b: Builder) -> list[tuple[str, int]]:
    """The four quarter column headings."""
    return [(b.label(f"quarter_{q}"), 1) for q in (1, 2, 3, 4)]


def per_quarter(field: str) -> list[str]:
    """The four quarter cells of a KPI row list: ``{{ k.<field>[0] }}`` to ``{{ k.<field>[3] }}``."""
    return ["{{ k." + field + f"[{q}]" + " }}" for q in range(4)]


def head_or_staff(head: str, staff: str) -> str:
    """Text that reads ``head`` for a head of unit and ``staff`` for anyone else."""
    return "{% if employee.is_head %}" + head + "{% else %}" + staff + "{% endif %}"


def work_plan_head(b: Builder) -> None:
    approved_heading(b, (f"{{{{ period.text }}}} {b.label('year_word')}", "period_caption"))
    b.para(before=6)
    employee_fields(b)
    b.para(before=6)
    b.table(
        header=[[(b.label("col_no"), 1), (b.label("col_kpi"), 1), (b.label("col_source"), 1),
                 (b.label("col_unit"), 1), (b.label("col_planned"), 4), (b.label("col_due"), 4),
                 (b.label("col_result"), 1)],
                [(None, 1)] * 4 + quarters(b) + quarters(b) + [(None, 1)]],
        widths=[1.0, 3.1, 3.6, 2.3] + [1.6] * 8 + [2.4], narrow=True,
        loop="k in kpis",
        body=["{{ k.n }}", "{{ k.title }}", "{{ k.source }}", "{{ k.unit }}"]
        + per_quarter("planned_q") + per_quarter("due_q") + ["{{ k.key_result }}"],
    )
    b.footnote("footnote")
    b.signers()


def kpi_sheet_head(b: Builder) -> None:
    approved_heading(b, PERSON, PERIOD)
    b.para(before=6)
    b.table(
        header=[[(b.label("col_no"), 1), (b.label("col_kpi"), 1), (b.label("col_unit"), 1),
                 (b.label("col_planned"), 4), (b.label("col_actual"), 4)],
                [(None, 1)] * 3 + quarters(b) + quarters(b)],
        widths=[1.0, 8.6, 2.3] + [1.6] * 8, narrow=True,
        loop="k in kpis",
        body=["{{ k.n }}", "{{ k.title }}", "{{ k.unit }}"]
        + per_quarter("planned_q") + per_quarter("actual_q"),
    )
    b.para(b.label("continuation"), before=12, after=6, keep=True)
    b.table(
        header=[[(b.label("col_no"), 1), (b.label("col_percent"), 4), (b.label("col_score"), 4)],
                [(None, 1)] + quarters(b) + quarters(b)],
        widths=[1.0] + [3.0] * 8, narrow=True,
        loop="k in kpis",
        body=["{{ k.n }}"] + per_quarter("percent_q") + per_quarter("score_q"),
    )
    b.para(f"{b.label('total_label')} {{{{ result.score }}}}", before=12)
    b.para(b.label("total_caption"), style="Caption Line")
    b.para(f"{b.label('result_label')} {{{{ result.grade }}}}", before=6)
    b.para(b.label("result_caption"), style="Caption Line")
    b.para(b.label("result_basis"), before=6)
    b.signers()


def ranking_sheet(b: Builder) -> None:
    b.appendix_header()
    b.title(b.label("title"))
    b.field("field_evaluee", "{{ employee.full_name }}")
    b.field("field_evaluator", "{{ evaluator.full_name }}")
    b.field("field_period", "{{ period.text }}")
    b.para(b.label("intro_1"), align=WD_ALIGN_PARAGRAPH.JUSTIFY, before=6)
    b.para(b.label("intro_2"), align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    b.para(b.label("intro_3"), align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6)
    b.table(
        header=[[(b.label(k), 1) for k in ("col_parameter", "col_criteria", "col_score", "col_comment")]],
        widths=[4.0, 6.5, 2.5, 3.5],
        loop="p in parameters",
        body=["{{ p.n }}. {{ p.label }}", "{{ p.criteria }}", "{{ p.score }}", ""],
        footer_rows=[[(b.label("mean_row"), 2), ("{{ result.score }}", 1), ("", 1)]],
    )
    b.para(b.label("note"), style="Table Text", before=6)
    b.para(b.label("quarters_title"), before=12, after=6, keep=True)
    b.table(
        header=[[(b.label("col_quarter"), 1), (b.label("col_quarter_score"), 1)]],
        widths=[8.0, 8.5],
        loop="q in quarter_rows",
        body=["{{ q.label }}", "{{ q.score }}"],
    )
    b.para(f"{b.label('result_label')} {{{{ result.grade }}}}", before=12)
    b.para(b.label("result_caption"), style="Caption Line")
    b.para(b.label("result_basis"), before=6)
    b.para(f"{b.label('justification')} {BLANK}", before=6)
    b.signers()


def survey_360(b: Builder) -> None:
    b.appendix_header()
    b.title(b.label("title"))
    b.field("field_evaluee", "{{ employee.full_name }}")
    b.para(b.label("dear"), align=WD_ALIGN_PARAGRAPH.CENTER, before=6)
    for key in ("intro_1", "intro_note", "intro_help", "intro_2", "intro_3", "intro_fill"):
        b.para(b.label(key), align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=3)
    b.table(
        header=[[(b.label(k), 1) for k in ("col_no", "col_competency", "col_questions", "col_answers")]],
        widths=[1.2, 4.3, 8.0, 3.0],
        loop="c in survey_competencies",
        body=["{{ c.n }}", "{{ c.label }}",
              "{{ c.questions }}", ""],
    )
    b.para(b.label("note"), style="Table Text", before=6)


def survey_360_report(b: Builder) -> None:
    b.appendix_header()
    b.title(head_or_staff(b.label("title_head"), b.label("title_staff")))
    b.field("field_evaluee", "{{ employee.full_name }}")
    b.field("field_respondents", "{{ survey.respondents }}")
    b.para(before=6)
    b.table(
        header=[[(b.label("col_no"), 1), (b.label("col_competency"), 1),
                 (head_or_staff(b.label("col_score"), b.label("col_score_staff")), 1)]],
        widths=[1.2, 9.0, 6.3],
        loop="c in survey_results",
        body=["{{ c.n }}", "{{ c.label }}", "{{ c.score }}"],
    )
    b.para(b.label("note"), style="Table Text", before=6)
    b.para(f"{b.label('result_label')} {b.label('result_text')}", before=12)


def calibration_protocol(b: Builder) -> None:
    b.appendix_header()
    b.approval()
    b.title(b.label("title"))
    b.line_with_caption("{{ organisation.name }}", b.label("org_caption"))
    b.para(before=6)
    b.field("field_employee", "{{ employee.full_name }}")
    b.field("field_position", "{{ employee.position }}")
    b.field("field_period", "{{ period.text }}")
    b.field("field_applied", "{{ calibration.applied_on }}")
    b.field("field_held", "{{ calibration.held_on }}")
    b.field("field_initial", "{{ result.initial_grade }}")
    b.field("field_proposed", "{{ calibration.proposed_grade }}")
    b.field("field_votes", "{{ calibration.votes }}")
    b.field("field_final", "{{ result.grade }}")
    b.para(b.label("participants"), align=WD_ALIGN_PARAGRAPH.CENTER, before=12, after=6, keep=True)
    b.table(
        header=[[(b.label(k), 1) for k in ("col_no", "col_name", "col_position", "col_sign")]],
        widths=[1.2, 6.0, 5.8, 3.5],
        loop="p in calibration.participants",
        body=["{{ p.n }}", "{{ p.name }}", "{{ p.position }}", ""],
    )
    b.signers()


FORMS: dict[str, tuple[Callable[[Builder], None], bool]] = {
    "work_plan": (work_plan, False),
    "kpi_sheet": (kpi_sheet, False),
    "competency_sheet": (competency_sheet, False),
    "commission_protocol": (commission_protocol, False),
    "refusal_act": (refusal_act, False),
    "schedule_notice": (schedule_notice, False),
    "results_acquaintance": (results_acquaintance, False),
    "results_notice": (results_notice, False),
    "work_plan_head": (work_plan_head, True),
    "kpi_sheet_head": (kpi_sheet_head, True),
    "ranking_sheet": (ranking_sheet, False),
    "survey_360_head": (survey_360, False),
    "survey_360_staff": (survey_360, False),
    "survey_360_report": (survey_360_report, False),
    "calibration_protocol": (calibration_protocol, False),
}
"""form id -> (definition, landscape)"""


def build(forms: list[str] | None = None, root: Path = ROOT) -> list[Path]:
    """Build the templates of ``forms`` (all by default) in both languages; return the paths."""
    terms = yaml.safe_load(TERMS.read_text(encoding="utf-8"))
    written = []
    for form in forms or list(FORMS):
        define, landscape = FORMS[form]
        for lang in LANGS:
            builder = Builder(form, lang, terms, landscape=landscape)
            define(builder)
            path = root / f"templates_{lang}" / f"{form}.docx"
            builder.save(path)
            written.append(path)
    return written


if __name__ == "__main__":
    for written_path in build(sys.argv[1:] or None):
        print(written_path.relative_to(ROOT))
