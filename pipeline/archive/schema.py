"""Tables of the document registry (SQLAlchemy Core) and its versioned migrations.

Times are UTC epoch seconds (``Float``); registration dates are ISO ``YYYY-MM-DD``.
The audit log is append-only: triggers reject UPDATE and DELETE on it.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    Column,
    Connection,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    select,
)

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "audit_log",
    "counters",
    "delivery_attempts",
    "documents",
    "metadata",
    "migrate",
    "outbox",
    "schema_migrations",
    "signatures",
    "status_history",
]

metadata = MetaData()

schema_migrations = Table(
    "schema_migrations", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", Float, nullable=False),
)

counters = Table(
    "registration_counters", metadata,
    Column("org_bin", String(12), primary_key=True),
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("last_number", Integer, nullable=False),
)

documents = Table(
    "documents", metadata,
    Column("id", String(36), primary_key=True),
    Column("org_bin", String(12), nullable=False),
    Column("org_name", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("reg_number", String(32), nullable=False),
    Column("reg_date", String(10), nullable=False),
    Column("profile", String(64), nullable=False),
    Column("period", String(32), nullable=False),
    Column("form", String(64), nullable=False),
    Column("employee", String(64), nullable=False),
    Column("lang", String(2), nullable=False),
    Column("title", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("folder", Text, nullable=False),
    Column("path", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("manifest", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    UniqueConstraint("org_bin", "year", "seq", name="uq_documents_number"),
    UniqueConstraint("org_bin", "reg_number", name="uq_documents_reg_number"),
    Index("ix_documents_status", "status"),
    Index("ix_documents_reg_number", "reg_number"),
    Index("ix_documents_form_employee", "form", "employee"),
)

signatures = Table(
    "signatures", metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", String(36), ForeignKey("documents.id"), nullable=False, index=True),
    Column("role", String(32), nullable=False),
    Column("iin", String(12), nullable=False),
    Column("name", Text, nullable=False),
    Column("cert_serial", String(80), nullable=False),
    Column("signed_at", String(40), nullable=False),
)

status_history = Table(
    "status_history", metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", String(36), ForeignKey("documents.id"), nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("at", Float, nullable=False),
    Column("detail", Text, nullable=False, default=""),
)

outbox = Table(
    "outbox", metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", String(36), ForeignKey("documents.id"), nullable=False, index=True),
    Column("destination", Text, nullable=False),
    Column("idempotency_key", String(64), nullable=False, unique=True),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", Float, nullable=False),
    Column("lease_owner", Text),
    Column("lease_until", Float),
    Column("last_error", Text),
    Column("receipt", Text),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Index("ix_outbox_due", "status", "next_attempt_at"),
)

delivery_attempts = Table(
    "delivery_attempts", metadata,
    Column("id", Integer, primary_key=True),
    Column("outbox_id", Integer, ForeignKey("outbox.id"), nullable=False, index=True),
    Column("document_id", String(36), ForeignKey("documents.id"), nullable=False, index=True),
    Column("attempt", Integer, nullable=False),
    Column("worker", Text, nullable=False),
    Column("started_at", Float, nullable=False),
    Column("finished_at", Float),
    Column("outcome", String(16)),
    Column("detail", Text),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", Float, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", String(40), nullable=False),
    Column("subject", Text, nullable=False),
    Column("detail", Text, nullable=False),
)

_SQLITE_AUDIT_TRIGGERS = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
)

_POSTGRES_AUDIT_TRIGGERS = (
    "CREATE FUNCTION audit_log_reject() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_reject()",
)


def _v1(conn: Connection) -> None:
    """Initial schema: every table plus the append-only triggers of the audit log."""
    metadata.create_all(conn, tables=[t for t in metadata.sorted_tables if t is not schema_migrations])
    dialect = conn.dialect.name
    statements = {"sqlite": _SQLITE_AUDIT_TRIGGERS, "postgresql": _POSTGRES_AUDIT_TRIGGERS}.get(dialect, ())
    for statement in statements:
        conn.exec_driver_sql(statement)


_POSTGRES_V2 = (
    # TRUNCATE fires no row trigger: refuse it with a statement trigger.
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_reject()",
    # host:pid:name of a worker, and the actor, may exceed 80 characters (long host names);
    # SQLite ignores declared lengths, PostgreSQL would refuse the row.
    "ALTER TABLE outbox ALTER COLUMN lease_owner TYPE TEXT",
    "ALTER TABLE delivery_attempts ALTER COLUMN worker TYPE TEXT",
    "ALTER TABLE audit_log ALTER COLUMN actor TYPE TEXT",
)


def _v2(conn: Connection) -> None:
    """PostgreSQL only: TRUNCATE-proof audit log; unbounded worker and actor names."""
    if conn.dialect.name == "postgresql":
        for statement in _POSTGRES_V2:
            conn.exec_driver_sql(statement)


MIGRATIONS: tuple[tuple[int, Callable[[Connection], None]], ...] = ((1, _v1), (2, _v2))
SCHEMA_VERSION = MIGRATIONS[-1][0]

# pg_advisory_xact_lock key ("qujat" in ASCII): one migrating process at a time.
_MIGRATION_LOCK = 0x71756A6174


def migrate(conn: Connection, now: float) -> int:
    """Apply the migrations newer than the database's version inside ``conn``'s transaction.

    Processes opening a new database at once are serialised: SQLite by ``BEGIN IMMEDIATE``,
    PostgreSQL by a transaction-scoped advisory lock (DDL is transactional there, so a
    failed migration leaves nothing behind).
    """
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(_MIGRATION_LOCK)))
    schema_migrations.create(conn, checkfirst=True)
    current = conn.execute(select(func.max(schema_migrations.c.version))).scalar() or 0
    for version, step in MIGRATIONS:
        if version > current:
            step(conn)
            conn.execute(schema_migrations.insert().values(version=version, applied_at=now))
            current = version
    return current
