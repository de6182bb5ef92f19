"""Verify the signatures embedded in a DOCX package (ECMA-376 Part 2), strictly.

Besides the digests and the signature value, the check covers *coverage*: every part and
relationship that Office signs must be in the signed Manifest, so a part, a header or a
relationship added after signing fails the signature even though no digest changed (which
LibreOffice accepts). Returns one :class:`~signing.verify.status.SignatureStatus` per
signature part and never raises.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import unquote

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from lxml import etree

from pipeline.errors import KeyRejected
from pipeline.ooxml.constants import ALG
from pipeline.ooxml.ns import qn
from pipeline.ooxml.opc import ContentTypes, OpcError, OpcPackage, parse_rels, part_uri
from pipeline.ooxml.xml import UnsafeXmlError, parse_xml
from signing.identity import identity_from_certificate
from signing.keys import check_certificate
from signing.ooxml.dsig import (
    SIGNATURE_METHODS,
    UnsupportedAlgorithm,
    b64_digest,
    c14n,
    ecdsa_raw_to_der,
)
from signing.ooxml.manifest import (
    ManifestEntry,
    manifest_entries,
    relationship_transform,
)
from signing.ooxml.package_sig import signature_parts
from signing.ooxml.xades import read_signed_properties
from signing.verify.chain import chain_trusted
from signing.verify.status import Indication, SignatureStatus

__all__ = ["verify_package"]

_C14N_ALGORITHMS = {ALG.C14N: False, ALG.C14N_COMMENTS: True}
_HASHES = {"sha1": hashes.SHA1, "sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


class _Failed(Exception):
    """The signature is proven wrong (FAILED)."""


class _Unsupported(Exception):
    """The signature cannot be checked here (INDETERMINATE)."""


@dataclass
class _Covered:
    """What one signature's Manifest signs: parts with content types, and relationship ids."""

    parts: dict[str, str] = field(default_factory=dict)
    relationship_ids: dict[str, set[str]] = field(default_factory=dict)


def _children(el: etree._Element, tag: str) -> list[etree._Element]:
    return list(el.iterchildren(qn(tag)))


def _one_child(el: etree._Element, tag: str) -> etree._Element:
    found = _children(el, tag)
    if len(found) != 1:
        raise _Failed(f"expected one {tag}, found {len(found)}")
    return found[0]


def _check_digest(ref: etree._Element, data: bytes) -> None:
    method = _one_child(ref, "ds:DigestMethod").get("Algorithm", "")
    expected = (_one_child(ref, "ds:DigestValue").text or "").strip()
    try:
        actual = b64_digest(data, method)
    except UnsupportedAlgorithm as exc:
        raise _Unsupported(str(exc)) from exc
    if base64.b64decode(expected) != base64.b64decode(actual):
        raise _Failed(f"digest mismatch for {ref.get('URI')}")


def _transforms(ref: etree._Element) -> list[etree._Element]:
    block = _children(ref, "ds:Transforms")
    return _children(block[0], "ds:Transform") if block else []


def _by_id(root: etree._Element, value: str) -> etree._Element:
    found = root.xpath("//*[@Id=$v]", v=value)
    if len(found) != 1:
        raise _Failed(f"{len(found)} elements carry Id {value!r}")
    return found[0]


def _check_signed_info(root: etree._Element, signed_info: etree._Element) -> list[etree._Element]:
    """Check every SignedInfo reference; return the signed elements."""
    signed = []
    for ref in _children(signed_info, "ds:Reference"):
        uri = ref.get("URI", "")
        if not uri.startswith("#"):
            raise _Failed(f"SignedInfo references {uri!r}, not an element of the signature")
        target = _by_id(root, uri[1:])
        with_comments = False
        for transform in _transforms(ref):
            algorithm = transform.get("Algorithm", "")
            if algorithm not in _C14N_ALGORITHMS:
                raise _Unsupported(f"transform {algorithm} is not supported here")
            with_comments = _C14N_ALGORITHMS[algorithm]
        _check_digest(ref, c14n(target, with_comments=with_comments))
        signed.append(target)
    return signed


