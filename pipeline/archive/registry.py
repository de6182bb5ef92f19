"""The document registry: numbers, hashes, signatures, status history, deliveries.

SQLAlchemy Core over SQLite (WAL, ``BEGIN IMMEDIATE`` so a writer holds the lock for the
whole transaction) or PostgreSQL (same statements, READ COMMITTED; the counter row is locked
``FOR UPDATE`` before anything else of a registration, so registrations of one organisation
and year run one after the other). Registration numbers come from one counter row per
organisation and year, incremented in the transaction that inserts the document: a
rolled-back registration gives its number back, so numbers have no gaps and no duplicates.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    create_engine,
    event,
    select,
    update,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from pipeline.archive import DEFAULT_NAME, audit
from pipeline.archive.manifest import Manifest, ManifestDocument, read_manifest
from pipeline.archive.schema import (
    counters,
    delivery_attempts,
    documents,
    migrate,
    outbox,
    signatures,
    status_history,
)
from pipeline.errors import InputError, Issue

__all__ = [
    "DEFAULT_NAME",
    "STATUSES",
    "DocumentDetail",
    "DocumentRecord",
    "Registry",
    "default_location",
]

STATUSES = ("generated", "signed", "queued", "delivered", "failed", "dead", "purged")


@dataclass(frozen=True)
class DocumentRecord:
    """One registered document (a row of ``documents``)."""

    id: str
    reg_number: str
    reg_date: str
    org_bin: str
    form: str
    employee: str
    lang: str
    title: str
    sha256: str
    folder: str
    path: str
    status: str
    created_at: float

    @property
    def file(self) -> Path:
        return Path(self.folder) / self.path


@dataclass(frozen=True)
class DocumentDetail:
    """A document with everything the registry knows about it."""

    document: DocumentRecord
    manifest: dict[str, Any]
    signatures: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    attempts: list[dict[str, Any]] = field(default_factory=list)


def default_location(out_dir: Path) -> Path:
    """``<out-parent>/qujat-registry.sqlite`` for an output folder ``out_dir``."""
    return out_dir.resolve().parent / DEFAULT_NAME


def _url_for(location: str | Path) -> URL:
    """A SQLAlchemy URL; a plain path is a SQLite file, ``postgresql://`` means psycopg 3."""
    text = str(location)
    if "://" not in text:
        return make_url(f"sqlite:///{Path(text).resolve()}")
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        raise InputError(issues=[Issue(location="--registry", key="handoff.registry_url",
                                       value=_redact(text))]) from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def _redact(text: str) -> str:
    """``text`` (a URL) with the password between ``:`` and ``@`` replaced."""
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", text)


