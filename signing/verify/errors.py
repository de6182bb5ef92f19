"""Errors met while validating a signature; :mod:`signing.verify.cms` turns each into a status.

Validation never raises to its caller: these stay inside the validator and carry the
indication the resulting :class:`~signing.verify.status.SignatureStatus` gets.
"""

from __future__ import annotations

from pipeline.errors import SigningError, UserError
from signing.verify.status import Indication

__all__ = [
    "DigestMismatch", "MalformedSignature", "SignatureValidationError", "SignaturesNotValid", "UnsupportedAlgorithm",
]


class SignatureValidationError(SigningError):
    """A signature cannot be accepted; ``indication`` says how final that is."""

    indication = Indication.FAILED


class DigestMismatch(SignatureValidationError):
    """The content is not the one signed (message digest differs)."""


class MalformedSignature(SignatureValidationError):
    """The signature file is not a CMS SignedData this validator can read."""


class UnsupportedAlgorithm(SignatureValidationError):
    """The signature uses an algorithm (e.g. the Kazakh GOST family) not implemented here."""

    indication = Indication.INDETERMINATE


class SignaturesNotValid(UserError):
    """Raised by the ``verify`` command (exit 1) when a signature or a required signer fails."""
