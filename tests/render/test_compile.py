"""CompiledTemplate: split-run tags, row loops, escaping, raw-copied members, errors."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from pipeline.errors import TemplateError
from pipeline.ooxml.ns import qn
from pipeline.ooxml.xml import parse_xml
from pipeline.render.compile import CompiledTemplate

from .builders import row_loop_table, runs

HOSTILE = ["{{7*7}}", "<w:p>", "A & B", 'say "hi"', "it's", "]]>", "{% if %}", "&amp;"]


def _document_text(data: bytes) -> str:
    root = parse_xml(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    return "".join(t.text or "" for t in root.iter(qn("w:t")))


def _context(rows: int = 3, **extra):
    context = {"employee": "Әсел Нұрланқызы", "dept": "Бөлім",
               "rows": [{"name": f"Көрсеткіш {i}", "score": i} for i in range(rows)], "total": rows}
    context.update(extra)
    return context


@pytest.fixture
def plan(make_template) -> Path:
    def fill(document):
        paragraph = document.add_paragraph()
        runs(paragraph, "Қызметкер: {", "{ empl", "oyee }", "}, бөлім {{ dept }}.")
        row_loop_table(document)
        runs(document.add_paragraph(), "{%p if note is defined %}")
        document.add_paragraph("Ескерту: {{ note }}")
        runs(document.add_paragraph(), "{%p endif %}")
        document.sections[0].header.paragraphs[0].text = "Header {{ employee }}"
    return make_template("plan.docx", fill)


def test_tags_split_across_runs_are_merged(plan: Path) -> None:
    template = CompiledTemplate.load(plan)
    assert [tag.canonical for tag in template.tags][:2] == ["{{ employee }}", "{{ dept }}"]
    rendered = docx.Document(io.BytesIO(template.render(_context())))
    assert rendered.paragraphs[0].text == "Қызметкер: Әсел Нұрланқызы, бөлім Бөлім."
    assert rendered.sections[0].header.paragraphs[0].text == "Header Әсел Нұрланқызы"


def test_tags_split_inside_braces_and_percent(make_template) -> None:
    def fill(document):
        runs(document.add_paragraph(), "{", "%", " if ok %", "}", "yes", "{", "% else %}no{% end", "if %", "}")
    template = CompiledTemplate.load(make_template("split.docx", fill))
    assert _document_text(template.render({"ok": True})) == "yes"
    assert _document_text(template.render({"ok": False})) == "no"


def test_row_loop_renders_200_rows(plan: Path) -> None:
    template = CompiledTemplate.load(plan)
    rendered = docx.Document(io.BytesIO(template.render(_context(rows=200))))
    table = rendered.tables[0]
    assert len(table.rows) == 1 + 200 + 1
    assert [cell.text for cell in table.rows[1].cells] == ["1", "Көрсеткіш 0", "0"]
    assert [cell.text for cell in table.rows[200].cells] == ["200", "Көрсеткіш 199", "199"]
    assert table.rows[-1].cells[2].text == "200"


def test_paragraph_if_removes_whole_paragraphs(plan: Path) -> None:
    template = CompiledTemplate.load(plan)
    without = [p.text for p in docx.Document(io.BytesIO(template.render(_context()))).paragraphs]
    with_note = [p.text for p in docx.Document(io.BytesIO(template.render(_context(note="N")))).paragraphs]
    assert "Ескерту: N" in with_note
    assert not any("Ескерту" in text for text in without)
    assert len(with_note) == len(without) + 1


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_appear_literally(plan: Path, value: str) -> None:
    template = CompiledTemplate.load(plan)
    data = template.render(_context(employee=value, rows=1))
    assert f"Қызметкер: {value}, бөлім" in _document_text(data)
    assert docx.Document(io.BytesIO(data)).paragraphs[0].text.startswith(f"Қызметкер: {value}")


def test_newlines_become_breaks_and_control_characters_vanish(plan: Path) -> None:
    template = CompiledTemplate.load(plan)
    data = template.render(_context(employee="line1\nline2\x00\x0b", rows=1))
    root = parse_xml(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    first = root.find(f".//{qn('w:p')}")
    assert len(first.findall(f".//{qn('w:br')}")) == 1
    assert "line1" in _document_text(data) and "\x0b" not in _document_text(data)


def test_untouched_members_are_copied_byte_for_byte(plan: Path) -> None:
    template = CompiledTemplate.load(plan)
    data = template.render(_context())
    with zipfile.ZipFile(plan) as source, zipfile.ZipFile(io.BytesIO(data)) as output:
        assert output.testzip() is None
        assert output.namelist() == source.namelist()
        rendered = {"word/document.xml", "word/header1.xml"}
        for info in source.infolist():
            out = output.getinfo(info.filename)
            if info.filename in rendered:
                continue
            assert (out.CRC, out.compress_size, out.compress_type) == (info.CRC, info.compress_size, info.compress_type)
            assert _stored_bytes(data, out) == _stored_bytes(plan.read_bytes(), info)
        assert output.read("word/document.xml") != source.read("word/document.xml")


def _stored_bytes(archive: bytes, info: zipfile.ZipInfo) -> bytes:
    offset = info.header_offset
    name_len = int.from_bytes(archive[offset + 26:offset + 28], "little")
    extra_len = int.from_bytes(archive[offset + 28:offset + 30], "little")
    start = offset + 30 + name_len + extra_len
    return archive[start:start + info.compress_size]


def test_render_is_deterministic(plan: Path) -> None:
    template = CompiledTemplate.load(plan)
    assert template.render(_context()) == template.render(_context())


def test_load_is_cached_until_the_file_changes(plan: Path, make_template) -> None:
    first = CompiledTemplate.load(plan)
    assert CompiledTemplate.load(plan) is first
    replacement = make_template("other.docx", lambda d: d.add_paragraph("Only {{ x }}"))
    plan.write_bytes(replacement.read_bytes())
    second = CompiledTemplate.load(plan)
    assert second is not first and [tag.canonical for tag in second.tags] == ["{{ x }}"]


def _load_error(make_template, fill) -> TemplateError:
    with pytest.raises(TemplateError) as caught:
        CompiledTemplate.load(make_template("broken.docx", fill))
    return caught.value


def test_unknown_tag_names_file_tag_and_paragraph(make_template) -> None:
    def fill(document):
        document.add_paragraph("Title")
        runs(document.add_paragraph(), "x {% frobnicate", " y %}")
    error = _load_error(make_template, fill)
    text = error.render("en")
    assert "broken.docx" in text and "paragraph 2" in text and "{% frobnicate y %}" in text
    assert "unknown tag 'frobnicate'" in text


def test_broken_syntax_and_unknown_filter_in_a_cell_are_all_reported(make_template) -> None:
    def fill(document):
        table = document.add_table(rows=2, cols=2)
        table.cell(1, 1).paragraphs[0].text = "{{ a + }}"
        table.cell(0, 0).paragraphs[0].text = "{% if x %}{{ b|no_such_filter }}{% endif %}"
    error = _load_error(make_template, fill)
    assert len(error.issues) == 2
    locations = [issue.location for issue in error.issues]
    assert "broken.docx, word/document.xml, table 1, row 1, cell 1, paragraph 1" in locations
    assert "broken.docx, word/document.xml, table 1, row 2, cell 2, paragraph 1" in locations
    assert "no_such_filter" in error.render("ru")


def test_unbalanced_row_loop_is_reported_at_its_row(make_template) -> None:
    def fill(document):
        row_loop_table(document)
        document.tables[0].rows[3].cells[0].paragraphs[0].text = "gone"
    error = _load_error(make_template, fill)
    assert error.issues[0].key == "render.tag.unclosed"
    assert "table 1, row 2, cell 1" in error.issues[0].location
    assert "{%tr endfor %}" in error.render("en")


def test_unterminated_tag_is_reported(make_template) -> None:
    error = _load_error(make_template, lambda d: d.add_paragraph("Name {{ name "))
    assert error.issues[0].key == "render.tag.unterminated"


def test_undefined_variable_at_render_names_variable_tag_and_location(plan: Path) -> None:
    template = CompiledTemplate.load(plan)
    context = _context()
    del context["dept"]
    with pytest.raises(TemplateError) as caught:
        template.render(context)
    text = caught.value.render("en")
    assert "'dept' is undefined" in text and "plan.docx" in text and "paragraph 1" in text


def test_sandbox_blocks_attribute_escape(make_template) -> None:
    template = CompiledTemplate.load(make_template("evil.docx", lambda d: d.add_paragraph("{{ x.__class__ }}")))
    with pytest.raises(TemplateError, match="unsafe"):
        template.render({"x": 1})


def test_rendered_xml_stays_well_formed_with_many_hostile_rows(plan: Path) -> None:
    template = CompiledTemplate.load(plan)
    rows = [{"name": value, "score": value} for value in HOSTILE * 25]
    data = template.render(_context(rows=0) | {"rows": rows})
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    parse_xml(xml)
    assert not re.search(rb"[\x01]", xml)
    cells = [c.text for c in docx.Document(io.BytesIO(data)).tables[0].columns[1].cells]
    assert cells[1:-1] == HOSTILE * 25


def test_real_templates_load_when_present() -> None:
    bundled = sorted(Path(__file__).resolve().parents[2].glob("templates_*/*.docx"))
    for path in bundled:
        assert CompiledTemplate.load(path).tags
    assert etree is not None


def test_cell_loop_repeats_cells(make_template) -> None:
    def fill(document):
        table = document.add_table(rows=1, cols=4)
        runs(table.cell(0, 0).paragraphs[0], "Q")
        runs(table.cell(0, 1).paragraphs[0], "{%tc for q in quarters %}")
        runs(table.cell(0, 2).paragraphs[0], "{{ q }}")
        runs(table.cell(0, 3).paragraphs[0], "{%tc endfor %}")
    template = CompiledTemplate.load(make_template("cells.docx", fill))
    table = docx.Document(io.BytesIO(template.render({"quarters": ["I", "II", "III", "IV"]}))).tables[0]
    assert [cell.text for cell in table.rows[0].cells] == ["Q", "I", "II", "III", "IV"]


def test_tag_inside_a_replaced_row_is_reported(make_template) -> None:
    def fill(document):
        row_loop_table(document)
        runs(document.tables[0].rows[1].cells[1].paragraphs[0], "{{ lost }}")
    with pytest.raises(TemplateError) as caught:
        CompiledTemplate.load(make_template("lost.docx", fill))
    assert [issue.key for issue in caught.value.issues] == ["render.tag.discarded"]
    assert "table 1, row 2, cell 2" in caught.value.issues[0].location