def _check_manifest_reference(package: OpcPackage, types: ContentTypes, ref: etree._Element,
                              covered: _Covered) -> None:
    uri = ref.get("URI", "")
    path, _, query = uri.partition("?")
    name = unquote(path).lstrip("/")
    content_type = query[len("ContentType="):] if query.startswith("ContentType=") else ""
    if name not in package:
        raise _Failed(f"signed part {path} is missing")
    actual_type = types.content_type(name) or ""
    if content_type != actual_type:
        raise _Failed(f"content type of {path} changed: signed {content_type!r}, now {actual_type!r}")
    data = package.read(name)
    ids: set[str] = set()
    types: set[str] = set()
    transforms = _transforms(ref)
    for transform in transforms:
        algorithm = transform.get("Algorithm", "")
        if algorithm == ALG.RELATIONSHIP_TRANSFORM:
            ids = {el.get("SourceId", "") for el in transform.iterchildren(qn("mdssi:RelationshipReference"))}
            types = {el.get("SourceType", "") for el in
                     transform.iterchildren(qn("mdssi:RelationshipsGroupReference"))}
            data = relationship_transform(data, ids, types)
        elif algorithm in _C14N_ALGORITHMS:
            data = c14n(parse_xml(data), with_comments=_C14N_ALGORITHMS[algorithm])
        else:
            raise _Unsupported(f"transform {algorithm} is not supported here")
    _check_digest(ref, data)
    covered.parts[name] = content_type
    if transforms:
        covered.relationship_ids.setdefault(name, set()).update(ids)
        if types:
            covered.relationship_ids[name].update(
                rel.id for rel in parse_rels(package.read(name)) if rel.type in types)


def _check_coverage(expected: list[ManifestEntry], covered: _Covered) -> None:
    for entry in expected:
        if entry.source_ids is None:
            if entry.name not in covered.parts:
                raise _Failed(f"part {part_uri(entry.name)} is not covered by the signature")
            continue
        missing = sorted(set(entry.source_ids) - covered.relationship_ids.get(entry.name, set()))
        if missing:
            raise _Failed(f"relationship {', '.join(missing)} of {part_uri(entry.name)} "
                          "is not covered by the signature")


_DIGEST_INFO_NO_NULL = {
    "sha1": bytes.fromhex("301f300706052b0e03021a0414"),
    "sha256": bytes.fromhex("302f300b0609608648016503040201" "0420"),
}
"""DigestInfo prefixes with the (allowed) absent NULL parameters, which some Office versions write."""


def _verify_rsa(key: rsa.RSAPublicKey, value: bytes, data: bytes, hash_name: str) -> None:
    try:
        key.verify(value, data, padding.PKCS1v15(), _HASHES[hash_name]())
    except InvalidSignature:
        prefix = _DIGEST_INFO_NO_NULL.get(hash_name)
        recovered = key.recover_data_from_signature(value, padding.PKCS1v15(), None)
        if prefix is None or recovered != prefix + hashlib.new(hash_name, data).digest():
            raise


def _verify_value(signed_info: etree._Element, value: bytes, method: str, cert: x509.Certificate) -> None:
    if method not in SIGNATURE_METHODS:
        raise _Unsupported(f"signature algorithm {method} is not supported here")
    kind, hash_name = SIGNATURE_METHODS[method]
    key = cert.public_key()
    data = c14n(signed_info)
    try:
        if kind == "rsa" and isinstance(key, rsa.RSAPublicKey):
            _verify_rsa(key, value, data, hash_name)
        elif kind == "ec" and isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(ecdsa_raw_to_der(value, key), data, ec.ECDSA(_HASHES[hash_name]()))
        else:
            raise _Failed(f"signature method {method} does not match the certificate key")
    except (InvalidSignature, ValueError) as exc:
        raise _Failed("signature value does not verify") from exc


def _certificates(root: etree._Element) -> list[x509.Certificate]:
    certs = []
    for el in root.iterfind(f"{qn('ds:KeyInfo')}/{qn('ds:X509Data')}/{qn('ds:X509Certificate')}"):
        try:
            certs.append(x509.load_der_x509_certificate(base64.b64decode(el.text or "")))
        except ValueError as exc:
            raise _Failed(f"unreadable X509Certificate: {exc}") from exc
    return certs


