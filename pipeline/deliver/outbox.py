"""The transactional outbox: the decision to send is a row committed with the document.

A worker *claims* a due row by compare-and-set on its lease (``status='pending'`` and no
live lease), so two workers on one registry never hold the same message. On PostgreSQL the
candidate rows are read ``FOR UPDATE SKIP LOCKED``, so concurrent claimers take different
rows instead of queueing behind each other. A worker killed
mid-send leaves its lease; it expires after ``lease_seconds``, or at once when the owner
was a process of this host that no longer exists. The transport's idempotency on the key
turns the resulting re-send into "already delivered".
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import Connection, Integer, and_, bindparam, func, or_, select, update

from pipeline.archive import audit
from pipeline.archive.registry import DocumentRecord, Registry
from pipeline.archive.schema import delivery_attempts, outbox
from pipeline.deliver.transports.base import Receipt

__all__ = ["Message", "Outbox", "canonical_destination", "idempotency_key", "worker_identity"]


# Statements of the hot path, built once with bound parameters: SQLAlchemy reuses their
# compiled form instead of building and compiling a new statement per message.
_DUE = and_(outbox.c.destination == bindparam("dest"), outbox.c.status == "pending",
            outbox.c.next_attempt_at <= bindparam("now"),
            or_(outbox.c.lease_until.is_(None), outbox.c.lease_until < bindparam("now")))
_CANDIDATES = (select(outbox.c.id).where(_DUE).order_by(outbox.c.id)
               .limit(bindparam("n", type_=Integer)).with_for_update(skip_locked=True))
_LEASE = (update(outbox).where(outbox.c.id.in_(bindparam("ids", expanding=True)), _DUE)
          .values(lease_owner=bindparam("worker"), lease_until=bindparam("until"),
                  attempts=outbox.c.attempts + 1, updated_at=bindparam("now"))
          .returning(outbox.c.id, outbox.c.document_id, outbox.c.destination,
                     outbox.c.idempotency_key, outbox.c.attempts))
_INTERRUPTED = (update(delivery_attempts)
                .where(delivery_attempts.c.outbox_id.in_(bindparam("ids", expanding=True)),
                       delivery_attempts.c.outcome.is_(None))
                .values(outcome="interrupted", finished_at=bindparam("now")))
_START_ATTEMPT = delivery_attempts.insert()
_ENQUEUE = outbox.insert()
_QUEUED_KEYS = select(outbox.c.idempotency_key).where(
    outbox.c.idempotency_key.in_(bindparam("keys", expanding=True)))
_KEYS_PER_QUERY = 500
_FINISH_ATTEMPT = (update(delivery_attempts)
                   .where(delivery_attempts.c.outbox_id == bindparam("message_id"),
                          delivery_attempts.c.attempt == bindparam("attempt_no"),
                          delivery_attempts.c.outcome.is_(None))
                   .values(finished_at=bindparam("now"), outcome=bindparam("result"),
                           detail=bindparam("note")))
_MARK_DELIVERED = (update(outbox)
                   .where(outbox.c.id == bindparam("message_id"), outbox.c.status != "delivered")
                   .values(status="delivered", lease_owner=None, lease_until=None,
                           last_error=None, receipt=bindparam("receipt_json"),
                           updated_at=bindparam("now")))


def canonical_destination(url: str) -> str:
    """``url`` without its password: what the registry stores and the key is made of."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def idempotency_key(document_sha256: str, destination: str) -> str:
    """SHA-256 over the document hash and the (password-free) destination."""
    text = f"{document_sha256}\n{canonical_destination(destination)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def worker_identity(suffix: str = "") -> str:
    """``host:pid[:suffix]`` — lets a restarted process recognise leases of dead ones."""
    base = f"{socket.gethostname()}:{os.getpid()}"
    return f"{base}:{suffix}" if suffix else base


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class Message:
    """A claimed outbox row."""

    id: int
    document_id: str
    destination: str
    key: str
    attempt: int


