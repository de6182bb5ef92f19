"""Sign a DOCX package as Word does (ECMA-376 Part 2 digital signatures, XAdES-BES).

The signature lives in ``/_xmlsignatures/sigN.xml`` and is reached from the package root
through ``/_xmlsignatures/origin.sigs``. Signing works on the zip bytes: no part that is
signed is rewritten, so the document must be complete (QR header included) before it is
signed. Several signers each add their own ``sigN.xml`` over the same parts.
"""

from __future__ import annotations

import base64
import posixpath
from datetime import datetime
from typing import Protocol

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from pipeline.errors import SigningError
from pipeline.ooxml.constants import ALG, CT, RT
from pipeline.ooxml.ns import NSMAP, qn
from pipeline.ooxml.opc import OpcError, OpcPackage, Relationship, resolve_target, serialize_part
from signing.ooxml.dsig import UnsupportedAlgorithm, b64_digest, c14n, ecdsa_der_to_raw, signature_method_for
from signing.ooxml.dsig import ds_element as _ds
from signing.ooxml.manifest import ManifestEntry, manifest_entries, relationship_transform
from signing.ooxml.xades import (
    OFFICE_OBJECT_ID,
    SIGNATURE_ID,
    SIGNED_PROPERTIES_ID,
    add_office_object,
    add_signed_properties_object,
    format_time,
)

__all__ = ["PACKAGE_OBJECT_ID", "RawSigner", "find_origin", "sign_package", "signature_parts"]

PACKAGE_OBJECT_ID = "idPackageObject"
DEFAULT_ORIGIN = "_xmlsignatures/origin.sigs"
_TIME_FORMAT = "YYYY-MM-DDThh:mm:ssTZD"


class RawSigner(Protocol):
    """Anything that holds a certificate and signs bytes with its private key.

    ``sign_raw(data, "sha256")`` returns a PKCS#1 v1.5 signature for RSA keys and a DER or
    ``r || s`` signature for ECDSA keys (``signing.software.SoftwareSigner`` fits).
    """

    @property
    def certificate(self) -> x509.Certificate: ...

    def sign_raw(self, data: bytes, digest: str) -> bytes: ...


def find_origin(package: OpcPackage) -> str | None:
    """The member name of the signature origin part, or None when the package has none."""
    for rel in package.rels(""):
        if rel.type == RT.ORIGIN and not rel.external:
            return resolve_target("", rel.target)
    return None


def signature_parts(package: OpcPackage) -> list[str]:
    """Member names of the signature parts listed by the origin, in relationship order."""
    origin = find_origin(package)
    if origin is None:
        return []
    return [resolve_target(origin, rel.target) for rel in package.rels(origin)
            if rel.type == RT.SIGNATURE and not rel.external]


def _ensure_origin(package: OpcPackage) -> str:
    origin = find_origin(package)
    if origin is not None:
        if origin not in package:
            package.write(origin, b"")
        return origin
    origin = DEFAULT_ORIGIN
    rels = package.rels("")
    rels.append(Relationship(package.next_rel_id(""), RT.ORIGIN, origin))
    package.set_rels("", rels)
    package.write(origin, b"")
    return origin


def _next_signature_name(package: OpcPackage, origin: str) -> str:
    folder = posixpath.dirname(origin)
    number = 1
    while posixpath.join(folder, f"sig{number}.xml") in package:
        number += 1
    return posixpath.join(folder, f"sig{number}.xml")


def _add_reference(parent: etree._Element, uri: str, digest: str, *, ref_type: str | None = None,
                   transforms: list[tuple[str, tuple[str, ...]]] = ()) -> None:
    attrs = {"URI": uri} if ref_type is None else {"URI": uri, "Type": ref_type}
    ref = _ds(parent, "Reference", **attrs)
    if transforms:
        transforms_el = _ds(ref, "Transforms")
        for algorithm, source_ids in transforms:
            transform = _ds(transforms_el, "Transform", Algorithm=algorithm)
            for source_id in source_ids:
                etree.SubElement(transform, qn("mdssi:RelationshipReference"), {"SourceId": source_id})
    _ds(ref, "DigestMethod", Algorithm=ALG.SHA256)
    _ds(ref, "DigestValue", digest)


def _entry_digest(package: OpcPackage, entry: ManifestEntry) -> str:
    data = package.read(entry.name)
    if entry.source_ids is not None:
        data = relationship_transform(data, set(entry.source_ids))
    return b64_digest(data, ALG.SHA256)


