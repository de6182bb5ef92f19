"""Outbox workers and ``deliver_folder``: register, queue and send a generated folder.

A worker loops: claim a due message, build its envelope (a deterministic package), send
it with the message's idempotency key, then record the receipt. A transient failure is
retried after an exponential backoff kept in the registry (so it survives restarts); a
permanent one, or too many attempts, moves the message to the dead letters with the reason.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from pipeline.archive.manifest import read_manifest
from pipeline.archive.registry import DocumentDetail, Registry
from pipeline.archive.schema import documents, outbox
from pipeline.deliver.outbox import (
    Message,
    Outbox,
    canonical_destination,
    worker_identity,
)
from pipeline.deliver.transports import transport_for
from pipeline.deliver.transports.base import (
    Envelope,
    PermanentDeliveryError,
    TransientDeliveryError,
    Transport,
    redact,
)
from pipeline.errors import QujatError
from pipeline.package.container import build_container

__all__ = ["DeliverySummary", "RetryPolicy", "Worker", "WorkerStats", "build_envelope",
           "deliver_folder", "queue_folder"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: ``base * factor**(n-1)`` capped at ``max_delay``, ± ``jitter``."""

    max_attempts: int = 6
    base_delay: float = 1.0
    factor: float = 2.0
    max_delay: float = 300.0
    jitter: float = 0.2

    def delay(self, attempt: int) -> float:
        raw = min(self.max_delay, self.base_delay * self.factor ** max(attempt - 1, 0))
        return raw * (1.0 + random.uniform(-self.jitter, self.jitter))


@dataclass
class WorkerStats:
    """What one worker did."""

    delivered: int = 0
    already: int = 0
    retried: int = 0
    dead: int = 0

    def add(self, other: WorkerStats) -> None:
        self.delivered += other.delivered
        self.already += other.already
        self.retried += other.retried
        self.dead += other.dead


def build_envelope(registry: Registry, message: Message,
                   detail: DocumentDetail | None = None) -> Envelope:
    """The package of ``message``'s document, named after its key.

    ``detail`` is the document as already read from ``registry`` (``find_many``).
    """
    if detail is None:
        detail = registry.find(message.document_id, history=False)
    container = build_container(detail, recipients=[redact(message.destination)])
    record = detail.document
    return Envelope(
        key=message.key, name=f"{container.name}.{message.key[:16]}.zip", data=container.data,
        metadata={"reg_number": record.reg_number, "reg_date": record.reg_date,
                  "document_id": record.id, "form": record.form, "lang": record.lang,
                  "employee": record.employee, "org_bin": record.org_bin,
                  "document_sha256": record.sha256})


class Worker:
    """Sends the outbox messages of one destination through one transport."""

    def __init__(self, registry: Registry, url: str, *, transport: Transport | None = None,
                 policy: RetryPolicy | None = None, lease_seconds: float = 60.0,
                 name: str = "", sleep: Callable[[float], None] = time.sleep,
                 stop: threading.Event | None = None, batch: int = 8) -> None:
        self.registry = registry
        self.url = url
        self.destination = canonical_destination(url)
        self.outbox = Outbox(registry, lease_seconds=lease_seconds)
        self.transport = transport if transport is not None else transport_for(url)
        self.policy = policy or RetryPolicy()
        self.name = worker_identity(name)
        self.sleep = sleep
        self.stop = stop or threading.Event()
        self.stats = WorkerStats()
        self.batch = batch
        self._claimed: list[Message] = []
        self._claimed_at = 0.0
        self._details: dict[str, DocumentDetail] = {}

    def step(self) -> bool:
        """Process one due message (claiming a batch when none is at hand); False if none is due."""
        if self._claimed and self.registry.clock() - self._claimed_at > self.outbox.lease_seconds / 2:
            self.outbox.release(self._claimed, self.name)  # leases near expiry: claim afresh
            self._claimed = []
        if not self._claimed:
            self._claimed_at = self.registry.clock()
            self._claimed = self.outbox.claim(self.name, self.destination, self.batch)
            if not self._claimed:
                return False
            self._details = self.registry.find_many([m.document_id for m in self._claimed])
        message = self._claimed.pop(0)
        try:
            envelope = build_envelope(self.registry, message, self._details.get(message.document_id))
            receipt = self.transport.send(envelope)
        except TransientDeliveryError as exc:
            self._failed(message, exc.reason)
        except PermanentDeliveryError as exc:
            self.outbox.dead(message, self.name, exc.reason)
            self.stats.dead += 1
        except (QujatError, OSError) as exc:
            self.outbox.dead(message, self.name, f"cannot build the package: {exc}")
            self.stats.dead += 1
        else:
            self.outbox.complete(message, receipt)
            if receipt.already:
                self.stats.already += 1
            else:
                self.stats.delivered += 1
        return True

    def _failed(self, message: Message, reason: str) -> None:
        if message.attempt >= self.policy.max_attempts:
            self.outbox.dead(message, self.name,
                             f"gave up after {message.attempt} attempts: {reason}")
            self.stats.dead += 1
            return
        log.info("retrying %s: %s", message.key[:16], reason)
        self.outbox.retry(message, self.name, reason, self.policy.delay(message.attempt))
        self.stats.retried += 1

    def run(self) -> WorkerStats:
        """Work until no message of the destination is pending (or ``stop`` is set)."""
        self.outbox.release_orphans(self.destination)
        try:
            while not self.stop.is_set():
                if self.step():
                    continue
                due = self.outbox.next_due(self.destination)
                if due is None:
                    break
                self.sleep(min(max(due - self.registry.clock(), 0.02), 1.0))
        finally:
            self.outbox.release(self._claimed, self.name)
            self._claimed = []
        return self.stats

    def close(self) -> None:
        self.transport.close()


