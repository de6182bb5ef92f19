"""An OPC package (DOCX) as zip members: parts, relationships and ``[Content_Types].xml``.

Render, stamp and signing reach parts, relationships and content types only through this
module. Member names are zip names (``word/document.xml``, no leading slash); an OPC part
URI is the same name with a leading slash. Unchanged members are copied back as their stored
(deflated) bytes; only changed or new members are compressed again.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING
from urllib.parse import unquote

from lxml import etree

from pipeline.ooxml.ns import NSMAP, qn
from pipeline.ooxml.xml import parse_xml

if TYPE_CHECKING:
    from pipeline.render.zipraw import RawMember

__all__ = [
    "CONTENT_TYPES",
    "ContentTypes",
    "OpcError",
    "OpcPackage",
    "Relationship",
    "parse_rels",
    "part_uri",
    "rels_name",
    "resolve_target",
    "serialize_part",
    "serialize_rels",
    "source_of_rels",
]

CONTENT_TYPES = "[Content_Types].xml"
MAX_PACKAGE_BYTES = 512 * 1024 * 1024
"""Largest total uncompressed size accepted (zip-bomb guard)."""
_FIXED_DATE = (1980, 1, 1, 0, 0, 0)
_LEVEL = 6


class OpcError(ValueError):
    """The package is not a readable OPC zip (bad zip, missing part, broken XML)."""


@dataclass(frozen=True)
class Relationship:
    """One ``Relationship`` of a ``.rels`` part."""

    id: str
    type: str
    target: str
    external: bool = False


def rels_name(source: str) -> str:
    """The ``.rels`` member of ``source`` (``""`` is the package root)."""
    if not source:
        return "_rels/.rels"
    folder, name = posixpath.split(source)
    return posixpath.join(folder, "_rels", name + ".rels")


def source_of_rels(name: str) -> str | None:
    """The part a ``.rels`` member belongs to (``""`` for the root); None if not a ``.rels``."""
    folder, base = posixpath.split(name)
    if not base.endswith(".rels") or posixpath.basename(folder) != "_rels":
        return None
    return posixpath.join(posixpath.dirname(folder), base[: -len(".rels")]).lstrip("/")


def resolve_target(source: str, target: str) -> str:
    """The member name an internal relationship of ``source`` points to."""
    target = unquote(target.split("#", 1)[0])
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target)).lstrip("/")


def part_uri(name: str) -> str:
    """The OPC part name (``/word/document.xml``) of a zip member."""
    return "/" + name


def parse_rels(data: bytes) -> list[Relationship]:
    """Relationships of a ``.rels`` part, in document order."""
    root = parse_xml(data)
    rels = []
    for el in root.iterchildren(qn("pr:Relationship")):
        rels.append(Relationship(
            id=el.get("Id", ""), type=el.get("Type", ""), target=el.get("Target", ""),
            external=el.get("TargetMode", "Internal") == "External",
        ))
    return rels


_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'


def serialize_part(root: etree._Element) -> bytes:
    """An XML part as Word writes it: the standalone declaration, then the compact tree."""
    return _DECLARATION + etree.tostring(root, encoding="UTF-8", xml_declaration=False)


def serialize_rels(rels: list[Relationship]) -> bytes:
    """A compact ``.rels`` part (no whitespace between elements, as Word writes it)."""
    root = etree.Element(qn("pr:Relationships"), nsmap={None: NSMAP["pr"]})
    for rel in rels:
        el = etree.SubElement(root, qn("pr:Relationship"))
        el.set("Id", rel.id)
        el.set("Type", rel.type)
        el.set("Target", rel.target)
        if rel.external:
            el.set("TargetMode", "External")
    return serialize_part(root)


class ContentTypes:
    """``[Content_Types].xml``: Default by extension and Override by part name."""

    def __init__(self, data: bytes) -> None:
        self._root = parse_xml(data)

    def content_type(self, name: str) -> str | None:
        """The content type of member ``name``; None when the package declares none."""
        uri = part_uri(name).lower()
        for el in self._root.iterchildren(qn("ct:Override")):
            if el.get("PartName", "").lower() == uri:
                return el.get("ContentType")
        base = posixpath.basename(name)
        ext = base.rpartition(".")[2].lower() if "." in base else ""
        for el in self._root.iterchildren(qn("ct:Default")):
            if el.get("Extension", "").lower() == ext:
                return el.get("ContentType")
        return None

    def add_default(self, extension: str, content_type: str) -> None:
        """Declare ``extension`` unless it is declared already."""
        for el in self._root.iterchildren(qn("ct:Default")):
            if el.get("Extension", "").lower() == extension.lower():
                return
        el = etree.Element(qn("ct:Default"))
        el.set("Extension", extension)
        el.set("ContentType", content_type)
        defaults = list(self._root.iterchildren(qn("ct:Default")))
        if defaults:
            defaults[-1].addnext(el)
        else:
            self._root.insert(0, el)

    def remove_default(self, extension: str) -> None:
        """Drop the Default of ``extension`` if there is one."""
        for el in list(self._root.iterchildren(qn("ct:Default"))):
            if el.get("Extension", "").lower() == extension.lower():
                self._root.remove(el)

    def set_override(self, name: str, content_type: str) -> None:
        """Give member ``name`` its own content type."""
        self.remove_override(name)
        el = etree.SubElement(self._root, qn("ct:Override"))
        el.set("PartName", part_uri(name))
        el.set("ContentType", content_type)

    def remove_override(self, name: str) -> None:
        """Drop the Override of member ``name`` if there is one."""
        uri = part_uri(name).lower()
        for el in list(self._root.iterchildren(qn("ct:Override"))):
            if el.get("PartName", "").lower() == uri:
                self._root.remove(el)

    def to_bytes(self) -> bytes:
        return serialize_part(self._root)


def _zipraw() -> ModuleType:
    """``pipeline.render.zipraw`` (raw member copy), imported on first use because
    ``pipeline.render`` itself imports this module."""
    from pipeline.render import zipraw

    return zipraw


class OpcPackage:
    """The members of a zip package in their original order, editable in memory.

    Members that are not changed keep their stored (deflated) bytes and are copied raw when
    the package is written; only changed or new members are deflated again.
    """

    def __init__(self, members: list[RawMember]) -> None:
        self._raw = {member.name: member for member in members if not member.name.endswith("/")}
        self._order = list(self._raw)
        self._content: dict[str, bytes] = {}
        self._changed: set[str] = set()

    @classmethod
    def from_bytes(cls, data: bytes) -> OpcPackage:
        """Read a package; raise :class:`OpcError` for a bad zip or a zip bomb."""
        try:
            members = _zipraw().read_raw_members(data)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
            raise OpcError(f"not a readable zip package: {exc}") from exc
        if sum(member.size for member in members) > MAX_PACKAGE_BYTES:
            raise OpcError("package is larger than the accepted uncompressed size")
        package = cls(members)
        if CONTENT_TYPES not in package:
            raise OpcError("not an OPC package: [Content_Types].xml is missing")
        return package

    @property
    def names(self) -> list[str]:
        return list(self._order)

    def __contains__(self, name: object) -> bool:
        return name in self._content or name in self._raw

    def read(self, name: str) -> bytes:
        if name not in self._content:
            member = self._raw.get(name)
            if member is None:
                raise OpcError(f"part {part_uri(name)} is missing")
            try:
                self._content[name] = member.inflate()
            except zlib.error as exc:
                raise OpcError(f"part {part_uri(name)} is damaged: {exc}") from exc
        return self._content[name]

    def write(self, name: str, data: bytes) -> None:
        """Replace or add member ``name``."""
        if name not in self:
            self._order.append(name)
        self._content[name] = data
        self._changed.add(name)

    def remove(self, name: str) -> None:
        if name in self:
            self._order.remove(name)
        self._content.pop(name, None)
        self._raw.pop(name, None)
        self._changed.discard(name)

    def content_types(self) -> ContentTypes:
        return ContentTypes(self.read(CONTENT_TYPES))

    def set_content_types(self, types: ContentTypes) -> None:
        self.write(CONTENT_TYPES, types.to_bytes())

    def rels(self, source: str) -> list[Relationship]:
        """Relationships of part ``source`` (``""``: the package); empty when it has none."""
        name = rels_name(source)
        return parse_rels(self.read(name)) if name in self else []

    def set_rels(self, source: str, rels: list[Relationship]) -> None:
        self.write(rels_name(source), serialize_rels(rels))

    def next_rel_id(self, source: str) -> str:
        """A relationship id not used yet in the ``.rels`` of ``source``."""
        used = {rel.id for rel in self.rels(source)}
        number = len(used) + 1
        while f"rId{number}" in used:
            number += 1
        return f"rId{number}"

    def unique_name(self, name: str) -> str:
        """``name`` or, when taken, ``stem<N>.ext`` that is free."""
        if name not in self:
            return name
        stem, ext = posixpath.splitext(name)
        number = 2
        while f"{stem}{number}{ext}" in self:
            number += 1
        return f"{stem}{number}{ext}"

    def _member(self, name: str) -> RawMember:
        if name not in self._changed:
            return self._raw[name]
        template = self._raw.get(name) or _zipraw().RawMember(name, zipfile.ZIP_DEFLATED, 0, b"", 0, _FIXED_DATE)
        return _zipraw().deflate_member(template, self._content[name], _LEVEL)

    def to_bytes(self) -> bytes:
        """The package as zip bytes, ``[Content_Types].xml`` first, unchanged members copied raw."""
        order = [CONTENT_TYPES] + [n for n in self._order if n != CONTENT_TYPES]
        return _zipraw().ZipAssembler([self._member(name) for name in order], ()).assemble({})