def _signer_certificate(certs: list[x509.Certificate]) -> x509.Certificate:
    """The end-entity certificate: the one that issued none of the others."""
    if not certs:
        raise _Unsupported("the signature carries no X509Certificate")
    issuers = {c.issuer for c in certs}
    leaves = [c for c in certs if c.subject not in issuers or len(certs) == 1]
    return leaves[0] if leaves else certs[0]


def _mdssi_time(root: etree._Element) -> datetime | None:
    el = root.find(f".//{qn('mdssi:SignatureTime')}/{qn('mdssi:Value')}")
    if el is None or not el.text:
        return None
    try:
        moment = datetime.fromisoformat(el.text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _verify_one(package: OpcPackage, name: str, expected: list[ManifestEntry] | None,
                coverage_error: str | None, roots: list[x509.Certificate], source: str) -> SignatureStatus:
    where = f"{source}:{part_uri(name)}" if source else part_uri(name)
    identity = None
    signing_time = None

    def status(intact: bool, trusted: bool, indication: Indication, reason: str) -> SignatureStatus:
        return SignatureStatus(intact, trusted, None, indication, reason, identity, signing_time, where, "ooxml")

    try:
        root = parse_xml(package.read(name))
        if root.tag != qn("ds:Signature"):
            raise _Failed("the signature part holds no ds:Signature")
        certs = _certificates(root)
        cert = _signer_certificate(certs)
        identity = identity_from_certificate(cert)
        props = read_signed_properties(root)
        signing_time = (props.signing_time if props else None) or _mdssi_time(root)
        signed_info = _one_child(root, "ds:SignedInfo")
        method = _one_child(signed_info, "ds:SignatureMethod").get("Algorithm", "")
        signed = _check_signed_info(root, signed_info)
        value = base64.b64decode("".join((_one_child(root, "ds:SignatureValue").text or "").split()))
        _verify_value(signed_info, value, method, cert)
        manifests = [m for el in signed for m in el.iter(qn("ds:Manifest"))]
        if not manifests:
            raise _Failed("no signed Manifest: the package parts are not signed")
        covered = _Covered()
        types = package.content_types()
        for manifest in manifests:
            for ref in _children(manifest, "ds:Reference"):
                _check_manifest_reference(package, types, ref, covered)
        if coverage_error:
            raise _Failed(coverage_error)
        _check_coverage(expected or [], covered)
        if props is not None and not props.matches(cert):
            raise _Failed("XAdES SigningCertificate does not match the signer certificate")
    except _Unsupported as exc:
        return status(False, False, Indication.INDETERMINATE, f"algorithm not supported here: {exc}")
    except (_Failed, UnsafeXmlError, OpcError) as exc:
        return status(False, False, Indication.FAILED, str(exc))
    except (ValueError, TypeError) as exc:
        return status(False, False, Indication.FAILED, f"damaged signature: {exc}")
    when = signing_time or datetime.now(timezone.utc)
    trusted, why = chain_trusted(cert, [c for c in certs if c is not cert], roots, when)
    try:
        check_certificate(cert, when, where="signer certificate")
    except KeyRejected as exc:
        indication = Indication.FAILED if exc.reason == "authentication key" else Indication.INDETERMINATE
        return status(True, trusted, indication, str(exc))
    if not trusted:
        return status(True, False, Indication.INDETERMINATE, why)
    return status(True, True, Indication.PASSED, "signature valid")


def verify_package(docx_bytes: bytes, trusted_roots: Iterable[x509.Certificate] = (), *,
                   source: str = "") -> list[SignatureStatus]:
    """One status per signature of the DOCX ``docx_bytes``; a package without any gives one FAILED."""
    try:
        package = OpcPackage.from_bytes(docx_bytes)
        names = signature_parts(package)
    except (OpcError, UnsafeXmlError) as exc:
        return [SignatureStatus(False, False, None, Indication.FAILED, f"not a readable package: {exc}",
                                source=source, kind="ooxml")]
    if not names:
        return [SignatureStatus(False, False, None, Indication.FAILED, "the package carries no signature",
                                source=source, kind="ooxml")]
    expected: list[ManifestEntry] | None = None
    coverage_error = None
    try:
        expected = manifest_entries(package)
    except (OpcError, UnsafeXmlError) as exc:
        coverage_error = f"package structure broken: {exc}"
    roots = list(trusted_roots)
    return [_verify_one(package, name, expected, coverage_error, roots, source) for name in names]
