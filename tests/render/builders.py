"""Template builders for render tests: tags typed into Word runs as Word stores them."""

from __future__ import annotations

from docx.document import Document as DocumentType


def runs(paragraph, *pieces: str) -> None:
    """Append each piece as its own run (Word splits tags like this after edits)."""
    for piece in pieces:
        paragraph.add_run(piece)


def row_loop_table(document: DocumentType, items: str = "rows") -> None:
    """A table: header row, ``{%tr for%}`` row, data row, ``{%tr endfor%}`` row, footer."""
    table = document.add_table(rows=5, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("№", "Атауы", "Баға"), strict=True):
        cell.text = text
    runs(table.rows[1].cells[0].paragraphs[0], "{%", "tr for row in ", items, " %}")
    data = table.rows[2].cells
    runs(data[0].paragraphs[0], "{{ loop.", "index }}")
    runs(data[1].paragraphs[0], "{", "{ row.name }", "}")
    runs(data[2].paragraphs[0], "{{ row.score }}")
    runs(table.rows[3].cells[0].paragraphs[0], "{%tr end", "for %}")
    table.rows[4].cells[0].text = "Барлығы"
    runs(table.rows[4].cells[2].paragraphs[0], "{{ total }}")
