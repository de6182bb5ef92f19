"""What an Office package signature covers, and the OPC Relationship transform.

Word signs a relationship when its type is on Office's list of signed types (any type ending
in ``customXml`` too) and every relationship with ``TargetMode="External"``; it signs the
internal target part of each signed relationship, and each ``.rels`` part through the
Relationship transform restricted to the signed ids. So ``docProps/*`` (core, extended and
custom properties, thumbnail), ``[Content_Types].xml`` and the signature parts are never
signed, and adding a signature does not break the earlier ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from pipeline.ooxml.constants import CT
from pipeline.ooxml.ns import qn
from pipeline.ooxml.opc import OpcError, OpcPackage, part_uri, resolve_target, source_of_rels
from pipeline.ooxml.xml import parse_xml
from signing.ooxml.dsig import c14n

__all__ = [
    "SIGNED_RELATIONSHIP_TYPES",
    "ManifestEntry",
    "is_signed_relationship",
    "manifest_entries",
    "relationship_transform",
]

SIGNED_RELATIONSHIP_TYPES = frozenset("""
activeXControlBinary aFChunk attachedTemplate attachedToolbars audio calcChain chart chartColorStyle
chartLayout chartsheet chartStyle chartUserShapes classificationlabels commentAuthors comments
connections connectorXml control ctrlProp customData customProperty customXml diagram diagramColors
diagramColorsHeader diagramData diagramDrawing diagramLayout diagramLayoutHeader diagramQuickStyle
diagramQuickStyleHeader dialogsheet dictionary documentParts downRev drawing endnotes externalLink
externalLinkPath font fontTable footer footnotes functionPrototypes glossaryDocument graphicFrameDoc
groupShapeXml handoutMaster hdphoto header hyperlink image ink inkXml keyMapCustomizations
legacyDiagramText legacyDocTextInfo mailMergeHeaderSource mailMergeRecipientData mailMergeSource media
notesMaster notesSlide numbering officeDocument oleObject package pictureXml pivotCacheDefinition
pivotCacheRecords pivotTable powerPivotData presProps printerSettings queryTable recipientData settings
shapeXml sharedStrings sheetMetadata slicer slicerCache slide slideLayout slideMaster slideUpdateInfo
slideUpdateUrl smartTags styles stylesWithEffects table tableSingleCells tableStyles tags theme
themeOverride timeline timelineCache transform ui/altText ui/buttonSize ui/controlID ui/description
ui/enabled ui/extensibility ui/helperText ui/imageID ui/imageMso ui/keyTip ui/label ui/lcid ui/loud
ui/pressed ui/progID ui/ribbonID ui/showImage ui/showLabel ui/supertip ui/target ui/text ui/title
ui/tooltip ui/userCustomization ui/visible userXmlData vbaProject video viewProps vmlDrawing
volatileDependencies webSettings wordVbaData worksheet wsSortMap xlBinaryIndex
xlExternalLinkPath/xlAlternateStartup xlExternalLinkPath/xlLibrary xlExternalLinkPath/xlPathMissing
xlExternalLinkPath/xlStartup xlIntlMacrosheet xlMacrosheet xmlMaps
""".split())
"""Relationship types (the part after ``/relationships/``) that Office signs."""

_TYPE_PREFIX = re.compile(r".*/relationships/")
_CUSTOM_XML_SIGNED_TYPES = ("inkml+xml", "text/xml")


def is_signed_relationship(rel_type: str) -> bool:
    """True when Office signs relationships of ``rel_type``."""
    short = _TYPE_PREFIX.sub("", rel_type, count=1)
    return short in SIGNED_RELATIONSHIP_TYPES or short.endswith("customXml")


@dataclass(frozen=True)
class ManifestEntry:
    """One Manifest reference: a part, or a ``.rels`` part with the ids it signs."""

    name: str
    content_type: str
    source_ids: tuple[str, ...] | None = None

    @property
    def uri(self) -> str:
        return f"{part_uri(self.name)}?ContentType={self.content_type}"


def manifest_entries(package: OpcPackage) -> list[ManifestEntry]:
    """Every reference a signature of ``package`` must hold, sorted by URI as Office does."""
    types = package.content_types()
    entries: dict[str, ManifestEntry] = {}
    for name in package.names:
        source = source_of_rels(name)
        if source is None:
            continue
        signed_ids: list[str] = []
        for rel in package.rels(source):
            if rel.external:
                signed_ids.append(rel.id)
                continue
            if not is_signed_relationship(rel.type):
                continue
            signed_ids.append(rel.id)
            target = resolve_target(source, rel.target)
            if target not in package:
                raise OpcError(f"relationship {rel.id} of {part_uri(source or '')} points to "
                               f"missing part {part_uri(target)}")
            content_type = types.content_type(target) or ""
            if rel.type.endswith("customXml") and content_type not in _CUSTOM_XML_SIGNED_TYPES:
                continue
            entries.setdefault(target, ManifestEntry(target, content_type))
        if signed_ids:
            entries[name] = ManifestEntry(name, CT.RELATIONSHIPS, tuple(signed_ids))
    return sorted(entries.values(), key=lambda entry: entry.uri)


def relationship_transform(rels_xml: bytes, source_ids: set[str] | frozenset[str],
                           source_types: set[str] | frozenset[str] = frozenset()) -> bytes:
    """ECMA-376 Part 2 Relationship transform followed by inclusive C14N.

    Keeps the ``Relationship`` elements whose ``Id`` is in ``source_ids`` (or whose ``Type``
    is in ``source_types``), adds ``TargetMode="Internal"`` where it is missing, sorts them
    by ``Id`` and drops everything else between them.
    """
    root = parse_xml(rels_xml)
    kept: dict[str, etree._Element] = {}
    for child in list(root):
        if child.tag == qn("pr:Relationship") and (
                child.get("Id") in source_ids or child.get("Type") in source_types):
            if not child.get("TargetMode"):
                child.set("TargetMode", "Internal")
            child.tail = None
            kept[child.get("Id", "")] = child
        root.remove(child)
    root.text = None
    for rel_id in sorted(kept):
        root.append(kept[rel_id])
    return c14n(root)
