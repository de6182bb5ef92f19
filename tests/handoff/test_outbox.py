"""Outbox and worker: retries with backoff, dead letters, leases, concurrent workers."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import event, select

from pipeline.archive import audit
from pipeline.archive.registry import Registry
from pipeline.archive.schema import outbox
from pipeline.deliver.outbox import Outbox, canonical_destination, idempotency_key
from pipeline.deliver.transports.base import (
    Envelope,
    PermanentDeliveryError,
    Receipt,
    TransientDeliveryError,
)
from pipeline.deliver.transports.mock import MockTransport
from pipeline.deliver.worker import RetryPolicy, Worker, deliver_folder, queue_folder
from tests.handoff.folders import make_folder

URL = "mock://registry"
FAST = RetryPolicy(max_attempts=4, base_delay=0.01, factor=2.0, max_delay=0.05, jitter=0.0)


def _ok(envelope: Envelope) -> Receipt:
    return Receipt(destination=URL, key=envelope.key, location=envelope.name)


def test_key_is_document_hash_plus_destination_without_password() -> None:
    assert canonical_destination("webdav://u:secret@h:8080/p?x=1") == "webdav://u@h:8080/p?x=1"
    assert idempotency_key("ab", "webdav://u:secret@h/p") == idempotency_key("ab", "webdav://u:other@h/p")
    assert idempotency_key("ab", "file:///a") != idempotency_key("ab", "file:///b")
    assert idempotency_key("ab", "file:///a") != idempotency_key("ac", "file:///a")


def test_transient_failures_are_retried_then_delivered(tmp_path: Path, registry: Registry) -> None:
    folder = make_folder(tmp_path / "out", 1)
    queue_folder(registry, folder, URL)
    calls: list[float] = []

    def flaky(envelope: Envelope) -> Receipt:
        calls.append(time.monotonic())
        if len(calls) < 3:
            raise TransientDeliveryError("503 busy", destination=URL, key=envelope.key)
        return _ok(envelope)

    worker = Worker(registry, URL, transport=MockTransport(flaky), policy=FAST)
    stats = worker.run()
    assert (stats.delivered, stats.retried, stats.dead) == (1, 2, 0)
    assert calls[1] - calls[0] >= 0.01 and calls[2] - calls[1] >= 0.02
    detail = registry.find(registry.list_documents()[0].id)
    assert [a["outcome"] for a in detail.attempts] == ["retry", "retry", "delivered"]
    assert [h["status"] for h in detail.history] == [
        "generated", "signed", "queued", "failed", "failed", "delivered"]
    assert detail.deliveries[0]["status"] == "delivered" and detail.deliveries[0]["attempts"] == 3


def test_permanent_failure_and_exhausted_retries_go_dead(tmp_path: Path, registry: Registry) -> None:
    folder = make_folder(tmp_path / "out", 2)
    queue_folder(registry, folder, URL)
    first = registry.list_documents()[0].sha256

    def handler(envelope: Envelope) -> Receipt:
        if envelope.metadata["document_sha256"] == first:
            raise PermanentDeliveryError("422 form not accepted", destination=URL, key=envelope.key)
        raise TransientDeliveryError("timed out", destination=URL, key=envelope.key)

    stats = Worker(registry, URL, transport=MockTransport(handler), policy=FAST).run()
    assert stats.dead == 2 and stats.retried == FAST.max_attempts - 1
    docs = registry.list_documents(status="dead")
    assert len(docs) == 2
    reasons = [registry.find(d.id).deliveries[0]["last_error"] for d in docs]
    assert reasons[0] == "422 form not accepted"
    assert reasons[1].startswith("gave up after 4 attempts: timed out")
    with registry.engine.connect() as conn:
        assert len(audit.entries(conn, "dead-letter")) == 2


def test_changed_source_goes_dead_with_reason(tmp_path: Path, registry: Registry) -> None:
    folder = make_folder(tmp_path / "out", 1)
    queue_folder(registry, folder, URL)
    (folder / "E0001/kpi_sheet.kk.docx").write_bytes(b"changed after registration")
    stats = Worker(registry, URL, transport=MockTransport(_ok), policy=FAST).run()
    assert stats.dead == 1
    error = registry.find(registry.list_documents()[0].id).deliveries[0]["last_error"]
    assert "cannot build the package" in error


def test_unsigned_documents_are_not_queued(tmp_path: Path, registry: Registry) -> None:
    folder = make_folder(tmp_path / "out", 2, signed=False)
    assert queue_folder(registry, folder, URL) == (0, 2)
    assert queue_folder(registry, folder, URL, unsigned=True) == (2, 0)
    assert queue_folder(registry, folder, URL, unsigned=True) == (0, 0)


def test_two_workers_never_send_the_same_document(tmp_path: Path, registry: Registry) -> None:
    folder = make_folder(tmp_path / "out", 60, size=50)
    queue_folder(registry, folder, URL)
    sent: Counter[str] = Counter()
    lock = threading.Lock()

    def slow(envelope: Envelope) -> Receipt:
        with lock:
            sent[envelope.key] += 1
        time.sleep(0.002)
        return _ok(envelope)

    workers = [Worker(registry, URL, transport=MockTransport(slow), name=f"t{i}") for i in range(2)]
    threads = [threading.Thread(target=w.run) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(sent) == 60 and set(sent.values()) == {1}
    assert all(w.stats.delivered > 5 for w in workers)


def test_lease_of_a_dead_process_is_released(tmp_path: Path, registry: Registry) -> None:
    folder = make_folder(tmp_path / "out", 1)
    queue_folder(registry, folder, URL)
    box = Outbox(registry)
    dead_owner = f"{socket.gethostname()}:999999999"
    assert len(box.claim(dead_owner, URL)) == 1
    assert box.claim("other:1", URL) == []
    assert box.release_orphans(URL) == 1
    [message] = box.claim("other:1", URL)
    assert message.attempt == 2
    detail = registry.find(message.document_id)
    assert [a["outcome"] for a in detail.attempts] == ["interrupted", None]


def test_expired_lease_can_be_taken_over(tmp_path: Path, registry: Registry) -> None:
    folder = make_folder(tmp_path / "out", 1)
    queue_folder(registry, folder, URL)
    box = Outbox(registry, lease_seconds=0.05)
    assert len(box.claim("hostA:1", URL)) == 1
    assert box.claim("hostB:1", URL) == []
    time.sleep(0.06)
    assert len(box.claim("hostB:1", URL)) == 1


def test_batch_claim_and_release_on_stop(tmp_path: Path, registry: Registry) -> None:
    folder = make_folder(tmp_path / "out", 5, size=10)
    queue_folder(registry, folder, URL)
    stop = threading.Event()

    def once(envelope: Envelope) -> Receipt:
        stop.set()
        return _ok(envelope)

    worker = Worker(registry, URL, transport=MockTransport(once), stop=stop, batch=4)
    assert worker.run().delivered == 1
    box = Outbox(registry)
    claimed = box.claim("next:1", URL, limit=10)
    assert len(claimed) == 4 and {m.attempt for m in claimed} == {1}
    outcomes = [a["outcome"] for d in registry.list_documents() for a in registry.find(d.id).attempts]
    assert sorted(o or "open" for o in outcomes) == ["delivered"] + ["open"] * 4 + ["released"] * 3


def test_deliver_folder_with_several_workers(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "out", 20, pdf=True)
    summary = deliver_folder(folder, f"file://{tmp_path / 'hot'}", workers=3)
    assert summary.queued == 20 and summary.stats.delivered == 20 and not summary.dead
    assert len(list((tmp_path / "hot").glob("*.zip"))) == 20
    with Registry.for_folder(folder) as reg:
        assert len(reg.list_documents(status="delivered")) == 20
        with reg.engine.connect() as conn:
            rows = conn.execute(select(outbox.c.status, outbox.c.attempts)).all()
        assert {tuple(r) for r in rows} == {("delivered", 1)}


def test_long_worker_identity_is_stored(tmp_path: Path, registry: Registry) -> None:
    """host:pid:name may exceed 80 characters (long host names); PostgreSQL must take it."""
    queue_folder(registry, make_folder(tmp_path / "out", 1), URL)
    worker = f"{'node-' * 30}example.org:4242:w1"
    [message] = Outbox(registry).claim(worker, URL)
    Outbox(registry).complete(message, Receipt(destination=URL, key=message.key, location="x"))
    [attempt] = registry.find(message.document_id).attempts
    assert (attempt["worker"], attempt["outcome"]) == (worker, "delivered")


def test_queue_folder_queues_each_document_once(tmp_path: Path, registry: Registry) -> None:
    folder = make_folder(tmp_path / "out", 5, size=10)
    assert queue_folder(registry, folder, URL) == (5, 0)
    assert queue_folder(registry, folder, URL) == (0, 0)
    assert queue_folder(registry, folder, "mock://other") == (5, 0)
    for record in registry.list_documents():
        detail = registry.find(record.id)
        assert [h["status"] for h in detail.history] == ["generated", "signed", "queued", "queued"]
        assert sorted(d["destination"] for d in detail.deliveries) == ["mock://other", URL]
        assert {d["idempotency_key"] for d in detail.deliveries} == {
            idempotency_key(record.sha256, URL), idempotency_key(record.sha256, "mock://other")}


def test_completion_is_one_short_transaction(tmp_path: Path, registry: Registry) -> None:
    """complete(): attempt, outbox row, document status, history and audit: five statements."""
    queue_folder(registry, make_folder(tmp_path / "out", 2, size=10), URL)
    box = Outbox(registry)
    first, second = box.claim("w:1", URL, limit=2)
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, sql: str, *_args: object) -> None:
        statements.append(sql.split()[0].upper())

    event.listen(registry.engine, "before_cursor_execute", seen)
    try:
        box.complete(first, Receipt(destination=URL, key=first.key, location="a"))
    finally:
        event.remove(registry.engine, "before_cursor_execute", seen)
    box.complete(second, Receipt(destination=URL, key=second.key, location="b", already=True))
    assert [s for s in statements if s != "BEGIN"] == ["UPDATE", "UPDATE", "UPDATE", "INSERT",
                                                       "INSERT"]
    for message, outcome in ((first, "delivered"), (second, "already")):
        detail = registry.find(message.document_id)
        assert [a["outcome"] for a in detail.attempts] == [outcome]
        assert detail.history[-1]["status"] == "delivered"
        assert detail.document.status == "delivered" and detail.deliveries[0]["status"] == "delivered"
    with registry.engine.connect() as conn:
        delivered = audit.entries(conn, "deliver")
    assert [(e.subject, e.detail["already"]) for e in delivered] == [
        (first.document_id, False), (second.document_id, True)]