def _enable_wal(cursor: Any, seconds: float = 30.0) -> None:
    """Switch to WAL; retried, because SQLite answers "locked" without waiting on the busy
    timeout when several processes open a new database file at the same moment."""
    deadline = time.monotonic() + seconds
    delay = 0.01
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def _sqlite_hooks(engine: Engine, *, writer: bool) -> None:
    """Pragmas on every connection; a writer also takes the lock at BEGIN (``IMMEDIATE``)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        if writer:
            dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=60000")
        _enable_wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    if writer:
        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


# Statements of the hot path, built once (SQLAlchemy then reuses their compiled form).
_SET_STATUS = (update(documents).where(documents.c.id == bindparam("doc_id"))
               .values(status=bindparam("new_status"), updated_at=bindparam("now")))
_ADD_HISTORY = status_history.insert()
_DOCUMENTS_BY_ID = select(documents).where(documents.c.id.in_(bindparam("ids", expanding=True)))
_SIGNATURES_OF = (select(signatures)
                  .where(signatures.c.document_id.in_(bindparam("ids", expanding=True)))
                  .order_by(signatures.c.id))
_FIND_BATCH = 500  # ids per IN list (far below the bound-parameter limits of both databases)


def _record(row: Any) -> DocumentRecord:
    return DocumentRecord(
        id=row.id, reg_number=row.reg_number, reg_date=row.reg_date, org_bin=row.org_bin,
        form=row.form, employee=row.employee, lang=row.lang, title=row.title, sha256=row.sha256,
        folder=row.folder, path=row.path, status=row.status, created_at=row.created_at)


def _registered(row: Any, manifest: Manifest, doc: ManifestDocument) -> DocumentRecord:
    """The record of a document registered before; its file must not have changed since."""
    if row.sha256 != doc.sha256:
        raise InputError(issues=[Issue(location=f"{manifest.folder}: {doc.path}",
                                       key="handoff.changed_after_registration",
                                       params={"number": row.reg_number})])
    return _record(row)


class Registry:
    """A registry database; safe to share between threads and processes."""

    def __init__(self, location: str | Path, *, clock: Callable[[], float] = time.time,
                 actor: str = "qujat") -> None:
        url = _url_for(location)
        self.url = url.render_as_string(hide_password=False)
        self.clock = clock
        self.actor = actor
        try:
            if url.get_backend_name() == "sqlite":
                if url.database and url.database != ":memory:":
                    Path(url.database).parent.mkdir(parents=True, exist_ok=True)
                self.engine = create_engine(url, connect_args={"timeout": 60})
                _sqlite_hooks(self.engine, writer=True)
                self._reader = create_engine(url, connect_args={"timeout": 60})
                _sqlite_hooks(self._reader, writer=False)
            else:
                self.engine = self._reader = create_engine(url, pool_pre_ping=True)
        except (ImportError, NoSuchModuleError) as exc:
            raise InputError(issues=[Issue(location=self.redacted_url, key="handoff.registry_driver",
                                           params={"driver": url.drivername,
                                                   "detail": str(exc)})]) from None
        try:
            with self.transaction() as conn:
                self.schema_version = migrate(conn, self.clock())
        except OperationalError as exc:
            self.close()
            detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            if url.password:
                detail = detail.replace(str(url.password), "***")
            raise InputError(issues=[Issue(location=self.redacted_url,
                                           key="handoff.registry_unreachable",
                                           params={"detail": detail})]) from None

    @classmethod
    def for_folder(cls, out_dir: Path, location: str | Path | None = None, **kwargs: Any) -> Registry:
        """The registry at ``location`` or the default one next to ``out_dir``."""
        return cls(location if location is not None else default_location(out_dir), **kwargs)

    def close(self) -> None:
        self.engine.dispose()
        self._reader.dispose()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def redacted_url(self) -> str:
        """The URL without its password, fit for messages and logs."""
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` on SQLite)."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read-only connection that does not take SQLite's write lock."""
        with self._reader.connect() as conn:
            yield conn

    # -- registration ---------------------------------------------------------------

    def lock_counter(self, conn: Connection, org_bin: str, year: int) -> None:
        """Create if needed and lock the counter row of ``org_bin`` in ``year`` until commit.

        Taken BEFORE looking for an already registered document, so two transactions
        importing the same folder at once (PostgreSQL) run one after the other: the second
        finds the documents and keeps their numbers instead of failing on the primary key.
        SQLite needs no row lock (``BEGIN IMMEDIATE`` holds the database lock).
        """
        locked = (select(counters.c.last_number)
                  .where(counters.c.org_bin == org_bin, counters.c.year == year)
                  .with_for_update())
        if conn.execute(locked).first() is None:
            conn.execute(_insert_ignore(conn, counters).values(org_bin=org_bin, year=year,
                                                                last_number=0))
            conn.execute(locked).one()

    def next_number(self, conn: Connection, org_bin: str, year: int) -> int:
        """Take the next number of ``org_bin`` in ``year`` inside the caller's transaction."""
        bump = (update(counters)
                .where(counters.c.org_bin == org_bin, counters.c.year == year)
                .values(last_number=counters.c.last_number + 1)
                .returning(counters.c.last_number))
        number = conn.execute(bump).scalar()
        if number is None:
            self.lock_counter(conn, org_bin, year)
            number = conn.execute(bump).scalar_one()
        return int(number)

    def register_folder(self, folder: Path, *, verify: bool = True) -> list[DocumentRecord]:
        """Register every document of a generated folder in one transaction.

        Documents already registered (same document id) keep their number. Returns the
        records of all documents of the folder, in manifest order.
        """
        manifest = read_manifest(folder, verify=verify)
        with self.transaction() as conn:
            return self.register_many(conn, manifest)

    def register_many(self, conn: Connection, manifest: Manifest) -> list[DocumentRecord]:
        """Register every document of ``manifest`` in the caller's transaction (idempotent).

        Documents registered before are read in one query per batch, not one each.
        """
        if not manifest.documents:
            return []
        self.lock_counter(conn, manifest.org_bin, datetime.fromtimestamp(self.clock(), UTC).year)
        ids = [doc.document_id for doc in manifest.documents]
        known: dict[str, Any] = {}
        for start in range(0, len(ids), _FIND_BATCH):
            for row in conn.execute(_DOCUMENTS_BY_ID, {"ids": ids[start:start + _FIND_BATCH]}):
                known[row.id] = row
        return [self.register(conn, manifest, doc) if doc.document_id not in known
                else _registered(known[doc.document_id], manifest, doc)
                for doc in manifest.documents]

    def register(self, conn: Connection, manifest: Manifest, doc: ManifestDocument) -> DocumentRecord:
        """Register one document of ``manifest`` in the caller's transaction (idempotent)."""
        now = self.clock()
        moment = datetime.fromtimestamp(now, UTC)
        self.lock_counter(conn, manifest.org_bin, moment.year)
        existing = conn.execute(select(documents).where(documents.c.id == doc.document_id)).first()
        if existing is not None:
            return _registered(existing, manifest, doc)
        seq = self.next_number(conn, manifest.org_bin, moment.year)
        values = dict(
            id=doc.document_id, org_bin=manifest.org_bin,
            org_name=manifest.org_name_kk if doc.lang == "kk" else manifest.org_name_ru,
            year=moment.year, seq=seq, reg_number=f"{moment.year}-{seq:06d}",
            reg_date=moment.date().isoformat(), profile=manifest.profile, period=manifest.period,
            form=doc.form, employee=doc.employee, lang=doc.lang, title=doc.title, sha256=doc.sha256,
            folder=str(manifest.folder), path=doc.path,
            status="signed" if doc.signatures else "generated",
            manifest=json.dumps({**doc.raw, "organisation": {
                "name_kk": manifest.org_name_kk, "name_ru": manifest.org_name_ru,
                "bin": manifest.org_bin}, "profile": manifest.profile, "period": manifest.period},
                ensure_ascii=False, sort_keys=True),
            created_at=now, updated_at=now,
        )
        conn.execute(documents.insert().values(**values))
        for sig in doc.signatures:
            conn.execute(signatures.insert().values(
                document_id=doc.document_id, role=sig.role, iin=sig.iin, name=sig.name,
                cert_serial=sig.cert_serial, signed_at=sig.signed_at))
        conn.execute(status_history.insert().values(document_id=doc.document_id, status="generated",
                                                    at=now, detail=doc.path))
        if doc.signatures:
            conn.execute(status_history.insert().values(
                document_id=doc.document_id, status="signed", at=now,
                detail=", ".join(s.role for s in doc.signatures)))
        audit.record(conn, at=now, actor=self.actor, action="register", subject=values["reg_number"],
                     detail={"document_id": doc.document_id, "sha256": doc.sha256, "path": doc.path,
                             "org_bin": manifest.org_bin})
        row = conn.execute(select(documents).where(documents.c.id == doc.document_id)).one()
        return _record(row)

    def set_status(self, conn: Connection, document_id: str, status: str, detail: str = "") -> None:
        """Record a status change (row and history) inside the caller's transaction."""
        now = self.clock()
        conn.execute(_SET_STATUS, {"doc_id": document_id, "new_status": status, "now": now})
        conn.execute(_ADD_HISTORY, {"document_id": document_id, "status": status, "at": now,
                                    "detail": detail})

    def set_status_many(self, conn: Connection, document_ids: Sequence[str], status: str,
                        detail: str = "") -> None:
        """:meth:`set_status` for several documents, as two batched statements."""
        if not document_ids:
            return
        now = self.clock()
        conn.execute(_SET_STATUS, [{"doc_id": doc_id, "new_status": status, "now": now}
                                   for doc_id in document_ids])
        conn.execute(_ADD_HISTORY, [{"document_id": doc_id, "status": status, "at": now,
                                     "detail": detail} for doc_id in document_ids])

    # -- queries ----------------------------------------------------------------------

    def list_documents(self, *, status: str | None = None, form: str | None = None,
                       employee: str | None = None) -> list[DocumentRecord]:
        """Documents in registration order, filtered by the given fields."""
        query = select(documents).order_by(documents.c.org_bin, documents.c.year, documents.c.seq)
        for column, value in ((documents.c.status, status), (documents.c.form, form),
                              (documents.c.employee, employee)):
            if value is not None:
                query = query.where(column == value)
        with self.reading() as conn:
            return [_record(row) for row in conn.execute(query)]

    def find(self, ident: str, *, history: bool = True) -> DocumentDetail:
        """A document by id or registration number; an ``InputError`` if none or ambiguous.

        Without ``history`` only the document and its signatures are read (for packaging).
        """
        with self.reading() as conn:
            rows = conn.execute(select(documents).where(documents.c.id == ident)).all() or \
                conn.execute(select(documents).where(documents.c.reg_number == ident)).all()
            if len(rows) != 1:
                key = "handoff.document_unknown" if not rows else "handoff.document_ambiguous"
                raise InputError(issues=[Issue(location=self.redacted_url, key=key, value=ident)])
            row = rows[0]

            def dicts(table: Any, order: Any) -> list[dict[str, Any]]:
                query = select(table).where(table.c.document_id == row.id).order_by(order)
                return [dict(r._mapping) for r in conn.execute(query)]

            return DocumentDetail(
                document=_record(row), manifest=json.loads(row.manifest),
                signatures=dicts(signatures, signatures.c.id),
                history=dicts(status_history, status_history.c.id) if history else [],
                deliveries=dicts(outbox, outbox.c.id) if history else [],
                attempts=dicts(delivery_attempts, delivery_attempts.c.id) if history else [])

    def find_many(self, ids: Sequence[str]) -> dict[str, DocumentDetail]:
        """Documents by id with their signatures, without history (packaging a batch).

        Two queries per batch instead of two per document; unknown ids are left out.
        """
        found: dict[str, DocumentDetail] = {}
        unique = list(dict.fromkeys(ids))
        with self.reading() as conn:
            for start in range(0, len(unique), _FIND_BATCH):
                chunk = unique[start:start + _FIND_BATCH]
                rows = conn.execute(_DOCUMENTS_BY_ID, {"ids": chunk}).all()
                signed: dict[str, list[dict[str, Any]]] = {row.id: [] for row in rows}
                for sig in conn.execute(_SIGNATURES_OF, {"ids": list(signed)}):
                    signed[sig.document_id].append(dict(sig._mapping))
                for row in rows:
                    found[row.id] = DocumentDetail(document=_record(row),
                                                   manifest=json.loads(row.manifest),
                                                   signatures=signed[row.id])
        return found


def _insert_ignore(conn: Connection, table: Any) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING`` in the connection's dialect."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing()
