"""Detached CAdES-BES signatures (``.p7s``, DER) over any bytes, and co-signatures.

``sign_detached`` writes a SignedData with one SignerInfo (SHA-256; signed attributes
content-type, message-digest, signing-time, signing-certificate-v2). ``cosign`` adds one
SignerInfo and its certificates to an existing SignedData; earlier SignerInfos keep their
exact bytes. Both accept a :class:`~signing.signer.Signer` (raw signature, CMS built here) or
an :class:`~signing.external.ExternalSigner` (the other program returns a whole CMS, merged here).
"""

from __future__ import annotations

import hashlib
import os
from datetime import datetime, timezone
from weakref import WeakKeyDictionary

from asn1crypto import algos, cms, core
from asn1crypto import x509 as asn1_x509

from pipeline.errors import SigningError
from signing.attributes import AttributeProvider, SigningContext, cades_bes, frozen, signed_attributes
from signing.external import ExternalSigner
from signing.signer import Signer
from signing.template import DerTemplate, checked_template, marker_time, time_from_value, utc_time_value

__all__ = [
    "AlreadySigned",
    "cosign",
    "load_signed_data",
    "merge",
    "present_items",
    "sign_detached",
    "sign_digest",
    "signed_by",
]

DIGEST_ALGORITHM = "sha256"
_SHA256 = frozen(algos.DigestAlgorithm({"algorithm": DIGEST_ALGORITHM}))


class AlreadySigned(SigningError):
    """The signature file already holds a SignerInfo of this certificate."""


class _SignerParts:
    """What stays the same for every signature of one signer, and its DER templates."""

    def __init__(self, signer: Signer) -> None:
        cert = signer.asn1_certificate
        self.providers: tuple[AttributeProvider, ...] = cades_bes(cert)
        self.sid = frozen(cms.SignerIdentifier({"issuer_and_serial_number": cms.IssuerAndSerialNumber(
            {"issuer": cert.issuer, "serial_number": cert.serial_number})}))
        self.signature_algorithm = frozen(signer.signature_algorithm)
        self.certificates = [cert, *signer.asn1_chain]
        self.attrs_template = checked_template(self.encode_attrs, _markers)
        self._templates: dict[int, DerTemplate | None] = {}

    def attributes(self, digest: bytes, when: datetime) -> cms.CMSAttributes:
        return signed_attributes(self.providers, SigningContext(digest, when))

    def encode_attrs(self, values: dict[str, bytes]) -> bytes:
        return self.attributes(values["digest"], time_from_value(values["time"])).dump()

    def signer_info(self, attrs: cms.CMSAttributes, signature: bytes) -> cms.SignerInfo:
        return cms.SignerInfo({
            "version": "v1",
            "sid": self.sid,
            "digest_algorithm": _SHA256,
            "signed_attrs": attrs,
            "signature_algorithm": self.signature_algorithm,
            "signature": signature,
        })

    def encode_content_info(self, values: dict[str, bytes]) -> bytes:
        attrs = self.attributes(values["digest"], time_from_value(values["time"]))
        return _content_info([self.signer_info(attrs, values["signature"])], self.certificates)

    def content_template(self, signature_size: int) -> DerTemplate | None:
        if signature_size not in self._templates:
            self._templates[signature_size] = checked_template(
                self.encode_content_info, lambda: {**_markers(), "signature": os.urandom(signature_size)})
        return self._templates[signature_size]


def _markers() -> dict[str, bytes]:
    return {"digest": os.urandom(32), "time": marker_time()}


_PARTS: WeakKeyDictionary[Signer, _SignerParts] = WeakKeyDictionary()


def _parts(signer: Signer) -> _SignerParts:
    parts = _PARTS.get(signer)
    if parts is None:
        parts = _PARTS[signer] = _SignerParts(signer)
    return parts


def _content_info(signer_infos: list[cms.SignerInfo], certificates: list[asn1_x509.Certificate],
                  content: bytes | None = None) -> bytes:
    encap = {"content_type": "data"} if content is None else {"content_type": "data", "content": content}
    signed = cms.SignedData({
        "version": "v1",
        "digest_algorithms": [_SHA256],
        "encap_content_info": encap,
        "certificates": certificates,
        "signer_infos": signer_infos,
    })
    return cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump()


