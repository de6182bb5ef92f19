"""``{% vm %}``: a loop cell merges with the cell above when their texts are equal."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from pipeline.errors import TemplateError
from pipeline.ooxml.ns import qn
from pipeline.ooxml.xml import parse_xml
from pipeline.render.compile import CompiledTemplate
from pipeline.render.vmerge import merge_cells

from .builders import runs


def _vm_table(document) -> None:
    """Header, ``{%tr for%}``, a data row whose first cell is ``{% vm %}{{ r.group }}``, endfor."""
    table = document.add_table(rows=4, cols=2)
    table.style = "Table Grid"
    table.rows[0].cells[0].text = "Group"
    table.rows[0].cells[1].text = "Name"
    runs(table.rows[1].cells[0].paragraphs[0], "{%tr for r in rows %}")
    runs(table.rows[2].cells[0].paragraphs[0], "{% v", "m %}", "{{ r.group }}")
    runs(table.rows[2].cells[1].paragraphs[0], "{{ r.name }}")
    runs(table.rows[3].cells[0].paragraphs[0], "{%tr endfor %}")


def _cells(data: bytes) -> list[tuple[str | None, str]]:
    """(w:vMerge value, text) of the first cell of every body row."""
    root = parse_xml(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    result = []
    for row in root.iter(qn("w:tr")):
        cell = row.find(qn("w:tc"))
        merge = cell.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
        text = "".join(t.text or "" for t in cell.iter(qn("w:t")))
        result.append((None if merge is None else merge.get(qn("w:val")), text))
    return result[1:]


def test_equal_cells_merge_and_a_new_value_restarts(make_template) -> None:
    template = CompiledTemplate.load(make_template("vm.docx", _vm_table))
    rows = [{"group": g, "name": str(n)} for n, g in enumerate("AAABB", 1)]
    data = template.render({"rows": rows})
    assert _cells(data) == [("restart", "A"), ("continue", ""), ("continue", ""),
                            ("restart", "B"), ("continue", "")]
    assert b"qujat-vm" not in zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    table = docx.Document(io.BytesIO(data)).tables[0]
    assert [table.cell(i, 1).text for i in range(1, 6)] == ["1", "2", "3", "4", "5"]
    assert table.cell(1, 0).text == table.cell(3, 0).text == "A"
    assert table.cell(4, 0).text == "B"


def test_unequal_neighbours_each_restart(make_template) -> None:
    template = CompiledTemplate.load(make_template("vm.docx", _vm_table))
    rows = [{"group": g, "name": "x"} for g in ("A", "B", "A", "A & B", "A &amp; B")]
    assert [merge for merge, _ in _cells(template.render({"rows": rows}))] == ["restart"] * 5


def test_templates_without_vm_are_not_post_processed(make_template) -> None:
    def plain(document) -> None:
        runs(document.add_paragraph(), "{{ name }}")

    template = CompiledTemplate.load(make_template("plain.docx", plain))
    assert not any(part.source.vmerge for part in template._parts)


def test_vm_outside_a_table_cell_is_an_error(make_template) -> None:
    def outside(document) -> None:
        runs(document.add_paragraph(), "{% vm %}{{ name }}")

    with pytest.raises(TemplateError) as caught:
        CompiledTemplate.load(make_template("outside.docx", outside))
    assert "paragraph 1" in str(caught.value) and "{% vm %}" in str(caught.value)


def test_a_row_between_breaks_the_merge() -> None:
    cell = ('<w:tc><w:tcPr><?qujat-vm 1?></w:tcPr><w:p><w:pPr><w:jc w:val="center"/></w:pPr>'
            '<w:r><w:t>A</w:t></w:r></w:p><?qujat-vm-end 1?></w:tc>')
    other = "<w:tr><w:tc><w:p/></w:tc></w:tr>"
    xml = f"<w:tbl><w:tr>{cell}</w:tr>{other}<w:tr>{cell}</w:tr><w:tr>{cell}</w:tr></w:tbl>"
    merged = merge_cells(xml)
    assert merged.count('w:val="restart"') == 2 and merged.count('w:val="continue"') == 1
    assert '<w:vMerge w:val="continue"/></w:tcPr><w:p><w:pPr><w:jc w:val="center"/></w:pPr></w:p>' in merged
