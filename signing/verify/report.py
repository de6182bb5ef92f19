"""Per-document verdicts: the signatures found, the required signers missing, the bottom line."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from signing.verify.status import SignatureStatus

__all__ = ["DocumentReport", "render_json", "render_text"]


@dataclass(frozen=True)
class DocumentReport:
    """A document (or a lone ``.p7s``): its signature statuses and missing required signers."""

    document: str
    statuses: tuple[SignatureStatus, ...]
    missing: tuple[str, ...] = ()
    in_manifest: bool = False
    problem: str | None = None

    @property
    def ok(self) -> bool:
        """Every signature passed and no required signer is missing."""
        if self.problem or self.missing:
            return False
        if not self.statuses:
            return self.in_manifest  # nothing signed and nothing required
        return all(s.passed for s in self.statuses)

    def to_dict(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "ok": self.ok,
            "in_manifest": self.in_manifest,
            "missing": list(self.missing),
            "problem": self.problem,
            "signatures": [s.to_dict() for s in self.statuses],
        }


def render_json(reports: list[DocumentReport]) -> str:
    """All reports as one JSON document."""
    return json.dumps({"ok": bool(reports) and all(r.ok for r in reports),
                       "documents": [r.to_dict() for r in reports]}, ensure_ascii=False, indent=2)


def render_text(reports: list[DocumentReport]) -> list[str]:
    """Human-readable lines, one block per document."""
    lines = []
    for report in reports:
        lines.append(f"{'OK  ' if report.ok else 'FAIL'} {report.document}")
        if report.problem:
            lines.append(f"     {report.problem}")
        for status in report.statuses:
            who = status.signer.name if status.signer else "?"
            iin = status.signer.iin.masked() if status.signer and status.signer.iin else "-"
            when = f" {status.signing_time:%Y-%m-%d %H:%M}" if status.signing_time else ""
            lines.append(f"     {status.indication.value:<13} {status.kind:<5} {who} ({iin}){when}: {status.reason}")
        lines.extend(f"     missing required signer: {role}" for role in report.missing)
    if not reports:
        lines.append("nothing to verify: no .p7s, no signed DOCX and no manifest found")
    return lines
