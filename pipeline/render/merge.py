"""Merge rendered DOCX documents of one template family into one DOCX, in order.

A body-level merge: the first document is the base (its styles, numbering definitions,
settings and theme are kept); each further document's body is appended after a section
break that keeps the previous part's page setup, headers and footers, and starts a new
page. Images, headers and footers of later parts are copied under new names with new
relationship ids; lists restart their numbering in each part; bookmark and drawing ids
are renumbered so they stay unique.
"""

from __future__ import annotations

import copy
import posixpath
from collections.abc import Sequence
from pathlib import Path

from lxml import etree

from pipeline.ooxml.ns import NSMAP, qn
from pipeline.ooxml.opc import OpcPackage, Relationship, resolve_target, serialize_part
from pipeline.ooxml.xml import parse_xml

__all__ = ["merge_docx"]

_DOCUMENT = "word/document.xml"
_NUMBERING = "word/numbering.xml"
_STYLES = "word/styles.xml"
_BEFORE_NUMPR = {qn("w:pStyle"), qn("w:keepNext"), qn("w:keepLines"), qn("w:pageBreakBefore"),
                 qn("w:framePr"), qn("w:widowControl")}
_R_PREFIX = "{" + NSMAP["r"] + "}"


def merge_docx(documents: Sequence[bytes | Path]) -> bytes:
    """One DOCX holding ``documents`` in order, a page-starting section break between parts."""
    if not documents:
        raise ValueError("nothing to merge")
    packages = [OpcPackage.from_bytes(doc if isinstance(doc, bytes) else Path(doc).read_bytes())
                for doc in documents]
    base = packages[0]
    root = parse_xml(base.read(_DOCUMENT))
    body = root.find(qn("w:body"))
    final_sect = _final_section(body)
    numbering = parse_xml(base.read(_NUMBERING)) if _NUMBERING in base else None
    style_lists = _style_lists(parse_xml(base.read(_STYLES))) if _STYLES in base else {}
    rels = base.rels(_DOCUMENT)
    content_types = base.content_types()
    ids = _IdCounters(root)
    for index, package in enumerate(packages[1:], start=2):
        part_root = parse_xml(package.read(_DOCUMENT))
        part_body = part_root.find(qn("w:body"))
        part_sect = _final_section(part_body)
        importer = _Importer(base, package, content_types, f"m{index}")
        content = [child for child in part_body if child is not part_sect]
        referenced = {value for element in [*content, part_sect] for node in element.iter()
                      for name, value in node.attrib.items() if name.startswith(_R_PREFIX)}
        rel_map = importer.import_rels(
            [rel for rel in package.rels(_DOCUMENT) if rel.id in referenced], rels)
        for element in [*content, part_sect]:
            _rewrite_rel_ids(element, rel_map)
        if numbering is not None:
            _restart_lists(content, numbering, style_lists)
        ids.renumber(content)
        body.insert(body.index(final_sect), _section_break(final_sect))
        for element in content:
            body.insert(body.index(final_sect), element)
        new_sect = copy.deepcopy(part_sect)
        _start_on_new_page(new_sect)
        final_sect.addprevious(new_sect)
        body.remove(final_sect)
        final_sect = new_sect
    ids.renumber_drawings(body)
    base.write(_DOCUMENT, serialize_part(root))
    base.set_rels(_DOCUMENT, rels)
    base.set_content_types(content_types)
    if numbering is not None:
        base.write(_NUMBERING, serialize_part(numbering))
    return base.to_bytes()


def _final_section(body: etree._Element) -> etree._Element:
    """The body's last ``w:sectPr`` (created with Word's defaults when missing)."""
    last = body[-1] if len(body) else None
    if last is not None and last.tag == qn("w:sectPr"):
        return last
    return etree.SubElement(body, qn("w:sectPr"))


def _section_break(section: etree._Element) -> etree._Element:
    """A paragraph ending the previous part's section with a copy of its page setup."""
    paragraph = etree.Element(qn("w:p"))
    properties = etree.SubElement(paragraph, qn("w:pPr"))
    properties.append(copy.deepcopy(section))
    return paragraph


