"""Turn a WordprocessingML part with docxtpl-style tags into Jinja source.

Steps, all at template load:

1. Per paragraph, find tags in the concatenated text of its ``<w:t>`` elements, so a tag
   Word split over several runs (``{`` in one run, ``{ name }}`` in the next) is found
   whole. Each tag is replaced by a placeholder processing instruction in the ``<w:t>``
   where it starts, and its text is removed from the other ``<w:t>`` elements.
2. ``{%tr …%}``, ``{%tc …%}`` and ``{%p …%}`` replace their whole table row, cell or
   paragraph with the plain statement (docxtpl semantics). ``{% vm %}`` marks its table
   cell for vertical merging: two processing instructions (``qujat-vm N`` where the cell's
   ``w:vMerge`` belongs, ``qujat-vm-end N`` at its end) that :mod:`pipeline.render.vmerge`
   resolves after rendering.
3. The XML is serialised and each placeholder becomes a Jinja tag written with delimiters
   that cannot occur in XML (they start or end with U+0001), one newline inside each tag
   so a Jinja line number identifies the tag.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Literal

from lxml import etree

from pipeline.ooxml.ns import qn

__all__ = ["DELIMITERS", "VM_END", "VM_START", "PartSource", "Tag", "TagProblem", "build_source"]

DELIMITERS = {
    "block_start_string": "\x01%",
    "block_end_string": "%\x01",
    "variable_start_string": "\x01{",
    "variable_end_string": "}\x01",
    "comment_start_string": "\x01#",
    "comment_end_string": "#\x01",
}
_PI_TARGET = "qujat-tag"
VM_START = "qujat-vm"
VM_END = "qujat-vm-end"
_PI_RE = re.compile(r"<\?" + _PI_TARGET + r" (\d+)\?>")
_TAG_RE = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}|\{#(.*?)#\}", re.DOTALL)
_OPENING_RE = re.compile(r"\{[{%#]")
_LEVEL_RE = re.compile(r"^\s*(tr|tc|p)\s+(.*)$", re.DOTALL)
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
                         "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"',
                         "\u00a0": " ", "\n": " "})
_W_P, _W_T, _W_TBL, _W_TR, _W_TC = qn("w:p"), qn("w:t"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
_W_R, _W_RPR = qn("w:r"), qn("w:rPr")
_W_TCPR, _W_VMERGE = qn("w:tcPr"), qn("w:vMerge")
_TCPR_BEFORE_VMERGE = {qn("w:cnfStyle"), qn("w:tcW"), qn("w:gridSpan"), qn("w:hMerge")}
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_LEVEL_ELEMENT = {"tr": _W_TR, "tc": _W_TC, "p": _W_P}
_LEVEL_NAME = {"tr": "table row", "tc": "table cell", "p": "paragraph"}

Kind = Literal["var", "block", "comment"]


@dataclass(frozen=True, slots=True)
class Tag:
    """One tag as written in the template, with where it is."""

    text: str
    kind: Kind
    body: str
    level: str
    location: str

    @property
    def canonical(self) -> str:
        """The tag with whitespace collapsed, for comparing templates (KK/RU parity)."""
        body = " ".join(self.body.split())
        if self.kind == "var":
            return "{{ " + body + " }}"
        if self.kind == "comment":
            return "{# " + body + " #}"
        return "{%" + (self.level + " " if self.level else " ") + body + " %}"

    @property
    def is_vmerge(self) -> bool:
        """``{% vm %}``: merge this table cell with the equal cell above."""
        return self.kind == "block" and not self.level and self.body.strip(" -+") == "vm"

    @property
    def statement(self) -> str:
        """The first word of a block tag (``for``, ``endif``), else ``""``."""
        if self.kind != "block":
            return ""
        body = self.body[1:] if self.body.startswith(("-", "+")) else self.body
        words = body.split()
        return words[0] if words else ""


@dataclass(frozen=True, slots=True)
class TagProblem:
    """A tag that cannot be used; ``key`` names the message, ``params`` fill it."""

    location: str
    key: str
    params: dict[str, str]


@dataclass(frozen=True, slots=True)
class PartSource:
    """The Jinja source of one part and the tags that made it, by source line."""

    part: str
    source: str
    tags: tuple[Tag, ...]
    emitted: tuple[Tag, ...]
    lines: tuple[int, ...]
    problems: tuple[TagProblem, ...]
    vmerge: bool = False

    def tag_at_line(self, lineno: int) -> Tag | None:
        """The emitted tag that starts on or closest before ``lineno``."""
        index = bisect.bisect_right(self.lines, lineno) - 1
        return self.emitted[index] if index >= 0 else None


class _Locator:
    """Human-readable locations: ``paragraph 4`` or ``table 2, row 3, cell 1, paragraph 1``."""

    def __init__(self, root: etree._Element) -> None:
        self._tables = {table: number for number, table in enumerate(root.iter(_W_TBL), 1)}
        self._paragraphs: dict[etree._Element, int] = {}
        count = 0
        for paragraph in root.iter(_W_P):
            if not any(True for _ in paragraph.iterancestors(_W_TBL)):
                count += 1
                self._paragraphs[paragraph] = count

    def __call__(self, paragraph: etree._Element) -> str:
        if paragraph in self._paragraphs:
            return f"paragraph {self._paragraphs[paragraph]}"
        cell = next(paragraph.iterancestors(_W_TC))
        row = next(cell.iterancestors(_W_TR))
        table = next(row.iterancestors(_W_TBL))
        where = (f"table {self._tables[table]}, row {_index(row, _W_TR)}, "
                 f"cell {_index(cell, _W_TC)}, paragraph {_index(paragraph, _W_P)}")
        return where


def _index(element: etree._Element, tag: str) -> int:
    """1-based position of ``element`` among its parent's ``tag`` children."""
    return list(element.getparent().iterchildren(tag)).index(element) + 1


