"""Error tree of qujat.

    QujatError
    ├── UserError            exit 1: the user's input, profile, template or key is wrong
    │   ├── InputError       a value in the evaluation data (file, sheet/cell or path)
    │   ├── ProfileError     a methodology profile is malformed or unknown
    │   ├── RuleViolation    the data breaks a rule of the methodology (carries the clause)
    │   ├── TemplateError    a DOCX template is broken (file, tag, location)
    │   └── KeyRejected      a signing key cannot be used (expired, wrong EKU, bad password)
    ├── SigningError         signing failed for a reason that is not the user's key
    └── DeliveryError        hand-off to a document system failed

Every user-facing message is built from a message key and parameters so that it can be
shown in Kazakh, Russian or English (see :mod:`pipeline.i18n`). No message may carry a
secret (a password, a private key).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DeliveryError",
    "InputError",
    "Issue",
    "KeyRejected",
    "ProfileError",
    "QujatError",
    "RuleViolation",
    "SigningError",
    "TemplateError",
    "UsageError",
    "UserError",
    "ValidationFailed",
]


@dataclass(frozen=True)
class Issue:
    """One located problem in the user's input.

    ``location`` is human readable and already says where: ``evaluation.xlsx, sheet
    "Employees", cell D7`` or ``evaluation.yaml: employees[2].kpis[0].planned``.
    ``key`` selects the translated message; ``params`` fill it in.
    """

    location: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)
    value: Any = None
    clause: str | None = None

    def render(self, lang: str = "en") -> str:
        from pipeline.i18n import format_issue

        return format_issue(self, lang)


class QujatError(Exception):
    """Root of every error qujat raises on purpose."""


class UserError(QujatError):
    """A mistake the user can fix; shown without a traceback, exit code 1."""

    exit_code = 1

    def __init__(self, message: str = "", issues: list[Issue] | None = None) -> None:
        self.issues: list[Issue] = list(issues or [])
        super().__init__(message or (issues[0].key if issues else "user error"))

    def render(self, lang: str = "en") -> str:
        if not self.issues:
            return str(self)
        return "\n".join(issue.render(lang) for issue in self.issues)


class InputError(UserError):
    """The evaluation data cannot be read or has wrong values."""


class ValidationFailed(InputError):
    """Validation found one or more problems; all of them are in ``issues``."""


class ProfileError(UserError):
    """A methodology profile is unknown or malformed."""


class RuleViolation(UserError):
    """The data breaks a rule of the methodology."""


class TemplateError(UserError):
    """A DOCX template cannot be loaded or rendered."""


class KeyRejected(UserError):
    """A signing key cannot be used; ``reason`` says why (never the password)."""

    def __init__(self, reason: str, message: str = "") -> None:
        self.reason = reason
        super().__init__(message or reason)


class UsageError(QujatError):
    """The command line itself is wrong; exit code 2."""

    exit_code = 2


class SigningError(QujatError):
    """Signing failed for a reason other than the user's key."""


class DeliveryError(QujatError):
    """Hand-off to a document or archive system failed."""