def _add_package_object(signature: etree._Element, package: OpcPackage, signing_time: datetime) -> None:
    obj = etree.SubElement(signature, qn("ds:Object"), {"Id": PACKAGE_OBJECT_ID}, nsmap={"mdssi": NSMAP["mdssi"]})
    manifest = _ds(obj, "Manifest")
    for entry in manifest_entries(package):
        transforms = [] if entry.source_ids is None else [
            (ALG.RELATIONSHIP_TRANSFORM, entry.source_ids), (ALG.C14N, ())]
        _add_reference(manifest, entry.uri, _entry_digest(package, entry), transforms=transforms)
    props = _ds(obj, "SignatureProperties")
    prop = _ds(props, "SignatureProperty", Id="idSignatureTime", Target="#" + SIGNATURE_ID)
    time_el = etree.SubElement(prop, qn("mdssi:SignatureTime"))
    etree.SubElement(time_el, qn("mdssi:Format")).text = _TIME_FORMAT
    etree.SubElement(time_el, qn("mdssi:Value")).text = format_time(signing_time)


def _find_id(root: etree._Element, value: str) -> etree._Element:
    found = root.xpath("//*[@Id=$v]", v=value)
    if len(found) != 1:
        raise SigningError(f"internal: {len(found)} elements with Id {value!r}")
    return found[0]


def _signature_value(signer: RawSigner, signed_info: bytes) -> bytes:
    raw = signer.sign_raw(signed_info, "sha256")
    key = signer.certificate.public_key()
    if isinstance(key, ec.EllipticCurvePublicKey):
        return ecdsa_der_to_raw(raw, key)
    return raw


def build_signature(package: OpcPackage, signer: RawSigner, signing_time: datetime, comments: str) -> bytes:
    """The ``sigN.xml`` bytes signing the current state of ``package``."""
    certificate = signer.certificate
    try:
        method = signature_method_for(certificate.public_key())
    except UnsupportedAlgorithm as exc:
        raise SigningError(str(exc)) from exc
    signature = etree.Element(qn("ds:Signature"), {"Id": SIGNATURE_ID}, nsmap={None: NSMAP["ds"]})
    signed_info = _ds(signature, "SignedInfo")
    _ds(signed_info, "CanonicalizationMethod", Algorithm=ALG.C14N)
    _ds(signed_info, "SignatureMethod", Algorithm=method)
    value_el = _ds(signature, "SignatureValue")
    x509_data = _ds(_ds(signature, "KeyInfo"), "X509Data")
    _ds(x509_data, "X509Certificate", base64.b64encode(certificate.public_bytes(Encoding.DER)).decode("ascii"))
    _add_package_object(signature, package, signing_time)
    add_office_object(signature, comments)
    add_signed_properties_object(signature, certificate, signing_time)
    for uri, ref_type, transforms in (
        (PACKAGE_OBJECT_ID, ALG.OBJECT_TYPE, []),
        (OFFICE_OBJECT_ID, ALG.OBJECT_TYPE, []),
        (SIGNED_PROPERTIES_ID, ALG.SIGNED_PROPERTIES_TYPE, [(ALG.C14N, ())]),
    ):
        digest = b64_digest(c14n(_find_id(signature, uri)), ALG.SHA256)
        _add_reference(signed_info, "#" + uri, digest, ref_type=ref_type, transforms=transforms)
    value_el.text = base64.b64encode(_signature_value(signer, c14n(signed_info))).decode("ascii")
    return serialize_part(signature)


def sign_package(docx_bytes: bytes, signer: RawSigner, *, signing_time: datetime, comments: str = "") -> bytes:
    """Add one signature by ``signer`` to the DOCX ``docx_bytes``; return the new zip bytes.

    ``signing_time`` (time-zone aware) is written to ``mdssi:SignatureTime`` and XAdES
    ``SigningTime``. Earlier signatures stay valid: they do not sign the parts this adds.
    """
    if signing_time.tzinfo is None:
        raise SigningError("signing_time must carry a time zone")
    try:
        package = OpcPackage.from_bytes(docx_bytes)
        origin = _ensure_origin(package)
        name = _next_signature_name(package, origin)
        sig_xml = build_signature(package, signer, signing_time, comments)
    except OpcError as exc:
        raise SigningError(f"cannot sign the package: {exc}") from exc
    package.write(name, sig_xml)
    origin_rels = package.rels(origin)
    origin_rels.append(Relationship(package.next_rel_id(origin), RT.SIGNATURE, posixpath.basename(name)))
    package.set_rels(origin, origin_rels)
    types = package.content_types()
    extension = posixpath.splitext(origin)[1].lstrip(".")
    if extension:
        types.add_default(extension, CT.SIGNATURE_ORIGIN)
    else:
        types.set_override(origin, CT.SIGNATURE_ORIGIN)
    types.set_override(name, CT.SIGNATURE_XML)
    package.set_content_types(types)
    return package.to_bytes()
