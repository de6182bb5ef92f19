"""App. 4 table of the competency sheet: the category cell is merged down the rows."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from forms_helpers import W, document_xml

from pipeline.render.pdf import convert_to_pdf


def _indicator_columns(path) -> list[list[tuple[str | None, str]]]:
    """(w:vMerge value, text) of the competency and category cells of each body row."""
    table = list(document_xml(path).iter(f"{W}tbl"))[-1]
    rows = []
    for row in table.findall(f"{W}tr")[1:]:
        cells = row.findall(f"{W}tc")[:2]
        rows.append([(None if (m := c.find(f"{W}tcPr/{W}vMerge")) is None else m.get(f"{W}val"),
                      "".join(t.text or "" for t in c.iter(f"{W}t"))) for c in cells])
    return rows


def _sheet(generated, lang: str):
    profile_id, out, _ = generated
    if profile_id != "udp-2018":
        pytest.skip("App. 4 is a 2018-scheme form")
    return out / f"E001/competency_sheet.{lang}.docx"


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_category_column_is_one_merged_cell(generated, lang):
    rows = _indicator_columns(_sheet(generated, lang))
    assert len(rows) >= 3
    names = [name for name, _ in rows]
    categories = [category for _, category in rows]
    assert all(merge == "restart" and text for merge, text in names)
    assert len({text for _, text in names}) == len(names)
    assert categories[0][0] == "restart" and categories[0][1]
    assert all(cell == ("continue", "") for cell in categories[1:])


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice / poppler not installed")
def test_libreoffice_prints_the_category_once(generated, tmp_path):
    source = tmp_path / "competency_sheet.ru.docx"
    shutil.copy(_sheet(generated, "ru"), source)
    rows = _indicator_columns(source)
    pdf, = convert_to_pdf([source], jobs=1)
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    table = text.split("Поведенческие индикаторы компетенций")[1]
    category = rows[0][1][1].split(" ")[0]
    for _, (_, name) in rows:
        assert name.split(" ")[0] in table
    # once in the heading above the table, once in the merged cell (not once per row)
    assert table.count(category) == 2, (category, table.count(category))
