"""Read the QR codes of a DOCX header or of a page image, and check the EDS QR against the signatures.

The EDS QR (:class:`signing.ooxml.qr_payload.EdsQrData`) must name a signature that is in the
package and intact, with the same signer name, masked IIN, certificate serial and signing
time, and its document digest must be that of the signed ``/word/document.xml``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

import zxingcpp
from cryptography import x509
from PIL import Image, UnidentifiedImageError

from pipeline.ooxml.constants import RT
from pipeline.ooxml.opc import OpcError, OpcPackage, resolve_target, source_of_rels
from signing.ooxml.qr_payload import EdsQrData, document_digest16
from signing.verify.cms import validate_detached
from signing.verify.ooxml import verify_package
from signing.verify.status import SignatureStatus

__all__ = ["NO_EDS_QR", "QrCheck", "check_eds_qr", "decode_image", "header_qr_texts"]

MAIN_DOCUMENT = "word/document.xml"
NO_EDS_QR = "no EDS QR code found"
UNREADABLE = "not a readable package"


def decode_image(image_bytes: bytes) -> list[str]:
    """Texts of the QR codes in a PNG (or any Pillow-readable) image, top-left first."""
    try:
        image = Image.open(io.BytesIO(image_bytes))
        image.load()
    except (UnidentifiedImageError, OSError):
        return []
    found = zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    found.sort(key=lambda b: (b.position.top_left.y // 50, b.position.top_left.x))
    return [barcode.text for barcode in found]


def header_qr_texts(docx_bytes: bytes) -> list[str]:
    """Texts of the QR codes in the images that the header parts of ``docx_bytes`` show."""
    package = OpcPackage.from_bytes(docx_bytes)
    texts: list[str] = []
    for rels_name in package.names:
        source = source_of_rels(rels_name)
        if not source or not source.startswith("word/header"):
            continue
        for rel in package.rels(source):
            target = resolve_target(source, rel.target)
            if rel.type == RT.IMAGE and not rel.external and target in package:
                texts.extend(t for t in decode_image(package.read(target)) if t not in texts)
    return texts


@dataclass(frozen=True)
class QrCheck:
    """Outcome of comparing the EDS QR with the package's signatures."""

    eds: EdsQrData | None
    signature: SignatureStatus | None
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def absent(self) -> bool:
        """No EDS QR code to compare: none in the header, or the file is not a readable package."""
        return self.eds is None and len(self.problems) == 1 and self.problems[0].startswith((NO_EDS_QR, UNREADABLE))


def _eds_payloads(texts: Iterable[str]) -> list[EdsQrData]:
    payloads = []
    for text in texts:
        try:
            payloads.append(EdsQrData.parse(text))
        except ValueError:
            continue
    return payloads


def _compare(eds: EdsQrData, status: SignatureStatus, document_xml: bytes) -> list[str]:
    problems = []
    signer = status.signer
    if not status.intact:
        problems.append(f"the signature named by the QR code is not intact: {status.reason}")
    if signer is not None and " ".join(signer.name.split()) != eds.name:
        problems.append(f"signer name differs: QR {eds.name!r}, certificate {signer.name!r}")
    if signer is not None and (signer.iin.masked() if signer.iin else None) != eds.iin_masked:
        problems.append("masked IIN differs from the signer certificate")
    if status.signing_time is None or status.signing_time.replace(microsecond=0) != eds.signing_time:
        problems.append(f"signing time differs: QR {eds.signing_time.isoformat()}, "
                        f"signature {status.signing_time.isoformat() if status.signing_time else 'none'}")
    if document_digest16(document_xml) != eds.document_sha256_16:
        problems.append("document digest in the QR code is not that of the signed document")
    return problems


def check_eds_qr(docx_bytes: bytes, texts: Iterable[str] | None = None,
                 trusted_roots: Iterable[x509.Certificate] = (), detached: bytes | None = None) -> QrCheck:
    """Compare the EDS QR (from ``texts``, else from the header images) with the signatures.

    The signatures are those embedded in the package and, when ``detached`` (a ``.p7s`` over
    the DOCX file) is given, those of the detached CMS too.
    """
    try:
        package = OpcPackage.from_bytes(docx_bytes)
        document_xml = package.read(MAIN_DOCUMENT)
        texts = header_qr_texts(docx_bytes) if texts is None else list(texts)
    except OpcError as exc:
        return QrCheck(None, None, (f"{UNREADABLE}: {exc}",))
    payloads = _eds_payloads(texts)
    if not payloads:
        return QrCheck(None, None, (NO_EDS_QR,))
    eds = payloads[0]
    trusted_roots = list(trusted_roots)
    statuses = list(verify_package(docx_bytes, trusted_roots))
    if detached is not None:
        statuses += validate_detached(detached, docx_bytes, roots=trusted_roots)
    matching = [s for s in statuses if s.signer is not None and s.signer.cert_serial == eds.cert_serial]
    if not matching:
        return QrCheck(eds, None, (f"no signature by the certificate {eds.cert_serial} named in the QR code",))
    return QrCheck(eds, matching[0], tuple(_compare(eds, matching[0], document_xml)))