def _start_on_new_page(section: etree._Element) -> None:
    for old in section.findall(qn("w:type")):
        section.remove(old)
    kind = etree.Element(qn("w:type"))
    kind.set(qn("w:val"), "nextPage")
    # w:type follows the header/footer references and footnote/endnote properties.
    anchors = [child for child in section if child.tag in {
        qn("w:headerReference"), qn("w:footerReference"), qn("w:footnotePr"), qn("w:endnotePr")}]
    if anchors:
        anchors[-1].addnext(kind)
    else:
        section.insert(0, kind)


def _rewrite_rel_ids(element: etree._Element, rel_map: dict[str, str]) -> None:
    for node in element.iter():
        for name, value in node.attrib.items():
            if name.startswith(_R_PREFIX) and value in rel_map:
                node.set(name, rel_map[value])


class _Importer:
    """Copies the parts a later document refers to into the base under fresh names."""

    def __init__(self, base: OpcPackage, source: OpcPackage, content_types, tag: str) -> None:
        self.base, self.source, self.content_types, self.tag = base, source, content_types, tag
        self.source_types = source.content_types()
        self.copied: dict[str, str] = {}

    def import_rels(self, relationships: list[Relationship], base_rels: list[Relationship]) -> dict[str, str]:
        """Add ``relationships`` (those the body uses) to ``base_rels``; the old -> new id map."""
        mapping: dict[str, str] = {}
        used = {rel.id for rel in base_rels}
        for rel in relationships:
            new_id = f"rId{self.tag}x{rel.id}"
            while new_id in used:
                new_id += "x"
            used.add(new_id)
            target = rel.target
            if not rel.external:
                new_name = self._copy(resolve_target(_DOCUMENT, rel.target))
                target = posixpath.relpath(new_name, posixpath.dirname(_DOCUMENT))
            base_rels.append(Relationship(new_id, rel.type, target, rel.external))
            mapping[rel.id] = new_id
        return mapping

    def _copy(self, name: str) -> str:
        """Copy part ``name`` (and the parts its own relationships reach) into the base."""
        if name in self.copied:
            return self.copied[name]
        folder, file_name = posixpath.split(name)
        new_name = self.base.unique_name(posixpath.join(folder, f"{self.tag}_{file_name}"))
        self.copied[name] = new_name
        self.base.write(new_name, self.source.read(name))
        content_type = self.source_types.content_type(name)
        extension = posixpath.splitext(name)[1].lstrip(".")
        if content_type and self.content_types.content_type(new_name) != content_type:
            if self.source_types.content_type("x." + extension) == content_type:
                self.content_types.add_default(extension, content_type)
            if self.content_types.content_type(new_name) != content_type:
                self.content_types.set_override(new_name, content_type)
        own_rels = self.source.rels(name)
        if own_rels:
            rewritten = []
            for rel in own_rels:
                target = rel.target
                if not rel.external:
                    copied = self._copy(resolve_target(name, rel.target))
                    target = posixpath.relpath(copied, posixpath.dirname(new_name))
                rewritten.append(Relationship(rel.id, rel.type, target, rel.external))
            self.base.set_rels(new_name, rewritten)
        return new_name


def _style_lists(styles: etree._Element) -> dict[str, tuple[str, str]]:
    """Paragraph style id -> (numId, ilvl) for styles that number their paragraphs."""
    direct: dict[str, tuple[str | None, str | None]] = {}
    parents: dict[str, str] = {}
    for style in styles.iterchildren(qn("w:style")):
        style_id = style.get(qn("w:styleId"))
        num_pr = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        if num_pr is not None:
            num_id, level = num_pr.find(qn("w:numId")), num_pr.find(qn("w:ilvl"))
            direct[style_id] = (num_id.get(qn("w:val")) if num_id is not None else None,
                                level.get(qn("w:val")) if level is not None else None)
        based_on = style.find(qn("w:basedOn"))
        if based_on is not None:
            parents[style_id] = based_on.get(qn("w:val"))
    resolved: dict[str, tuple[str, str]] = {}
    for style_id in {*direct, *parents}:
        num_id, level, current, seen = None, None, style_id, set()
        while current is not None and current not in seen:
            seen.add(current)
            found_id, found_level = direct.get(current, (None, None))
            num_id, level = num_id or found_id, level or found_level
            current = parents.get(current)
        if num_id not in (None, "0"):
            resolved[style_id] = (num_id, level or "0")
    return resolved


