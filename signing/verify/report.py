"""Per-document verdicts: the signatures found, the required signers missing, the EDS QR code,
the bottom line."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from signing.verify.status import SignatureStatus

__all__ = ["DocumentReport", "QrVerdict", "render_json", "render_text"]

QrState = Literal["match", "mismatch", "no QR"]


@dataclass(frozen=True)
class QrVerdict:
    """Whether the EDS QR code of a DOCX names one of its signatures correctly.

    ``no QR``: the document carries no EDS QR code (or is not a readable package, which its
    signatures then show), which is not a failure by itself.
    """

    state: QrState
    problems: tuple[str, ...] = ()
    name: str | None = None
    cert_serial: str | None = None

    @property
    def ok(self) -> bool:
        return self.state != "mismatch"

    def to_dict(self) -> dict[str, Any]:
        return {"state": self.state, "name": self.name, "cert_serial": self.cert_serial,
                "problems": list(self.problems)}


@dataclass(frozen=True)
class DocumentReport:
    """A document (or a lone ``.p7s``): its signature statuses, missing required signers, QR."""

    document: str
    statuses: tuple[SignatureStatus, ...]
    missing: tuple[str, ...] = ()
    in_manifest: bool = False
    problem: str | None = None
    qr: QrVerdict | None = None  # None: not a DOCX

    @property
    def ok(self) -> bool:
        """Every signature passed, no required signer is missing, and the EDS QR (if any) matches."""
        if self.problem or self.missing or (self.qr is not None and not self.qr.ok):
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
            "qr": self.qr.to_dict() if self.qr else None,
        }


def render_json(reports: list[DocumentReport]) -> str:
    """All reports as one JSON document."""
    return json.dumps({"ok": bool(reports) and all(r.ok for r in reports),
                       "documents": [r.to_dict() for r in reports]}, ensure_ascii=False, indent=2)


def _qr_line(qr: QrVerdict) -> list[str]:
    if qr.state == "no QR":
        return [f"     QR            no QR ({qr.problems[0]})" if qr.problems else "     QR            no QR"]
    if qr.state == "match":
        return [f"     QR            matches the signature of {qr.name} (certificate {qr.cert_serial})"]
    return [f"     QR mismatch   {problem}" for problem in qr.problems]


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
            lines.append(f"     {status.verdict:<13} {status.kind:<5} {who} ({iin}){when}: {status.reason}")
        lines.extend(f"     missing required signer: {role}" for role in report.missing)
        if report.qr is not None:
            lines.extend(_qr_line(report.qr))
    if not reports:
        lines.append("nothing to verify: no .p7s, no signed DOCX and no manifest found")
    return lines
