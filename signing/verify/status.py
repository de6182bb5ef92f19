"""The result of validating one signature (compare pyHanko ``validation/status.py``)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from signing.identity import SignerIdentity

__all__ = ["Indication", "SignatureStatus"]


class Indication(str, enum.Enum):
    """ETSI-style bottom line: PASSED, FAILED (proven bad) or INDETERMINATE (cannot tell)."""

    PASSED = "PASSED"
    FAILED = "FAILED"
    INDETERMINATE = "INDETERMINATE"


_VERDICTS = {Indication.PASSED: "valid", Indication.FAILED: "invalid", Indication.INDETERMINATE: "indeterminate"}


@dataclass(frozen=True)
class SignatureStatus:
    """One signature: is it intact, trusted, by the right person, and the bottom line."""

    intact: bool
    trusted: bool
    role_ok: bool | None
    indication: Indication
    reason: str
    signer: SignerIdentity | None = None
    signing_time: datetime | None = None
    source: str = ""
    kind: str = "cms"

    @property
    def passed(self) -> bool:
        return self.indication is Indication.PASSED

    @property
    def verdict(self) -> str:
        """``valid``, ``invalid`` or ``indeterminate`` (the indication in plain words)."""
        return _VERDICTS[self.indication]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (IIN masked)."""
        return {
            "source": self.source,
            "kind": self.kind,
            "verdict": self.verdict,
            "indication": self.indication.value,
            "reason": self.reason,
            "intact": self.intact,
            "trusted": self.trusted,
            "role_ok": self.role_ok,
            "signer": self.signer.to_dict() if self.signer else None,
            "signing_time": self.signing_time.isoformat() if self.signing_time else None,
        }
