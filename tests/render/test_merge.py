"""merge_docx: one DOCX from several rendered parts, in order, each part's look kept."""

from __future__ import annotations

import io
import zipfile

import docx
import segno
from docx.shared import Cm

from pipeline.ooxml.ns import qn
from pipeline.ooxml.xml import parse_xml
from pipeline.render.compile import CompiledTemplate
from pipeline.render.merge import merge_docx

from .builders import row_loop_table


def _template(make_template, tmp_path):
    qr = tmp_path / "qr.png"
    segno.make("qujat").save(qr, scale=3)

    def fill(document):
        document.sections[0].header.paragraphs[0].text = "Бас {{ name }}"
        document.add_paragraph("Қызметкер {{ name }}")
        document.add_paragraph("бірінші", style="List Number")
        document.add_paragraph("екінші", style="List Number")
        document.add_picture(str(qr), width=Cm(2))
        row_loop_table(document)
    return CompiledTemplate.load(make_template("part.docx", fill))


def test_merge_keeps_parts_in_order_with_sections(make_template, tmp_path) -> None:
    template = _template(make_template, tmp_path)
    parts = [template.render({"name": f"P{i}", "rows": [{"name": f"r{i}", "score": i}], "total": i})
             for i in range(3)]
    merged = merge_docx(parts)
    document = docx.Document(io.BytesIO(merged))
    names = [p.text for p in document.paragraphs if p.text.startswith("Қызметкер")]
    assert names == ["Қызметкер P0", "Қызметкер P1", "Қызметкер P2"]
    assert [s.header.paragraphs[0].text for s in document.sections] == ["Бас P0", "Бас P1", "Бас P2"]
    assert [t.rows[1].cells[1].text for t in document.tables] == ["r0", "r1", "r2"]
    assert len(document.inline_shapes) == 3
    assert all(s.start_type == 2 for s in document.sections[1:])  # WD_SECTION.NEW_PAGE
    assert document.sections[1].page_width == document.sections[0].page_width


def test_merge_gives_unique_ids_and_restarts_lists(make_template, tmp_path) -> None:
    template = _template(make_template, tmp_path)
    merged = merge_docx([template.render({"name": n, "rows": [], "total": 0}) for n in "AB"])
    archive = zipfile.ZipFile(io.BytesIO(merged))
    assert archive.testzip() is None
    body = parse_xml(archive.read("word/document.xml"))
    drawing_ids = [el.get("id") for el in body.iter(qn("wp:docPr"))]
    assert len(drawing_ids) == len(set(drawing_ids)) == 2
    num_ids = [el.get(qn("w:val")) for el in body.iter(qn("w:numId"))]
    assert len(num_ids) == 2 and len(set(num_ids)) == 1, num_ids  # part 2's list, restarted
    numbering = parse_xml(archive.read("word/numbering.xml"))
    new_num = next(n for n in numbering.iter(qn("w:num")) if n.get(qn("w:numId")) == num_ids[-1])
    assert new_num.find(qn("w:lvlOverride")) is not None
    media = [name for name in archive.namelist() if name.startswith("word/media/")]
    assert len(media) == 2
    rels = archive.read("word/_rels/document.xml.rels").decode()
    for name in media:
        assert name.removeprefix("word/") in rels