class Outbox:
    """Outbox operations on a registry; every method is one short transaction."""

    def __init__(self, registry: Registry, *, lease_seconds: float = 60.0) -> None:
        self.registry = registry
        self.lease_seconds = lease_seconds

    def enqueue(self, conn: Connection, records: Sequence[DocumentRecord], destination: str) -> int:
        """Queue ``records`` for ``destination`` in the caller's transaction.

        Returns how many were queued now: a document queued before (same key) is left alone.
        """
        dest = canonical_destination(destination)
        keyed: dict[str, DocumentRecord] = {}
        for record in records:
            keyed.setdefault(idempotency_key(record.sha256, dest), record)
        keys = list(keyed)
        for start in range(0, len(keys), _KEYS_PER_QUERY):
            chunk = keys[start:start + _KEYS_PER_QUERY]
            for key in conn.execute(_QUEUED_KEYS, {"keys": chunk}).scalars():
                del keyed[key]
        if not keyed:
            return 0
        now = self.registry.clock()
        conn.execute(_ENQUEUE, [
            {"document_id": record.id, "destination": dest, "idempotency_key": key,
             "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now,
             "updated_at": now} for key, record in keyed.items()])
        self.registry.set_status_many(conn, [record.id for record in keyed.values()], "queued", dest)
        return len(keyed)

    def requeue_dead(self, conn: Connection, document_ids: list[str], destination: str) -> int:
        """Give dead messages of these documents a fresh start (after the cause was fixed)."""
        dest = canonical_destination(destination)
        now = self.registry.clock()
        wanted = set(document_ids)
        rows = [row for row in conn.execute(select(outbox.c.id, outbox.c.document_id).where(
            outbox.c.destination == dest, outbox.c.status == "dead").order_by(outbox.c.id))
            if row.document_id in wanted]
        for row in rows:
            conn.execute(update(outbox).where(outbox.c.id == row.id).values(
                status="pending", attempts=0, next_attempt_at=now, lease_owner=None,
                lease_until=None, updated_at=now))
            self.registry.set_status(conn, row.document_id, "queued", f"{dest} (requeued)")
            audit.record(conn, at=now, actor=self.registry.actor, action="requeue",
                         subject=row.document_id, detail={"destination": dest})
        return len(rows)

    def release_orphans(self, destination: str) -> int:
        """Free leases held by processes of this host that are gone (killed workers)."""
        host = socket.gethostname()
        dest = canonical_destination(destination)
        freed = 0
        with self.registry.transaction() as conn:
            rows = conn.execute(select(outbox.c.id, outbox.c.lease_owner).where(
                outbox.c.destination == dest, outbox.c.status == "pending",
                outbox.c.lease_owner.like(f"{host}:%"))).all()
            for row in rows:
                pid = int(row.lease_owner.split(":")[1])
                if not _pid_alive(pid):
                    freed += conn.execute(update(outbox).where(
                        outbox.c.id == row.id, outbox.c.lease_owner == row.lease_owner)
                        .values(lease_owner=None, lease_until=None)).rowcount
        return freed

    def claim(self, worker: str, destination: str, limit: int = 1) -> list[Message]:
        """Lease up to ``limit`` of the oldest due messages for ``destination``."""
        dest = canonical_destination(destination)
        with self.registry.transaction() as conn:
            now = self.registry.clock()
            due = {"dest": dest, "now": now}
            ids = conn.execute(_CANDIDATES, {**due, "n": limit}).scalars().all()
            if not ids:
                return []
            leased = conn.execute(_LEASE, {**due, "ids": ids, "worker": worker,
                                           "until": now + self.lease_seconds})
            rows = sorted(leased, key=lambda row: row.id)  # RETURNING has no defined order
            if not rows:
                return []
            conn.execute(_INTERRUPTED, {"ids": [row.id for row in rows], "now": now})
            conn.execute(_START_ATTEMPT, [
                {"outbox_id": row.id, "document_id": row.document_id, "attempt": row.attempts,
                 "worker": worker, "started_at": now} for row in rows])
            return [Message(row.id, row.document_id, row.destination, row.idempotency_key,
                            row.attempts) for row in rows]

    def release(self, messages: list[Message], worker: str) -> None:
        """Give back claimed messages that were not tried (a worker stopping early)."""
        if not messages:
            return
        with self.registry.transaction() as conn:
            now = self.registry.clock()
            for message in messages:
                self._finish(conn, message, "released", "", now)
                conn.execute(update(outbox).where(
                    outbox.c.id == message.id, outbox.c.lease_owner == worker,
                    outbox.c.status == "pending").values(
                    lease_owner=None, lease_until=None, attempts=outbox.c.attempts - 1,
                    updated_at=now))

    def complete(self, message: Message, receipt: Receipt) -> None:
        """Mark delivered (a fact even if the lease was lost meanwhile)."""
        outcome = "already" if receipt.already else "delivered"
        with self.registry.transaction() as conn:
            now = self.registry.clock()
            self._finish(conn, message, outcome, receipt.location, now)
            changed = conn.execute(_MARK_DELIVERED, {
                "message_id": message.id, "now": now,
                "receipt_json": json.dumps(asdict(receipt), ensure_ascii=False, sort_keys=True),
            }).rowcount
            if changed:
                self.registry.set_status(conn, message.document_id, "delivered",
                                         f"{receipt.status}: {receipt.location}")
                audit.record(conn, at=now, actor=self.registry.actor, action="deliver",
                             subject=message.document_id,
                             detail={"destination": message.destination, "key": message.key,
                                     "location": receipt.location, "already": receipt.already,
                                     "status": receipt.status})

    def retry(self, message: Message, worker: str, reason: str, delay: float) -> None:
        """Schedule another attempt after ``delay`` seconds."""
        with self.registry.transaction() as conn:
            now = self.registry.clock()
            self._finish(conn, message, "retry", reason, now)
            changed = conn.execute(update(outbox).where(
                outbox.c.id == message.id, outbox.c.lease_owner == worker,
                outbox.c.status == "pending").values(
                lease_owner=None, lease_until=None, next_attempt_at=now + delay,
                last_error=reason, updated_at=now)).rowcount
            if changed:
                self.registry.set_status(conn, message.document_id, "failed",
                                         f"attempt {message.attempt}: {reason}")

    def dead(self, message: Message, worker: str, reason: str) -> None:
        """Move to the dead letters with the reason."""
        with self.registry.transaction() as conn:
            now = self.registry.clock()
            self._finish(conn, message, "dead", reason, now)
            changed = conn.execute(update(outbox).where(
                outbox.c.id == message.id, outbox.c.lease_owner == worker,
                outbox.c.status == "pending").values(
                status="dead", lease_owner=None, lease_until=None, last_error=reason,
                updated_at=now)).rowcount
            if changed:
                self.registry.set_status(conn, message.document_id, "dead", reason)
                audit.record(conn, at=now, actor=self.registry.actor, action="dead-letter",
                             subject=message.document_id,
                             detail={"destination": message.destination, "key": message.key,
                                     "reason": reason})

    def _finish(self, conn: Connection, message: Message, outcome: str, detail: str,
                now: float) -> None:
        conn.execute(_FINISH_ATTEMPT, {"message_id": message.id, "attempt_no": message.attempt,
                                       "now": now, "result": outcome, "note": detail})

    def next_due(self, destination: str) -> float | None:
        """When the next pending message for ``destination`` can be claimed; None if none."""
        dest = canonical_destination(destination)
        with self.registry.reading() as conn:
            rows = conn.execute(select(outbox.c.next_attempt_at, outbox.c.lease_until).where(
                outbox.c.destination == dest, outbox.c.status == "pending")).all()
        if not rows:
            return None
        return min(max(row.next_attempt_at, row.lease_until or 0.0) for row in rows)

    def counts(self, destination: str | None = None) -> dict[str, int]:
        """Number of outbox rows per status (for one destination or all)."""
        query = select(outbox.c.status, func.count()).group_by(outbox.c.status)
        if destination is not None:
            query = query.where(outbox.c.destination == canonical_destination(destination))
        with self.registry.reading() as conn:
            return {status: count for status, count in conn.execute(query)}
