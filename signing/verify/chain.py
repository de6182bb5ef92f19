"""Trust: walk a signer certificate's issuers up to one of the given roots."""

from __future__ import annotations

from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import Encoding

__all__ = ["MAX_CHAIN", "chain_trusted", "valid_at"]

MAX_CHAIN = 8
"""Longest issuer chain followed (NCA RK chains are root → intermediate → person)."""


def valid_at(cert: x509.Certificate, when: datetime) -> bool:
    return cert.not_valid_before_utc <= when <= cert.not_valid_after_utc


def chain_trusted(cert: x509.Certificate, pool: list[x509.Certificate], roots: list[x509.Certificate],
                  when: datetime) -> tuple[bool, str]:
    """(trusted, reason): does ``cert`` chain, through ``pool``, to one of ``roots``?

    Every issuer on the way must have signed its child and be valid at ``when`` (the
    signing time). A certificate that is itself a given root is trusted.
    """
    if not roots:
        return False, "no trust anchor given (use --ca)"
    root_ders = {r.public_bytes(Encoding.DER) for r in roots}
    if cert.public_bytes(Encoding.DER) in root_ders:
        return True, ""
    current = cert
    for _ in range(MAX_CHAIN):
        for issuer in (c for c in roots + pool if c.subject == current.issuer and c is not current):
            try:
                current.verify_directly_issued_by(issuer)
            except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
                continue
            if not valid_at(issuer, when):
                return False, f"issuer {issuer.subject.rfc4514_string()} not valid at signing time"
            if issuer.public_bytes(Encoding.DER) in root_ders:
                return True, ""
            current = issuer
            break
        else:
            return False, f"untrusted root: no chain to the given CA (issuer {current.issuer.rfc4514_string()})"
    return False, "certificate chain too long"