def _own_texts(paragraph: etree._Element) -> list[etree._Element]:
    """The ``<w:t>`` of ``paragraph`` itself (not of paragraphs nested in text boxes)."""
    return [t for t in paragraph.iter(_W_T) if next(t.iterancestors(_W_P)) is paragraph]


def _make_tag(match: re.Match[str], location: str) -> Tag:
    variable, block, comment = match.groups()
    if variable is not None:
        kind: Kind = "var"
        body = variable
    elif block is not None:
        kind, body = "block", block
    else:
        kind, body = "comment", comment or ""
    body = body.translate(_QUOTES)
    level = ""
    if kind == "block":
        level_match = _LEVEL_RE.match(body)
        if level_match:
            level, body = level_match.group(1), level_match.group(2)
    return Tag(text=match.group(0), kind=kind, body=body, level=level, location=location)


class _Builder:
    def __init__(self, part: str, root: etree._Element) -> None:
        self.part = part
        self.root = root
        self.tags: list[Tag] = []
        self.problems: list[TagProblem] = []
        self.anchors: dict[int, etree._Element] = {}
        self._locate = _Locator(root)

    def problem(self, location: str, key: str, **params: str) -> None:
        self.problems.append(TagProblem(location, key, params))

    def collect(self) -> None:
        for paragraph in list(self.root.iter(_W_P)):
            texts = _own_texts(paragraph)
            values = [t.text or "" for t in texts]
            full = "".join(values)
            if "{" not in full:
                continue
            matches = list(_TAG_RE.finditer(full))
            location = self._locate(paragraph)
            masked = _TAG_RE.sub("\x00", full)
            stray = _OPENING_RE.search(masked)
            if stray:
                self.problem(f"{self.part}, {location}", "render.tag.unterminated",
                             text=masked[stray.start():][:40].replace("\x00", "…"))
            if matches:
                self._rewrite(texts, values, matches, location)

    def _rewrite(self, texts: list[etree._Element], values: list[str],
                 matches: list[re.Match[str]], location: str) -> None:
        """Put one placeholder per tag into the ``<w:t>`` where the tag starts."""
        starts = [0]
        for value in values:
            starts.append(starts[-1] + len(value))
        pieces: list[list[str | int]] = [[] for _ in texts]
        full = "".join(values)
        cursor = 0
        for match in matches:
            self._static(pieces, starts, full, cursor, match.start())
            owner = bisect.bisect_right(starts, match.start()) - 1
            tag_id = len(self.tags)
            self.tags.append(_make_tag(match, f"{self.part}, {location}"))
            pieces[owner].append(tag_id)
            cursor = match.end()
        self._static(pieces, starts, full, cursor, starts[-1])
        for element, content in zip(texts, pieces, strict=True):
            _fill(element, content, self.anchors)

    @staticmethod
    def _static(pieces: list[list[str | int]], starts: list[int], full: str,
                begin: int, end: int) -> None:
        """Give each ``<w:t>`` its share of the untagged text ``full[begin:end]``."""
        for index, piece in enumerate(pieces):
            low, high = max(begin, starts[index]), min(end, starts[index + 1])
            if low < high:
                piece.append(full[low:high])

    def lift_levels(self) -> None:
        """Replace the row/cell/paragraph of each ``{%tr``/``{%tc``/``{%p`` tag by the tag."""
        for level in ("tr", "tc", "p"):
            targets: list[etree._Element] = []
            for tag_id, tag in enumerate(self.tags):
                if tag.level != level:
                    continue
                anchor = self.anchors[tag_id]
                target = next(anchor.iterancestors(_LEVEL_ELEMENT[level]), None)
                if target is None:
                    self.problem(tag.location, "render.tag.level",
                                 tag=tag.text, element=_LEVEL_NAME[level])
                    continue
                if not _attached(target, self.root):
                    continue
                target.addprevious(etree.PI(_PI_TARGET, str(tag_id)))
                targets.append(target)
            for target in targets:
                if target.getparent() is not None:
                    target.getparent().remove(target)

    def mark_vmerge(self) -> bool:
        """Mark the cell of each ``{% vm %}`` tag; True if any cell was marked."""
        marked: set[etree._Element] = set()
        for tag_id, tag in enumerate(self.tags):
            if not tag.is_vmerge:
                continue
            anchor = self.anchors[tag_id]
            cell = next(anchor.iterancestors(_W_TC), None)
            if cell is None:
                self.problem(tag.location, "render.tag.level", tag=tag.text, element=_LEVEL_NAME["tc"])
                continue
            if not _attached(cell, self.root):
                self.problem(tag.location, "render.tag.discarded", tag=tag.text)
                continue
            if cell in marked:
                continue
            marked.add(cell)
            _mark_cell(cell, str(len(marked)))
        return bool(marked)