@dataclass
class DeliverySummary:
    """Outcome of delivering a folder: counts and the dead letters with reasons."""

    destination: str
    queued: int
    skipped_unsigned: int
    stats: WorkerStats = field(default_factory=WorkerStats)
    dead: list[tuple[str, str]] = field(default_factory=list)

    @property
    def delivered(self) -> int:
        """Documents at the destination after this run (sent now or found already there)."""
        return self.stats.delivered + self.stats.already


def queue_folder(registry: Registry, folder: Path, url: str, *, unsigned: bool = False,
                 retry_dead: bool = False) -> tuple[int, int]:
    """Register ``folder`` and queue its documents for ``url`` in ONE transaction.

    With ``retry_dead`` its dead letters for ``url`` are queued again. Returns (newly
    queued or requeued, skipped because unsigned).
    """
    manifest = read_manifest(folder)
    outbox = Outbox(registry)
    with registry.transaction() as conn:
        records = registry.register_many(conn, manifest)
        wanted = [record for record, doc in zip(records, manifest.documents, strict=True)
                  if doc.signatures or unsigned]
        queued = outbox.enqueue(conn, wanted, url)
        if retry_dead:
            queued += outbox.requeue_dead(conn, [record.id for record in wanted], url)
    return queued, len(records) - len(wanted)


def deliver_folder(folder: Path, url: str, registry: Registry | None = None, *, workers: int = 1,
                   policy: RetryPolicy | None = None, lease_seconds: float = 60.0,
                   unsigned: bool = False, retry_dead: bool = False) -> DeliverySummary:
    """Register, queue and deliver a generated folder to ``url``; resumable after a crash."""
    own = registry is None
    registry = registry or Registry.for_folder(folder)
    try:
        queued, skipped = queue_folder(registry, folder, url, unsigned=unsigned,
                                       retry_dead=retry_dead)
        summary = DeliverySummary(destination=redact(url), queued=queued, skipped_unsigned=skipped)
        pool = [Worker(registry, url, policy=policy, lease_seconds=lease_seconds, name=f"w{i}")
                for i in range(max(workers, 1))]
        try:
            if len(pool) == 1:
                summary.stats.add(pool[0].run())
            else:
                threads = [threading.Thread(target=w.run, name=w.name) for w in pool]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                for worker in pool:
                    summary.stats.add(worker.stats)
        finally:
            for worker in pool:
                worker.close()
        summary.dead = _dead_letters(registry, folder, url)
        return summary
    finally:
        if own:
            registry.close()


def _dead_letters(registry: Registry, folder: Path, url: str) -> list[tuple[str, str]]:
    query = (select(documents.c.reg_number, outbox.c.last_error)
             .join(outbox, outbox.c.document_id == documents.c.id)
             .where(outbox.c.status == "dead", documents.c.folder == str(folder.resolve()),
                    outbox.c.destination == canonical_destination(url))
             .order_by(documents.c.seq))
    with registry.reading() as conn:
        return [(row.reg_number, row.last_error or "") for row in conn.execute(query)]
