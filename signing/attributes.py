"""Signed-attribute providers for CAdES-BES (compare pyHanko ``sign/attributes.py``).

Each provider yields one ``CMSAttribute``. Providers whose value does not depend on the
document (content type, signing-certificate-v2) build it once, so signing many documents
only builds the message digest and the signing time.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TypeVar

from asn1crypto import cms, tsp
from asn1crypto.core import Asn1Value
from asn1crypto import x509 as asn1_x509

T = TypeVar("T", bound=Asn1Value)

__all__ = [
    "AttributeProvider",
    "ContentTypeProvider",
    "MessageDigestProvider",
    "SigningCertificateV2Provider",
    "SigningContext",
    "SigningTimeProvider",
    "cades_bes",
    "frozen",
    "signed_attributes",
]


def frozen(value: T) -> T:
    """``value`` re-read from its DER, so that dumping it again costs nothing."""
    return type(value).load(value.dump())


@dataclass(frozen=True)
class SigningContext:
    """What a provider may depend on: the content digest and the claimed signing time."""

    message_digest: bytes
    signing_time: datetime


class AttributeProvider(ABC):
    """Builds one signed attribute."""

    @abstractmethod
    def attribute(self, context: SigningContext) -> cms.CMSAttribute:
        """The attribute for this signature."""


class ContentTypeProvider(AttributeProvider):
    """content-type = id-data (constant)."""

    @cached_property
    def _value(self) -> cms.CMSAttribute:
        return frozen(cms.CMSAttribute({"type": "content_type", "values": ["data"]}))

    def attribute(self, context: SigningContext) -> cms.CMSAttribute:
        return self._value


class MessageDigestProvider(AttributeProvider):
    """message-digest of the (detached) content."""

    def attribute(self, context: SigningContext) -> cms.CMSAttribute:
        return cms.CMSAttribute({"type": "message_digest", "values": [context.message_digest]})


class SigningTimeProvider(AttributeProvider):
    """signing-time as UTCTime (a claim of the signer, not a timestamp)."""

    def attribute(self, context: SigningContext) -> cms.CMSAttribute:
        when = context.signing_time.replace(microsecond=0)
        return cms.CMSAttribute({"type": "signing_time", "values": [cms.Time({"utc_time": when})]})


class SigningCertificateV2Provider(AttributeProvider):
    """signing-certificate-v2: ESSCertIDv2 with the SHA-256 of the certificate and issuer+serial."""

    def __init__(self, certificate: asn1_x509.Certificate) -> None:
        self._certificate = certificate

    @cached_property
    def _value(self) -> cms.CMSAttribute:
        cert = self._certificate
        ess_id = tsp.ESSCertIDv2({
            "hash_algorithm": {"algorithm": "sha256"},
            "cert_hash": hashlib.sha256(cert.dump()).digest(),
            "issuer_serial": {
                "issuer": [asn1_x509.GeneralName({"directory_name": cert.issuer})],
                "serial_number": cert.serial_number,
            },
        })
        value = tsp.SigningCertificateV2({"certs": [ess_id]})
        return frozen(cms.CMSAttribute({"type": "signing_certificate_v2", "values": [value]}))

    def attribute(self, context: SigningContext) -> cms.CMSAttribute:
        return self._value


def cades_bes(certificate: asn1_x509.Certificate) -> tuple[AttributeProvider, ...]:
    """The CAdES-BES signed attributes; a timestamp would be one more (unsigned) provider."""
    return (ContentTypeProvider(), MessageDigestProvider(), SigningTimeProvider(),
            SigningCertificateV2Provider(certificate))


def signed_attributes(providers: tuple[AttributeProvider, ...], context: SigningContext) -> cms.CMSAttributes:
    """The signed attributes (DER SET OF, sorted by asn1crypto when dumped)."""
    return cms.CMSAttributes([p.attribute(context) for p in providers])

