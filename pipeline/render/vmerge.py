"""Vertical cell merge (docxtpl's ``{% vm %}``) on a rendered part, after Jinja.

At load, :mod:`pipeline.render.source` marks each ``{% vm %}`` cell with two processing
instructions: ``<?qujat-vm N?>`` where the cell's ``w:vMerge`` belongs in ``w:tcPr`` and
``<?qujat-vm-end N?>`` as its last child. A ``{%tr for %}`` loop repeats the marked cell once
per row; :func:`merge_cells` then makes each copy ``w:vMerge restart``, or ``continue`` (with
its text emptied) when its text equals that of the same template cell in the row just above.
One scan of the rendered text (``str.find``); only parts that use ``{% vm %}`` pay it.
"""

from __future__ import annotations

import re

from pipeline.render.source import VM_END, VM_START

__all__ = ["merge_cells"]

_START = "<?" + VM_START + " "
_PARAGRAPH_HEAD = re.compile(r"<w:p(?:\s[^>]*)?>(?:<w:pPr>.*?</w:pPr>)?", re.DOTALL)
_LINE_END = re.compile(r"</w:p>|<w:(?:br|cr)(?:\s[^>]*)?/>")
_MARKUP = re.compile(r"<[^>]*>")
_PROPERTIES_END = "</w:tcPr>"
_RESTART = '<w:vMerge w:val="restart"/>'
_CONTINUE = '<w:vMerge w:val="continue"/>'


def _text(content: str) -> str:
    """What a reader sees of a cell's content: its text, line ends and tabs."""
    return _MARKUP.sub("", _LINE_END.sub("\n", content.replace("<w:tab/>", "\t")))


def _emptied(content: str) -> str:
    """One empty paragraph keeping the first paragraph's properties (a cell needs a ``w:p``)."""
    head = _PARAGRAPH_HEAD.match(content)
    return head.group(0) + "</w:p>" if head else "<w:p/>"


def _directly_below(xml: str, above_end: int, start: int) -> bool:
    """True if exactly one row starts between the cell above and this one, in one table."""
    rows = xml.count("<w:tr>", above_end, start) + xml.count("<w:tr ", above_end, start)
    return rows == 1 and all(xml.find(edge, above_end, start) < 0 for edge in ("<w:tbl>", "<w:tbl ", "</w:tbl>"))


def _same_text(content: str, above: str) -> bool:
    """True if the two cell contents read the same (identical markup is the usual case)."""
    return content == above or _text(content) == _text(above)


def merge_cells(xml: str) -> str:
    """Resolve the ``{% vm %}`` markers of a rendered part into ``w:vMerge`` elements."""
    out: list[str] = []
    above: dict[str, tuple[int, str]] = {}
    position = 0
    start = xml.find(_START)
    while start >= 0:
        number_end = xml.index("?>", start)
        number = xml[start + len(_START):number_end]
        end_marker = f"<?{VM_END} {number}?>"
        body_end = xml.index(end_marker, number_end)
        end = body_end + len(end_marker)
        properties, _, content = xml[number_end + 2:body_end].partition(_PROPERTIES_END)
        last = above.get(number)
        merged = (last is not None and _same_text(content, last[1])
                  and _directly_below(xml, last[0], start))
        above[number] = (end, content)
        out.append(xml[position:start])
        if merged:
            out.extend((_CONTINUE, properties, _PROPERTIES_END, _emptied(content)))
        else:
            out.extend((_RESTART, properties, _PROPERTIES_END, content))
        position = end
        start = xml.find(_START, end)
    out.append(xml[position:])
    return "".join(out)
