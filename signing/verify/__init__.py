"""Validation of signatures: statuses, never exceptions (compare pyHanko ``sign/validation``)."""

from signing.verify.cms import Expectation, load_roots, validate_detached
from signing.verify.status import Indication, SignatureStatus

__all__ = ["Expectation", "Indication", "SignatureStatus", "load_roots", "validate_detached"]