def _sign(digest: bytes, signer: Signer, signing_time: datetime | None, content: bytes | None = None) -> bytes:
    """One SignedData with one SignerInfo; through the templates when they apply."""
    parts = _parts(signer)
    when = (signing_time or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    values = {"digest": digest, "time": utc_time_value(when)}
    if parts.attrs_template is not None and content is None:
        values["signature"] = signer.sign_raw(parts.attrs_template.render(values), DIGEST_ALGORITHM)
        template = parts.content_template(len(values["signature"]))
        if template is not None:
            return template.render(values)
        return parts.encode_content_info(values)
    attrs = parts.attributes(digest, when)
    signature = signer.sign_raw(attrs.dump(), DIGEST_ALGORITHM)
    return _content_info([parts.signer_info(attrs, signature)], parts.certificates, content)


def sign_digest(digest: bytes, signer: Signer, signing_time: datetime | None = None) -> bytes:
    """A detached CAdES-BES over content whose SHA-256 is ``digest`` (DER)."""
    if len(digest) != hashlib.sha256().digest_size:
        raise SigningError("a SHA-256 digest has 32 bytes")
    return _sign(digest, signer, signing_time)


def sign_detached(data: bytes, signer: Signer | ExternalSigner, signing_time: datetime | None = None,
                  *, encapsulate: bool = False) -> bytes:
    """A CAdES-BES over ``data`` (DER); detached unless ``encapsulate``."""
    if isinstance(signer, ExternalSigner):
        return signer.sign_detached(data)
    return _sign(hashlib.sha256(data).digest(), signer, signing_time, data if encapsulate else None)


def load_signed_data(blob: bytes) -> cms.SignedData:
    """The SignedData inside a DER ContentInfo; SigningError if it is not one."""
    try:
        info = cms.ContentInfo.load(blob)
        if info["content_type"].native != "signed_data":
            raise SigningError(f"not a CMS SignedData but {info['content_type'].native}")
        signed = info["content"]
        for signer_info in signed["signer_infos"]:
            signer_info["sid"].native  # noqa: B018 - parse now so damage shows here
        return signed
    except (ValueError, TypeError, KeyError) as exc:
        raise SigningError(f"not a valid CMS signature file: {exc}") from None


def present_items(value: core.Asn1Value) -> list[core.Asn1Value]:
    """The items of an optional SET OF field; empty when the field is absent."""
    return [] if isinstance(value, core.Void) else list(value)


def _sid_key(signer_info: cms.SignerInfo) -> tuple[object, ...]:
    sid = signer_info["sid"]
    if sid.name == "issuer_and_serial_number":
        return ("issuer", sid.chosen["issuer"].dump(), sid.chosen["serial_number"].native)
    return ("ski", sid.chosen.native)


def _cert_keys(cert: asn1_x509.Certificate) -> set[tuple[object, ...]]:
    keys: set[tuple[object, ...]] = {("issuer", cert.issuer.dump(), cert.serial_number)}
    if cert.key_identifier:
        keys.add(("ski", cert.key_identifier))
    return keys


def signed_by(p7s: bytes, certificate: asn1_x509.Certificate) -> bool:
    """True if a SignerInfo of ``p7s`` names ``certificate``."""
    keys = _cert_keys(certificate)
    return any(_sid_key(si) in keys for si in load_signed_data(p7s)["signer_infos"])


def _check_same_content(signed: cms.SignedData, digest: bytes) -> None:
    for signer_info in signed["signer_infos"]:
        if signer_info["digest_algorithm"]["algorithm"].native != DIGEST_ALGORITHM:
            continue
        for attr in signer_info["signed_attrs"]:
            if attr["type"].native == "message_digest" and attr["values"][0].native != digest:
                raise SigningError("the existing signature file was made over other content")


def merge(existing: bytes, addition: bytes) -> bytes:
    """Add the SignerInfos and certificates of ``addition`` to ``existing`` (same content)."""
    old, new = load_signed_data(existing), load_signed_data(addition)
    present = {_sid_key(si) for si in old["signer_infos"]}
    for signer_info in new["signer_infos"]:
        if _sid_key(signer_info) in present:
            raise AlreadySigned("this certificate has already signed the document")
    certificates = present_items(old["certificates"])
    have = {c.chosen.dump() for c in certificates}
    for cert in present_items(new["certificates"]):
        if cert.chosen.dump() not in have:
            certificates.append(cert)
            have.add(cert.chosen.dump())
    algorithms = list(old["digest_algorithms"])
    names = {a["algorithm"].native for a in algorithms}
    algorithms += [a for a in new["digest_algorithms"] if a["algorithm"].native not in names]
    fields = {
        "version": max(old["version"].native, new["version"].native),
        "digest_algorithms": algorithms,
        "encap_content_info": old["encap_content_info"],
        "certificates": certificates,
        "signer_infos": [*old["signer_infos"], *new["signer_infos"]],
    }
    if not isinstance(old["crls"], core.Void):
        fields["crls"] = old["crls"]
    return cms.ContentInfo({"content_type": "signed_data", "content": cms.SignedData(fields)}).dump()


def cosign(existing_p7s: bytes, data: bytes, signer: Signer | ExternalSigner,
           signing_time: datetime | None = None) -> bytes:
    """``existing_p7s`` with one more SignerInfo by ``signer`` over the same ``data``."""
    signed = load_signed_data(existing_p7s)
    digest = hashlib.sha256(data).digest()
    _check_same_content(signed, digest)
    if isinstance(signer, ExternalSigner):
        return merge(existing_p7s, signer.sign_detached(data))
    if signed_by(existing_p7s, signer.asn1_certificate):
        raise AlreadySigned("this certificate has already signed the document")
    return merge(existing_p7s, _sign(digest, signer, signing_time))
