"""Retention: delete documents whose keeping period is over, and only those.

A document is due when its registration date is older than the period (the seeds keep
evaluation documents 3 years) AND every delivery of it succeeded. Anything not yet
delivered (queued, failed, dead) or younger is never touched. A purge deletes the files
first (so a crash leaves rows that a rerun finishes), then the rows of the document in one
transaction with an audit entry naming its number and hash; the audit log itself and the
numbering counters stay, so a number is never reused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import delete, select

from pipeline.archive import audit
from pipeline.archive.registry import DocumentRecord, Registry
from pipeline.archive.schema import (
    delivery_attempts,
    documents,
    outbox,
    signatures,
    status_history,
)
from pipeline.errors import InputError, Issue

__all__ = ["PurgePlan", "apply_purge", "cutoff_date", "document_files", "plan_purge"]

_AGE = re.compile(r"^\s*(\d+)\s*([ymd])\s*$", re.IGNORECASE)


def cutoff_date(older_than: str, today: date) -> date:
    """``today`` minus ``older_than`` (``3y``, ``36m``, ``1095d``)."""
    match = _AGE.match(older_than)
    if not match:
        raise InputError(issues=[Issue(location="--older-than", key="handoff.bad_age",
                                       value=older_than)])
    amount, unit = int(match.group(1)), match.group(2).lower()
    if unit == "d":
        return date.fromordinal(today.toordinal() - amount)
    months = amount * (12 if unit == "y" else 1)
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    month += 1
    for day in range(today.day, 27, -1):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    return date(year, month, min(today.day, 28))


def document_files(record: DocumentRecord) -> list[Path]:
    """The document and its companions (.p7s, .pdf, .pdf.p7s) that exist."""
    main = record.file
    candidates = [main, main.with_name(main.name + ".p7s"), main.with_suffix(".pdf"),
                  main.with_name(main.name + ".pdf")]
    candidates += [p.with_name(p.name + ".p7s") for p in candidates[2:]]
    return [p for p in candidates if p.is_file()]


@dataclass(frozen=True)
class PurgePlan:
    """What a purge would delete and what it keeps although old."""

    cutoff: date
    due: list[DocumentRecord]
    kept_undelivered: list[DocumentRecord]


def plan_purge(registry: Registry, older_than: str) -> PurgePlan:
    """Documents registered before the cutoff, split into due and not-yet-delivered."""
    today = datetime.fromtimestamp(registry.clock(), UTC).date()
    cutoff = cutoff_date(older_than, today)
    old = [r for r in registry.list_documents() if r.reg_date < cutoff.isoformat()]
    with registry.reading() as conn:
        open_ids = set(conn.execute(select(outbox.c.document_id).where(
            outbox.c.status != "delivered")).scalars())
    due = [r for r in old if r.status == "delivered" and r.id not in open_ids]
    kept = [r for r in old if r not in due]
    return PurgePlan(cutoff=cutoff, due=due, kept_undelivered=kept)


def apply_purge(registry: Registry, plan: PurgePlan) -> int:
    """Delete what ``plan`` found due (re-checked inside each transaction); returns the count."""
    purged = 0
    for record in plan.due:
        files = document_files(record)
        with registry.transaction() as conn:
            row = conn.execute(select(documents.c.status, documents.c.reg_date)
                               .where(documents.c.id == record.id)).first()
            still_open = conn.execute(select(outbox.c.id).where(
                outbox.c.document_id == record.id, outbox.c.status != "delivered")).first()
            if row is None or row.status != "delivered" or still_open is not None \
                    or row.reg_date >= plan.cutoff.isoformat():
                continue
            for path in files:
                path.unlink(missing_ok=True)
            for table in (delivery_attempts, outbox, status_history, signatures):
                conn.execute(delete(table).where(table.c.document_id == record.id))
            conn.execute(delete(documents).where(documents.c.id == record.id))
            audit.record(conn, at=registry.clock(), actor=registry.actor, action="purge",
                         subject=record.reg_number,
                         detail={"document_id": record.id, "sha256": record.sha256,
                                 "reg_date": record.reg_date, "org_bin": record.org_bin,
                                 "cutoff": plan.cutoff.isoformat(),
                                 "files": [str(p) for p in files]})
        _remove_empty_parent(record.file)
        purged += 1
    return purged


def _remove_empty_parent(path: Path) -> None:
    parent = path.parent
    try:
        if parent != Path(parent.anchor) and not any(parent.iterdir()):
            parent.rmdir()
    except OSError:
        return
