"""The printable copy of a signed DOCX: a visible EDS stamp block per signer.

Made AFTER signing, from the signed package and its detached ``<name>.docx.p7s`` if there is
one, as a separate file ``<name>.stamped.docx``. The signed DOCX itself is never changed. The copy carries no signature parts (its
``document.xml`` differs from the signed one, so any signature in it would show as broken);
it is what gets printed or shown, the signed file is what gets verified.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta, timezone
from pathlib import Path

from cryptography import x509
from lxml import etree

from pipeline.errors import SigningError
from pipeline.fsio import atomic_write_bytes
from pipeline.ooxml.constants import RT
from pipeline.ooxml.ns import qn
from pipeline.ooxml.opc import OpcError, OpcPackage, rels_name, serialize_part
from pipeline.ooxml.xml import parse_xml
from signing.ooxml.package_sig import find_origin, signature_parts
from signing.verify.cms import validate_detached
from signing.verify.ooxml import verify_package
from signing.verify.status import SignatureStatus

__all__ = ["KAZAKHSTAN_TIME", "LABELS", "detached_path", "make_stamped_copy", "stamped_copy_of", "stamped_path",
           "write_stamped_copy"]

MAIN_DOCUMENT = "word/document.xml"
KAZAKHSTAN_TIME = timezone(timedelta(hours=5))
LABELS: dict[str, dict[str, str]] = {
    "kk": {"title": "Құжат ЭЦҚ-мен қол қойылған", "signer": "Қол қойған", "iin": "ЖСН",
           "serial": "Сертификаттың сериялық нөмірі", "validity": "Сертификаттың жарамдылық мерзімі",
           "time": "Қол қойылған уақыты"},
    "ru": {"title": "Документ подписан ЭЦП", "signer": "Подписант", "iin": "ИИН",
           "serial": "Серийный номер сертификата", "validity": "Срок действия сертификата",
           "time": "Время подписания"},
}
_BORDER_COLOR = "1F4E79"


def _w(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, qn(f"w:{tag}"), {qn(f"w:{k}"): v for k, v in attrs.items()})


def _line(cell: etree._Element, text: str, *, bold: bool = False) -> None:
    paragraph = _w(cell, "p")
    spacing = _w(_w(paragraph, "pPr"), "spacing", before="0", after="0")
    spacing.set(qn("w:line"), "240")
    run = _w(paragraph, "r")
    props = _w(run, "rPr")
    if bold:
        _w(props, "b")
    _w(props, "color", val=_BORDER_COLOR)
    _w(props, "sz", val="18")
    text_el = _w(run, "t")
    text_el.text = text
    text_el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _stamp_lines(status: SignatureStatus, lang: str, zone: timezone) -> list[str]:
    labels = LABELS[lang]
    signer = status.signer
    if signer is None or status.signing_time is None:
        raise SigningError(f"signature {status.source} names no signer or signing time")
    when = status.signing_time.astimezone(zone)
    offset = when.strftime("%z")
    return [
        f"{labels['signer']}: {signer.name}",
        f"{labels['iin']}: {signer.iin.masked() if signer.iin else '—'}",
        f"{labels['serial']}: {signer.cert_serial}",
        f"{labels['validity']}: {signer.valid_from:%d.%m.%Y} – {signer.valid_to:%d.%m.%Y}",
        f"{labels['time']}: {when:%d.%m.%Y %H:%M:%S} (UTC{offset[:3]}:{offset[3:]})",
    ]


def _stamp_table(lines: list[str], title: str) -> etree._Element:
    tbl = etree.Element(qn("w:tbl"))
    props = _w(tbl, "tblPr")
    _w(props, "tblW", w="7800", type="dxa")
    borders = _w(props, "tblBorders")
    for side in ("top", "left", "bottom", "right"):
        _w(borders, side, val="single", sz="12", space="0", color=_BORDER_COLOR)
    _w(_w(tbl, "tblGrid"), "gridCol", w="7800")
    cell = _w(_w(tbl, "tr"), "tc")
    _w(_w(cell, "tcPr"), "tcW", w="7800", type="dxa")
    _line(cell, title, bold=True)
    for text in lines:
        _line(cell, text)
    return tbl


def _strip_signatures(package: OpcPackage) -> None:
    origin = find_origin(package)
    if origin is None:
        return
    types = package.content_types()
    for name in [*signature_parts(package), origin, rels_name(origin)]:
        package.remove(name)
        types.remove_override(name)
    if not any(name.endswith(".sigs") for name in package.names):
        types.remove_default("sigs")
    package.set_content_types(types)
    package.set_rels("", [rel for rel in package.rels("") if rel.type != RT.ORIGIN])


def _statuses(signed_docx: bytes, package: OpcPackage, roots: list[x509.Certificate],
              detached: bytes | None) -> list[SignatureStatus]:
    """Embedded signatures (unless there are none and a detached one is given), then detached ones."""
    statuses = verify_package(signed_docx, roots) if detached is None or signature_parts(package) else []
    if detached is not None:
        statuses += validate_detached(detached, signed_docx, roots=roots, source="p7s")
    return statuses


def make_stamped_copy(signed_docx: bytes, *, lang: str = "kk", trusted_roots: Iterable[x509.Certificate] = (),
                      zone: timezone = KAZAKHSTAN_TIME, detached: bytes | None = None) -> bytes:
    """The printable copy of ``signed_docx`` with one stamp block per intact signature.

    The signatures are those embedded in the package and those of ``detached`` (the DER of a
    ``.p7s`` over the file). Refuses (:class:`SigningError`) a document without signatures or
    with a signature that is not intact, and, when ``trusted_roots`` are given, one that is
    not trusted.
    """
    roots = list(trusted_roots)
    try:
        package = OpcPackage.from_bytes(signed_docx)
    except OpcError as exc:
        raise SigningError(f"cannot stamp: not a readable package: {exc}") from None
    statuses = _statuses(signed_docx, package, roots, detached)
    for status in statuses:
        if not status.intact or (roots and not status.trusted):
            raise SigningError(f"cannot stamp {status.source or 'the document'}: {status.reason}")
    document = parse_xml(package.read(MAIN_DOCUMENT))
    body = document.find(qn("w:body"))
    anchor = body.find(qn("w:sectPr"))
    blocks: list[etree._Element] = []
    for status in statuses:
        blocks.append(etree.Element(qn("w:p")))
        blocks.append(_stamp_table(_stamp_lines(status, lang, zone), LABELS[lang]["title"]))
    blocks.append(etree.Element(qn("w:p")))
    for block in blocks:
        if anchor is not None:
            anchor.addprevious(block)
        else:
            body.append(block)
    package.write(MAIN_DOCUMENT, serialize_part(document))
    _strip_signatures(package)
    return package.to_bytes()


def stamped_path(signed_path: Path) -> Path:
    """``report.docx`` -> ``report.stamped.docx`` beside it."""
    return signed_path.with_name(signed_path.stem + ".stamped" + signed_path.suffix)


def detached_path(signed_path: Path) -> Path:
    """``report.docx`` -> ``report.docx.p7s`` beside it."""
    return signed_path.with_name(signed_path.name + ".p7s")


def stamped_copy_of(signed_path: Path, *, lang: str = "kk", trusted_roots: Iterable[x509.Certificate] = ()) -> bytes:
    """The printable copy of the signed file ``signed_path`` (and its ``.p7s``, if any)."""
    signed_path = Path(signed_path)
    p7s = detached_path(signed_path)
    return make_stamped_copy(signed_path.read_bytes(), lang=lang, trusted_roots=trusted_roots,
                             detached=p7s.read_bytes() if p7s.is_file() else None)


def write_stamped_copy(signed_path: Path, *, lang: str = "kk",
                       trusted_roots: Iterable[x509.Certificate] = ()) -> Path:
    """Write the printable copy of the signed file ``signed_path`` atomically; return its path."""
    target = stamped_path(Path(signed_path))
    atomic_write_bytes(target, stamped_copy_of(signed_path, lang=lang, trusted_roots=trusted_roots))
    return target
