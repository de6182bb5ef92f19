"""Validation of detached CMS/CAdES signatures; returns statuses, never raises.

For each SignerInfo: the algorithms must be ones implemented here (the Kazakh GOST family
gives INDETERMINATE "algorithm not supported here"), the content digest must match the
message-digest attribute, the signature value must verify, signing-certificate-v2 (if
present) must name the certificate, the certificate must chain to one of the given roots and
be valid at the claimed signing time, and, when asked, the signer must be the expected person.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from asn1crypto import cms, core, parser
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.exceptions import UnsupportedAlgorithm as _CryptoUnsupported
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from pipeline.errors import KeyRejected
from signing.identity import SignerIdentity, identity_from_certificate
from signing.keys import GOST_KEY_OIDS, check_certificate
from signing.verify.chain import chain_trusted
from signing.verify.errors import (
    DigestMismatch,
    MalformedSignature,
    SignatureValidationError,
    UnsupportedAlgorithm,
)
from signing.verify.status import Indication, SignatureStatus

__all__ = ["Expectation", "load_roots", "validate_detached"]

_HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512, "sha1": hashes.SHA1}
_GOST_OIDS = {**GOST_KEY_OIDS, "1.2.398.3.10.1.3.1": "GOST 34.311-95 hash"}


@dataclass(frozen=True)
class Expectation:
    """Who may sign: a set of IINs (None: anyone)."""

    iins: frozenset[str] | None = None


def load_roots(path: Path | str) -> list[x509.Certificate]:
    """The trust anchors in a PEM (or DER) file."""
    blob = Path(path).read_bytes()
    if b"-----BEGIN" in blob:
        return x509.load_pem_x509_certificates(blob)
    return [x509.load_der_x509_certificate(blob)]


def _algorithm_name(oid: str) -> str:
    return _GOST_OIDS.get(oid, oid)


def _check_algorithms(signer_info: cms.SignerInfo, cert: x509.Certificate) -> None:
    digest = signer_info["digest_algorithm"]["algorithm"]
    if digest.native not in _HASHES:
        raise UnsupportedAlgorithm(f"algorithm not supported here ({_algorithm_name(digest.dotted)})")
    sig_alg = signer_info["signature_algorithm"]["algorithm"]
    if sig_alg.dotted in _GOST_OIDS:
        raise UnsupportedAlgorithm(f"algorithm not supported here ({_algorithm_name(sig_alg.dotted)})")
    try:
        key = cert.public_key()
    except (_CryptoUnsupported, ValueError):
        oid = cert.public_key_algorithm_oid.dotted_string
        raise UnsupportedAlgorithm(f"algorithm not supported here ({_algorithm_name(oid)})") from None
    if not isinstance(key, (rsa.RSAPublicKey, ec.EllipticCurvePublicKey)):
        raise UnsupportedAlgorithm(f"algorithm not supported here ({type(key).__name__})")


def _attribute(signer_info: cms.SignerInfo, name: str) -> object | None:
    attrs = signer_info["signed_attrs"]
    if isinstance(attrs, core.Void):
        return None
    for attr in attrs:
        if attr["type"].native == name:
            return attr["values"][0]
    return None


def _signing_time(signer_info: cms.SignerInfo) -> datetime | None:
    value = _attribute(signer_info, "signing_time")
    return value.native if value is not None else None


def _der_length(size: int) -> bytes:
    if size < 0x80:
        return bytes([size])
    octets = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


def _in_der_order(contents: bytes) -> bool:
    """Are the elements of a SET OF (its contents octets) sorted as DER requires?"""
    elements, offset = [], 0
    while offset < len(contents):
        size = parser.peek(contents[offset:])
        elements.append(contents[offset:offset + size])
        offset += size
    return elements == sorted(elements)


def _original_attributes(signer_info: cms.SignerInfo) -> bytes | None:
    """The contents octets of the signed attributes as received; read before anything re-encodes them."""
    attrs = signer_info["signed_attrs"]
    return None if isinstance(attrs, core.Void) else attrs.contents


def _signed_attributes_der(attrs: cms.CMSAttributes, original: bytes) -> tuple[bytes, bool]:
    """(bytes to verify, re-encoded?) for the signed attributes.

    RFC 5652 5.4: the signature covers the DER of the attributes with the SET OF tag (0x31)
    instead of the [0] IMPLICIT one. When the attributes arrived in DER order, that is the
    original contents under a 0x31 header: no re-encoding. When they did not (the SET is not
    sorted), the canonical re-encoding is returned, as qujat has always verified: a signature
    over an unsorted SET is not a CMS signature (DER encoders, NCALayer and qujat included, sort it).
    """
    if _in_der_order(original):
        return b"\x31" + _der_length(len(original)) + original, False
    return attrs.untag().dump(), True


def _verify_bytes(key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey, signature: bytes, data: bytes,
                  algorithm: type[hashes.HashAlgorithm]) -> bool:
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), algorithm())
        else:
            key.verify(signature, data, ec.ECDSA(algorithm()))
    except InvalidSignature:
        return False
    return True


def _verify_value(signer_info: cms.SignerInfo, cert: x509.Certificate, content: bytes,
                  original: bytes | None) -> None:
    algorithm = _HASHES[signer_info["digest_algorithm"]["algorithm"].native]
    attrs = signer_info["signed_attrs"]
    recoded = True
    if original is None:
        signed_bytes = content
    else:
        digest = _attribute(signer_info, "message_digest")
        if digest is None:
            raise SignatureValidationError("no message-digest attribute")
        actual = hashes.Hash(algorithm())
        actual.update(content)
        if digest.native != actual.finalize():
            raise DigestMismatch("content digest mismatch: the document is not the one signed")
        signed_bytes, recoded = _signed_attributes_der(attrs, original)
    signature = signer_info["signature"].native
    key = cert.public_key()
    if _verify_bytes(key, signature, signed_bytes, algorithm):
        return
    if not recoded:  # in DER order, but an attribute inside may not be minimal DER: try the canonical form
        canonical = attrs.untag().dump()
        if canonical != signed_bytes and _verify_bytes(key, signature, canonical, algorithm):
            return
    raise SignatureValidationError("signature value invalid")


def _check_signing_certificate(signer_info: cms.SignerInfo, cert_der: bytes) -> None:
    value = _attribute(signer_info, "signing_certificate_v2")
    if value is None:
        return
    ids = value["certs"]
    if not len(ids):
        raise SignatureValidationError("signing-certificate-v2 is empty")
    first = ids[0]
    name = first["hash_algorithm"]["algorithm"].native
    if name not in ("sha256", "sha384", "sha512", "sha1"):
        raise UnsupportedAlgorithm(f"algorithm not supported here ({name} in signing-certificate-v2)")
    if hashlib.new(name, cert_der).digest() != first["cert_hash"].native:
        raise SignatureValidationError("signing-certificate-v2 does not name the signer's certificate")


def _first_by(key: Callable[[asn1_x509.Certificate], Hashable],
              certs: list[asn1_x509.Certificate]) -> dict[Hashable, asn1_x509.Certificate]:
    """``certs`` by ``key``; the first one wins, as in a scan of the certificate list."""
    found: dict[Hashable, asn1_x509.Certificate] = {}
    for cert in certs:
        found.setdefault(key(cert), cert)
    return found


class _Certificates:
    """The certificates of one SignedData, looked up by signer identifier; parsed once."""

    def __init__(self, choices: list[cms.CertificateChoices]) -> None:
        self._certs = [c.chosen for c in choices if c.name == "certificate"]
        self._by_issuer_serial = _first_by(lambda c: (c.issuer.dump(), c.serial_number), self._certs)
        self._by_name: dict[Hashable, asn1_x509.Certificate] | None = None
        self._by_key_id: dict[Hashable, asn1_x509.Certificate] | None = None
        self._loaded: dict[bytes, x509.Certificate] = {}

    def find(self, signer_info: cms.SignerInfo) -> bytes | None:
        """The DER of the certificate that ``signer_info`` names, or None."""
        sid = signer_info["sid"]
        if sid.name == "issuer_and_serial_number":
            issuer, serial = sid.chosen["issuer"], sid.chosen["serial_number"].native
            cert = self._by_issuer_serial.get((issuer.dump(), serial))
            if cert is None:  # the same name encoded otherwise (e.g. PrintableString vs UTF8String)
                if self._by_name is None:
                    self._by_name = _first_by(lambda c: (c.issuer.hashable, c.serial_number), self._certs)
                cert = self._by_name.get((issuer.hashable, serial))
        else:
            if self._by_key_id is None:
                self._by_key_id = _first_by(lambda c: c.key_identifier, self._certs)
            cert = self._by_key_id.get(sid.chosen.native)
        return None if cert is None else cert.dump()

    def load(self, der: bytes) -> x509.Certificate:
        """``der`` as a cryptography certificate (one object per certificate and SignedData)."""
        cert = self._loaded.get(der)
        if cert is None:
            cert = self._loaded[der] = x509.load_der_x509_certificate(der)
        return cert

    def pool(self) -> list[x509.Certificate]:
        """All certificates of the SignedData, for the chain walk."""
        return [self.load(c.dump()) for c in self._certs]


def _one(signer_info: cms.SignerInfo, certs: _Certificates, content: bytes,
         roots: list[x509.Certificate], expected: Expectation | None, source: str) -> SignatureStatus:
    original = _original_attributes(signer_info)
    signing_time = _signing_time(signer_info)
    cert_der = certs.find(signer_info)
    if cert_der is None:
        return SignatureStatus(False, False, None, Indication.INDETERMINATE,
                               "signer certificate is not in the signature file", None, signing_time, source)
    cert = certs.load(cert_der)
    identity: SignerIdentity | None = identity_from_certificate(cert)
    role_ok = None if expected is None or expected.iins is None else (
        identity.iin is not None and str(identity.iin) in expected.iins)

    def status(intact: bool, trusted: bool, indication: Indication, reason: str) -> SignatureStatus:
        return SignatureStatus(intact, trusted, role_ok, indication, reason, identity, signing_time, source)

    try:
        _check_algorithms(signer_info, cert)
        _check_signing_certificate(signer_info, cert_der)
        _verify_value(signer_info, cert, content, original)
    except DigestMismatch as exc:
        return status(False, False, Indication.FAILED, str(exc))
    except SignatureValidationError as exc:
        return status(False, False, exc.indication, str(exc))
    when = signing_time or datetime.now(timezone.utc)
    trusted, why = chain_trusted(cert, certs.pool(), roots, when)
    if role_ok is False:
        who = identity.iin.masked() if identity.iin else identity.name
        return status(True, trusted, Indication.FAILED, f"wrong person: signer {who} is not an expected signer")
    try:
        check_certificate(cert, when, where="signer certificate")
    except KeyRejected as exc:
        indication = Indication.FAILED if exc.reason == "authentication key" else Indication.INDETERMINATE
        reason = {"expired": "certificate expired at signing time",
                  "not yet valid": "certificate not yet valid at signing time"}.get(exc.reason, str(exc))
        return status(True, trusted, indication, reason)
    if not trusted:
        return status(True, False, Indication.INDETERMINATE, why)
    return status(True, True, Indication.PASSED, "signature valid")


def validate_detached(p7s: bytes, content: bytes, *, roots: Iterable[x509.Certificate] = (),
                      expected: Expectation | None = None, source: str = "") -> list[SignatureStatus]:
    """One status per SignerInfo of ``p7s`` over ``content``; a damaged file gives one FAILED status."""
    try:
        signed = _load(p7s)
        infos = list(signed["signer_infos"])
        certs = _Certificates([] if isinstance(signed["certificates"], core.Void) else list(signed["certificates"]))
    except MalformedSignature as exc:
        return [SignatureStatus(False, False, None, Indication.FAILED, str(exc), source=source)]
    except (ValueError, TypeError, KeyError) as exc:
        return [SignatureStatus(False, False, None, Indication.FAILED,
                                f"not a valid CMS signature file: {exc}", source=source)]
    if not infos:
        return [SignatureStatus(False, False, None, Indication.FAILED, "no signatures in the file", source=source)]
    root_list = list(roots)
    results = []
    for index, signer_info in enumerate(infos):
        where = f"{source}#{index + 1}" if source else f"#{index + 1}"
        try:
            results.append(_one(signer_info, certs, content, root_list, expected, where))
        except (ValueError, TypeError, KeyError) as exc:
            results.append(SignatureStatus(False, False, None, Indication.FAILED,
                                           f"damaged signature: {exc}", source=where))
    return results


def _load(p7s: bytes) -> cms.SignedData:
    try:
        info = cms.ContentInfo.load(p7s)
        if info["content_type"].native != "signed_data":
            raise MalformedSignature(f"not a CMS SignedData but {info['content_type'].native}")
        return info["content"]
    except (ValueError, TypeError) as exc:
        raise MalformedSignature(f"not a valid CMS signature file: {exc}") from None

