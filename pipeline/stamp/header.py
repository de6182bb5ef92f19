"""Put the two QR codes (registry link, EDS data) with captions into the header of a DOCX.

Works on zip bytes: adds two PNG media parts, their relationships from the header part, and a
borderless two-cell table at the top of the default header (and of the first-page header
when the document has one); a document without a header gets a new header part. This is
done BEFORE signing: the signature then covers the header and the images.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from lxml import etree

from pipeline.ooxml.constants import CT, RT
from pipeline.ooxml.ns import NSMAP, qn
from pipeline.ooxml.opc import OpcPackage, Relationship, resolve_target, serialize_part
from pipeline.ooxml.xml import parse_xml
from pipeline.stamp.qr import qr_png, registry_url
from signing.ooxml.qr_payload import EdsQrData

__all__ = ["CAPTIONS", "QrCodes", "add_official_qr_codes", "insert_qr_header"]

MAIN_DOCUMENT = "word/document.xml"
CAPTIONS: dict[str, tuple[str, str]] = {
    "kk": ("Құжатқа сілтеу QR-коды", "Лауазымды тұлғаның ЭЦҚ мәліметі бар QR-код"),
    "ru": ("QR-код содержит ссылку на данный документ", "QR-код содержит данные ЭЦП должностного лица"),
}
"""(registry caption, EDS caption) per language, after the captions of the official e-copies."""

_EMU_PER_MM = 36000
_DOC_PR_ID = re.compile(rb'<wp:docPr[^>]*\sid="(\d+)"')


@dataclass(frozen=True)
class QrCodes:
    """The two payloads and how to show them."""

    registry_text: str
    eds_text: str
    lang: str = "kk"
    size_mm: float = 25.0

    def captions(self) -> tuple[str, str]:
        return CAPTIONS[self.lang]


def _w(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, qn(f"w:{tag}"), {qn(f"w:{k}"): v for k, v in attrs.items()})


def _drawing(run: etree._Element, rel_id: str, doc_pr_id: int, name: str, size_emu: int) -> None:
    inline = etree.SubElement(_w(run, "drawing"), qn("wp:inline"),
                              {"distT": "0", "distB": "0", "distL": "0", "distR": "0"})
    etree.SubElement(inline, qn("wp:extent"), {"cx": str(size_emu), "cy": str(size_emu)})
    etree.SubElement(inline, qn("wp:effectExtent"), {"l": "0", "t": "0", "r": "0", "b": "0"})
    etree.SubElement(inline, qn("wp:docPr"), {"id": str(doc_pr_id), "name": name})
    frame = etree.SubElement(inline, qn("wp:cNvGraphicFramePr"))
    etree.SubElement(frame, qn("a:graphicFrameLocks"), {"noChangeAspect": "1"})
    graphic = etree.SubElement(inline, qn("a:graphic"))
    data = etree.SubElement(graphic, qn("a:graphicData"), {"uri": NSMAP["pic"]})
    pic = etree.SubElement(data, qn("pic:pic"))
    nv = etree.SubElement(pic, qn("pic:nvPicPr"))
    etree.SubElement(nv, qn("pic:cNvPr"), {"id": "0", "name": name})
    etree.SubElement(nv, qn("pic:cNvPicPr"))
    fill = etree.SubElement(pic, qn("pic:blipFill"))
    etree.SubElement(fill, qn("a:blip"), {qn("r:embed"): rel_id})
    etree.SubElement(etree.SubElement(fill, qn("a:stretch")), qn("a:fillRect"))
    shape = etree.SubElement(pic, qn("pic:spPr"))
    xfrm = etree.SubElement(shape, qn("a:xfrm"))
    etree.SubElement(xfrm, qn("a:off"), {"x": "0", "y": "0"})
    etree.SubElement(xfrm, qn("a:ext"), {"cx": str(size_emu), "cy": str(size_emu)})
    geometry = etree.SubElement(shape, qn("a:prstGeom"), {"prst": "rect"})
    etree.SubElement(geometry, qn("a:avLst"))


def _qr_table(images: list[tuple[str, int, str, str]], size_emu: int) -> etree._Element:
    """A borderless table: one cell per (rel id, docPr id, name, caption)."""
    tbl = etree.Element(qn("w:tbl"))
    props = _w(tbl, "tblPr")
    _w(props, "tblW", w="0", type="auto")
    borders = _w(props, "tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        _w(borders, side, val="nil")
    _w(props, "tblLayout", type="fixed")
    grid = _w(tbl, "tblGrid")
    width = str(int(size_emu / 635 * 1.6))  # twips: image width plus room for the caption
    for _ in images:
        _w(grid, "gridCol", w=width)
    row = _w(tbl, "tr")
    for rel_id, doc_pr_id, name, caption in images:
        cell = _w(row, "tc")
        _w(_w(cell, "tcPr"), "tcW", w=width, type="dxa")
        picture = _w(cell, "p")
        _w(_w(picture, "pPr"), "jc", val="center")
        _drawing(_w(picture, "r"), rel_id, doc_pr_id, name, size_emu)
        text_p = _w(cell, "p")
        _w(_w(text_p, "pPr"), "jc", val="center")
        run = _w(text_p, "r")
        _w(_w(run, "rPr"), "sz", val="14")
        _w(run, "t").text = caption
    return tbl


def _header_targets(package: OpcPackage, document: etree._Element) -> tuple[list[str], list[etree._Element]]:
    """Header parts to stamp (default and first-page), and the sections with no default header."""
    rels = {rel.id: rel for rel in package.rels(MAIN_DOCUMENT)}
    body = document.find(qn("w:body"))
    sections = list(document.iter(qn("w:sectPr")))
    if not sections and body is not None:
        sections = [_w(body, "sectPr")]
    parts: list[str] = []
    bare: list[etree._Element] = []
    for sect in sections:
        refs = {ref.get(qn("w:type"), "default"): ref.get(qn("r:id")) for ref in sect.iter(qn("w:headerReference"))}
        if "default" not in refs:
            bare.append(sect)
        for kind in ("default", "first"):
            rel = rels.get(refs.get(kind, ""))
            if rel is not None and resolve_target(MAIN_DOCUMENT, rel.target) not in parts:
                parts.append(resolve_target(MAIN_DOCUMENT, rel.target))
    return parts, bare


def _new_header(package: OpcPackage, sections: list[etree._Element]) -> str:
    name = package.unique_name("word/header_qr.xml")
    root = etree.Element(qn("w:hdr"), nsmap={k: NSMAP[k] for k in ("w", "r", "wp", "a", "pic")})
    _w(root, "p")
    package.write(name, serialize_part(root))
    rel_id = package.next_rel_id(MAIN_DOCUMENT)
    rels = package.rels(MAIN_DOCUMENT)
    rels.append(Relationship(rel_id, RT.HEADER, name.removeprefix("word/")))
    package.set_rels(MAIN_DOCUMENT, rels)
    types = package.content_types()
    types.set_override(name, CT.WML_HEADER)
    package.set_content_types(types)
    for sect in sections:
        ref = etree.Element(qn("w:headerReference"), {qn("w:type"): "default", qn("r:id"): rel_id})
        sect.insert(0, ref)
    return name


def _next_doc_pr_id(package: OpcPackage) -> int:
    ids = [int(m) for name in package.names if name.startswith("word/") and name.endswith(".xml")
           for m in _DOC_PR_ID.findall(package.read(name))]
    return max(ids, default=0) + 1


def _stamp_header(package: OpcPackage, header: str, pngs: list[tuple[str, str]],
                  first_doc_pr_id: int, size_emu: int) -> None:
    root = parse_xml(package.read(header))
    rels = package.rels(header)
    cells = []
    for offset, (media, caption) in enumerate(pngs):
        rel_id = f"rIdQr{offset + 1}"
        while any(rel.id == rel_id for rel in rels):
            rel_id += "x"
        rels.append(Relationship(rel_id, RT.IMAGE, _relative(header, media)))
        cells.append((rel_id, first_doc_pr_id + offset, media.rsplit("/", 1)[-1], caption))
    root.insert(0, _qr_table(cells, size_emu))
    package.set_rels(header, rels)
    package.write(header, serialize_part(root))


def _relative(source: str, target: str) -> str:
    """``target`` (a member name) relative to the folder of ``source``."""
    folder = source.rsplit("/", 1)[0] + "/" if "/" in source else ""
    return target.removeprefix(folder) if target.startswith(folder) else "/" + target


def _prepare_headers(package: OpcPackage) -> list[str]:
    """The header parts to stamp; adds a header part (changing document.xml) when one is needed."""
    document = parse_xml(package.read(MAIN_DOCUMENT))
    headers, bare = _header_targets(package, document)
    if bare:
        headers.append(_new_header(package, bare))
        package.write(MAIN_DOCUMENT, serialize_part(document))
    return headers


def _stamp(package: OpcPackage, headers: list[str], codes: QrCodes) -> bytes:
    pngs = []
    for stem, text, caption in (("qr_registry", codes.registry_text, codes.captions()[0]),
                                ("qr_eds", codes.eds_text, codes.captions()[1])):
        media = package.unique_name(f"word/media/{stem}.png")
        package.write(media, qr_png(text))
        pngs.append((media, caption))
    types = package.content_types()
    types.add_default("png", CT.PNG)
    package.set_content_types(types)
    size_emu = int(codes.size_mm * _EMU_PER_MM)
    doc_pr_id = _next_doc_pr_id(package)
    for header in headers:
        _stamp_header(package, header, pngs, doc_pr_id, size_emu)
        doc_pr_id += len(pngs)
    return package.to_bytes()


def insert_qr_header(docx_bytes: bytes, codes: QrCodes) -> bytes:
    """Add the registry and EDS QR codes with captions to the header(s) of ``docx_bytes``."""
    package = OpcPackage.from_bytes(docx_bytes)
    return _stamp(package, _prepare_headers(package), codes)


def add_official_qr_codes(docx_bytes: bytes, *, registry_base_url: str, document_id: str,
                          certificate: x509.Certificate, signing_time: datetime, lang: str = "kk") -> bytes:
    """Both QR codes for the official who will sign with ``certificate`` at ``signing_time``.

    The EDS digest is of ``document.xml`` as it will be signed (after a header reference is
    added to it). Pass the same ``signing_time`` to :func:`signing.ooxml.sign_package`.
    """
    package = OpcPackage.from_bytes(docx_bytes)
    headers = _prepare_headers(package)
    eds = EdsQrData.for_signer(certificate, signing_time, package.read(MAIN_DOCUMENT))
    return _stamp(package, headers, QrCodes(registry_url(registry_base_url, document_id), eds.to_text(), lang))
