"""The append-only audit log: every registration, status change of note and purge."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from pipeline.archive.schema import audit_log

__all__ = ["AuditEntry", "entries", "record"]

_APPEND = audit_log.insert()


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log."""

    id: int
    at: float
    actor: str
    action: str
    subject: str
    detail: dict[str, Any]


def record(conn: Connection, *, at: float, actor: str, action: str, subject: str,
           detail: dict[str, Any] | None = None) -> None:
    """Append one entry in the caller's transaction (it commits or rolls back with it)."""
    conn.execute(_APPEND, {"at": at, "actor": actor, "action": action, "subject": subject,
                           "detail": json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)})


def entries(conn: Connection, action: str | None = None) -> list[AuditEntry]:
    """All entries, oldest first, optionally only one ``action``."""
    query = select(audit_log).order_by(audit_log.c.id)
    if action is not None:
        query = query.where(audit_log.c.action == action)
    return [AuditEntry(row.id, row.at, row.actor, row.action, row.subject, json.loads(row.detail))
            for row in conn.execute(query)]