def _restart_lists(content: list[etree._Element], numbering: etree._Element,
                   style_lists: dict[str, tuple[str, str]]) -> None:
    """Give each list of a later part its own ``w:num`` so numbering restarts at the part.

    Paragraphs numbered through their style get an explicit ``w:numPr`` pointing to the
    new ``w:num``.
    """
    nums = {num.get(qn("w:numId")): num for num in numbering.iterchildren(qn("w:num"))}
    next_id = max((int(key) for key in nums if key and key.isdigit()), default=0) + 1
    replaced: dict[str, str] = {}

    def renumbered(old: str) -> str:
        nonlocal next_id
        if old not in replaced:
            replaced[old] = str(next_id)
            _append_num(numbering, nums[old], str(next_id))
            next_id += 1
        return replaced[old]

    for element in content:
        for paragraph in element.iter(qn("w:p")):
            properties = paragraph.find(qn("w:pPr"))
            num_id = properties.find(f"{qn('w:numPr')}/{qn('w:numId')}") if properties is not None else None
            if num_id is not None:
                old = num_id.get(qn("w:val"))
                if old not in (None, "0") and old in nums:
                    num_id.set(qn("w:val"), renumbered(old))
                continue
            style = properties.find(qn("w:pStyle")) if properties is not None else None
            listed = style_lists.get(style.get(qn("w:val"))) if style is not None else None
            if listed is None or listed[0] not in nums:
                continue
            _insert_num_pr(properties, renumbered(listed[0]), listed[1])


def _insert_num_pr(properties: etree._Element, num_id: str, level: str) -> None:
    num_pr = etree.Element(qn("w:numPr"))
    etree.SubElement(num_pr, qn("w:ilvl")).set(qn("w:val"), level)
    etree.SubElement(num_pr, qn("w:numId")).set(qn("w:val"), num_id)
    preceding = [child for child in properties if child.tag in _BEFORE_NUMPR]
    if preceding:
        preceding[-1].addnext(num_pr)
    else:
        properties.insert(0, num_pr)


def _append_num(numbering: etree._Element, original: etree._Element, new_id: str) -> None:
    abstract_id = original.find(qn("w:abstractNumId")).get(qn("w:val"))
    starts: dict[str, str] = {}
    for abstract in numbering.iterchildren(qn("w:abstractNum")):
        if abstract.get(qn("w:abstractNumId")) == abstract_id:
            for level in abstract.iterchildren(qn("w:lvl")):
                start = level.find(qn("w:start"))
                starts[level.get(qn("w:ilvl"))] = start.get(qn("w:val")) if start is not None else "1"
    num = etree.Element(qn("w:num"))
    num.set(qn("w:numId"), new_id)
    etree.SubElement(num, qn("w:abstractNumId")).set(qn("w:val"), abstract_id)
    for level, start in sorted(starts.items(), key=lambda item: int(item[0] or 0)):
        override = etree.SubElement(num, qn("w:lvlOverride"))
        override.set(qn("w:ilvl"), level)
        etree.SubElement(override, qn("w:startOverride")).set(qn("w:val"), start)
    cleanup = numbering.find(qn("w:numIdMacAtCleanup"))
    if cleanup is not None:
        cleanup.addprevious(num)
    else:
        numbering.append(num)


class _IdCounters:
    """Keeps bookmark ids unique across parts and numbers drawings 1..N at the end."""

    _BOOKMARKS = (qn("w:bookmarkStart"), qn("w:bookmarkEnd"))

    def __init__(self, root: etree._Element) -> None:
        self.next_bookmark = 1 + max((int(el.get(qn("w:id"), "0")) for tag in self._BOOKMARKS
                                      for el in root.iter(tag) if el.get(qn("w:id"), "").isdigit()),
                                     default=0)

    def renumber(self, content: list[etree._Element]) -> None:
        mapping: dict[str, str] = {}
        for element in content:
            for tag in self._BOOKMARKS:
                for mark in element.iter(tag):
                    old = mark.get(qn("w:id"))
                    if old is None:
                        continue
                    if old not in mapping:
                        mapping[old] = str(self.next_bookmark)
                        self.next_bookmark += 1
                    mark.set(qn("w:id"), mapping[old])

    @staticmethod
    def renumber_drawings(body: etree._Element) -> None:
        for number, doc_pr in enumerate(body.iter(qn("wp:docPr")), start=1):
            doc_pr.set("id", str(number))
