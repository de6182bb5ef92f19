"""The XAdES-BES ``SignedProperties`` and the Office ``SignatureInfoV1`` objects of ``sigN.xml``.

Both are built as ``ds:Object`` elements appended to a ``ds:Signature`` whose default
namespace is XML-DSig, exactly as Word lays them out, and read back for verification.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from pipeline.ooxml.constants import ALG
from pipeline.ooxml.ns import NSMAP, qn
from signing.ooxml.dsig import DIGESTS
from signing.ooxml.dsig import ds_element as _ds

__all__ = [
    "OFFICE_OBJECT_ID",
    "SIGNATURE_ID",
    "SIGNED_PROPERTIES_ID",
    "SignedPropertiesInfo",
    "add_office_object",
    "add_signed_properties_object",
    "format_time",
    "read_signed_properties",
]

SIGNATURE_ID = "idPackageSignature"
OFFICE_OBJECT_ID = "idOfficeObject"
SIGNED_PROPERTIES_ID = "idSignedProperties"

_OFFICE_FIELDS = (
    ("SetupID", ""), ("SignatureText", ""), ("SignatureImage", ""), ("SignatureComments", None),
    ("WindowsVersion", "10.0"), ("OfficeVersion", "16.0"), ("ApplicationVersion", "16.0"),
    ("Monitors", "1"), ("HorizontalResolution", "1920"), ("VerticalResolution", "1080"),
    ("ColorDepth", "32"), ("SignatureProviderId", "{00000000-0000-0000-0000-000000000000}"),
    ("SignatureProviderUrl", ""), ("SignatureProviderDetails", "9"),
    ("ManifestHashAlgorithm", ALG.SHA256), ("SignatureType", "1"),
)


def format_time(moment: datetime) -> str:
    """``YYYY-MM-DDThh:mm:ssZ`` in UTC, the form Word writes for signing times."""
    if moment.tzinfo is None:
        raise ValueError("signing time must carry a time zone")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def add_office_object(signature: etree._Element, comments: str) -> etree._Element:
    """Append ``<Object Id="idOfficeObject">`` with Office's ``SignatureInfoV1``."""
    obj = _ds(signature, "Object", Id=OFFICE_OBJECT_ID)
    props = _ds(obj, "SignatureProperties")
    prop = _ds(props, "SignatureProperty", Id="idOfficeV1Details", Target="#" + SIGNATURE_ID)
    info = etree.SubElement(prop, qn("digsig:SignatureInfoV1"), nsmap={None: NSMAP["digsig"]})
    for name, default in _OFFICE_FIELDS:
        field = etree.SubElement(info, qn(f"digsig:{name}"))
        value = comments if default is None else default
        if value:
            field.text = value
    return obj


def add_signed_properties_object(signature: etree._Element, certificate: x509.Certificate,
                                 signing_time: datetime) -> etree._Element:
    """Append ``<Object><xd:QualifyingProperties>`` with XAdES-BES signed properties."""
    obj = _ds(signature, "Object")
    qualifying = etree.SubElement(obj, qn("xd:QualifyingProperties"), {"Target": "#" + SIGNATURE_ID},
                                  nsmap={"xd": NSMAP["xd"]})
    signed = etree.SubElement(qualifying, qn("xd:SignedProperties"), {"Id": SIGNED_PROPERTIES_ID})
    sig_props = etree.SubElement(signed, qn("xd:SignedSignatureProperties"))
    etree.SubElement(sig_props, qn("xd:SigningTime")).text = format_time(signing_time)
    cert = etree.SubElement(etree.SubElement(sig_props, qn("xd:SigningCertificate")), qn("xd:Cert"))
    digest = etree.SubElement(cert, qn("xd:CertDigest"))
    _ds(digest, "DigestMethod", Algorithm=ALG.SHA256)
    der = certificate.public_bytes(Encoding.DER)
    _ds(digest, "DigestValue", base64.b64encode(hashlib.sha256(der).digest()).decode("ascii"))
    issuer_serial = etree.SubElement(cert, qn("xd:IssuerSerial"))
    _ds(issuer_serial, "X509IssuerName", certificate.issuer.rfc4514_string())
    _ds(issuer_serial, "X509SerialNumber", str(certificate.serial_number))
    policy = etree.SubElement(sig_props, qn("xd:SignaturePolicyIdentifier"))
    etree.SubElement(policy, qn("xd:SignaturePolicyImplied"))
    return obj


@dataclass(frozen=True)
class SignedPropertiesInfo:
    """What the XAdES signed properties of a signature state."""

    signing_time: datetime | None
    cert_digest_method: str | None
    cert_digest: bytes | None
    serial_number: int | None

    def matches(self, certificate: x509.Certificate) -> bool:
        """True when the signing-certificate digest (and serial, if given) are ``certificate``'s."""
        name = DIGESTS.get(self.cert_digest_method or "")
        if name is None or self.cert_digest is None:
            return False
        der = certificate.public_bytes(Encoding.DER)
        if hashlib.new(name, der).digest() != self.cert_digest:
            return False
        return self.serial_number is None or self.serial_number == certificate.serial_number


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _b64_or_none(text: str | None) -> bytes | None:
    if not text:
        return None
    try:
        return base64.b64decode(text, validate=False)
    except ValueError:
        return None


def read_signed_properties(signature: etree._Element) -> SignedPropertiesInfo | None:
    """The XAdES signed properties of ``signature``; None when it has none."""
    signed = signature.find(f".//{qn('xd:SignedProperties')}")
    if signed is None:
        signed = signature.find(".//{http://uri.etsi.org/01903/v1.1.1#}SignedProperties")
        if signed is None:
            return None
    ns = etree.QName(signed).namespace
    time_el = signed.find(f".//{{{ns}}}SigningTime")
    cert = signed.find(f".//{{{ns}}}SigningCertificate/{{{ns}}}Cert")
    method = digest = serial = None
    if cert is not None:
        method_el = cert.find(f"{{{ns}}}CertDigest/{qn('ds:DigestMethod')}")
        value_el = cert.find(f"{{{ns}}}CertDigest/{qn('ds:DigestValue')}")
        serial_el = cert.find(f"{{{ns}}}IssuerSerial/{qn('ds:X509SerialNumber')}")
        method = method_el.get("Algorithm") if method_el is not None else None
        digest = _b64_or_none(value_el.text if value_el is not None else None)
        serial_text = (serial_el.text or "").strip() if serial_el is not None else ""
        serial = int(serial_text) if serial_text.isdigit() else None
    return SignedPropertiesInfo(
        signing_time=_parse_time(time_el.text if time_el is not None else None),
        cert_digest_method=method, cert_digest=digest, serial_number=serial,
    )