def _mark_cell(cell: etree._Element, number: str) -> None:
    """Put the ``qujat-vm`` markers into ``cell``: at the ``w:vMerge`` position, and last."""
    properties = cell.find(_W_TCPR)
    if properties is None:
        properties = etree.Element(_W_TCPR)
        cell.insert(0, properties)
    for old in properties.findall(_W_VMERGE):
        properties.remove(old)
    position = 0
    for index, child in enumerate(properties):
        if child.tag in _TCPR_BEFORE_VMERGE:
            position = index + 1
    properties.insert(position, etree.PI(VM_START, number))
    cell.append(etree.PI(VM_END, number))


def _attached(element: etree._Element, root: etree._Element) -> bool:
    return any(ancestor is root for ancestor in element.iterancestors())


def _fill(element: etree._Element, content: list[str | int],
          anchors: dict[int, etree._Element]) -> None:
    """Rewrite ``element``'s text as static pieces and placeholders for tag ids."""
    if content == [element.text or ""] or (not content and not element.text):
        return
    if not content:
        _drop_empty_run(element)
        return
    del element[:]
    element.text = None
    element.set(_XML_SPACE, "preserve")
    last: etree._Element | None = None
    for item in content:
        if isinstance(item, int):
            last = etree.PI(_PI_TARGET, str(item))
            element.append(last)
            anchors[item] = last
        elif last is None:
            element.text = (element.text or "") + item
        else:
            last.tail = (last.tail or "") + item


def _drop_empty_run(text: etree._Element) -> None:
    """Remove ``text`` (now empty) and its run too if the run holds nothing else."""
    run = text.getparent()
    if run is not None and run.tag == _W_R and all(child is text or child.tag == _W_RPR for child in run):
        run.getparent().remove(run)
    elif run is not None:
        run.remove(text)


def build_source(part: str, xml: bytes, parse) -> PartSource:
    """Parse ``xml`` (with ``parse``) and build the Jinja source of the part named ``part``."""
    root = parse(xml)
    builder = _Builder(part, root)
    builder.collect()
    builder.lift_levels()
    vmerge = builder.mark_vmerge()
    text = etree.tostring(root, encoding="unicode")
    header = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    out: list[str] = [header]
    emitted: list[Tag] = []
    lines: list[int] = []
    line = 1 + header.count("\n")
    position = 0
    for match in _PI_RE.finditer(text):
        chunk = text[position:match.start()]
        out.append(chunk)
        line += chunk.count("\n")
        tag = builder.tags[int(match.group(1))]
        jinja = _jinja_text(tag)
        if jinja:
            out.append(jinja)
            emitted.append(tag)
            lines.append(line + 1)
            line += 1
        position = match.end()
    out.append(text[position:])
    return PartSource(part=part, source="".join(out), tags=tuple(builder.tags),
                      emitted=tuple(emitted), lines=tuple(lines), problems=tuple(builder.problems),
                      vmerge=vmerge)


def _jinja_text(tag: Tag) -> str:
    """The tag in the private delimiters, with exactly one newline after the opener."""
    if tag.kind == "comment" or tag.is_vmerge:
        return ""
    body = tag.body
    sign = body[0] if body.startswith(("-", "+")) else ""
    body = body[len(sign):]
    if tag.kind == "var":
        return DELIMITERS["variable_start_string"] + sign + "\n" + body + DELIMITERS["variable_end_string"]
    return DELIMITERS["block_start_string"] + sign + "\n" + body + DELIMITERS["block_end_string"]
