"""The signer abstraction: a certificate, its chain, and one raw-signature primitive.

All CMS work lives in :mod:`signing.cms`; a signer only turns the DER of the signed
attributes into a signature value (compare pyHanko's ``Signer.async_sign_raw``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import cached_property

from asn1crypto import algos
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from signing.identity import SignerIdentity, identity_from_certificate

__all__ = ["Signer"]


class Signer(ABC):
    """Something that signs as the holder of ``certificate``."""

    def __init__(self, certificate: x509.Certificate, chain: tuple[x509.Certificate, ...] = ()) -> None:
        self.certificate = certificate
        self.chain = tuple(chain)

    @cached_property
    def identity(self) -> SignerIdentity:
        return identity_from_certificate(self.certificate)

    @cached_property
    def asn1_certificate(self) -> asn1_x509.Certificate:
        """The certificate as asn1crypto sees it (parsed once)."""
        return asn1_x509.Certificate.load(self.certificate.public_bytes(Encoding.DER))

    @cached_property
    def asn1_chain(self) -> tuple[asn1_x509.Certificate, ...]:
        return tuple(asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in self.chain)

    @property
    @abstractmethod
    def signature_algorithm(self) -> algos.SignedDigestAlgorithm:
        """The algorithm written into SignerInfo.signatureAlgorithm."""

    @abstractmethod
    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        """Sign ``data`` (the DER of the signed attributes) hashing with ``digest_algorithm``."""
