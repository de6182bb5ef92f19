"""Registry: numbering without gaps or duplicates, history, audit log, migrations."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.exc import DBAPIError

from pipeline.archive import audit
from pipeline.archive.registry import Registry, default_location
from pipeline.archive.schema import (
    MIGRATIONS,
    SCHEMA_VERSION,
    metadata,
    schema_migrations,
)
from pipeline.errors import InputError
from tests.handoff.folders import make_folder

ROOT = Path(__file__).resolve().parents[2]


def test_register_numbers_history_and_idempotent_import(tmp_path: Path, registry: Registry) -> None:
    folder = make_folder(tmp_path / "out", 3)
    first = registry.register_folder(folder)
    assert [r.reg_number.split("-")[1] for r in first] == ["000001", "000002", "000003"]
    assert all(r.status == "signed" for r in first)
    again = registry.register_folder(folder)
    assert [r.reg_number for r in again] == [r.reg_number for r in first]
    detail = registry.find(first[1].reg_number)
    assert detail.document.id == first[1].id
    assert [h["status"] for h in detail.history] == ["generated", "signed"]
    assert detail.signatures[0]["role"] == "employee"
    assert registry.find(first[1].id).document.reg_number == first[1].reg_number
    with registry.engine.connect() as conn:
        assert [e.action for e in audit.entries(conn)] == ["register"] * 3


def test_second_organisation_has_its_own_counter(tmp_path: Path, registry: Registry) -> None:
    registry.register_folder(make_folder(tmp_path / "a", 2))
    other = registry.register_folder(make_folder(tmp_path / "b", 2, bin_="999999999999"))
    assert [r.reg_number[-6:] for r in other] == ["000001", "000002"]
    with pytest.raises(InputError) as info:
        registry.find(other[0].reg_number)
    assert info.value.issues[0].key == "handoff.document_ambiguous"


def test_changed_file_is_rejected(tmp_path: Path, registry: Registry) -> None:
    folder = make_folder(tmp_path / "out", 1)
    (folder / "E0001/kpi_sheet.kk.docx").write_bytes(b"tampered")
    with pytest.raises(InputError) as info:
        registry.register_folder(folder)
    assert info.value.issues[0].key == "handoff.hash_mismatch"
    assert registry.list_documents() == []


def test_failed_transaction_gives_the_number_back(tmp_path: Path, registry: Registry) -> None:
    folder = make_folder(tmp_path / "out", 2)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["documents"][1]["document_id"] = manifest["documents"][0]["document_id"]
    manifest["documents"][1]["sha256"] = "0" * 64
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(InputError):
        registry.register_folder(folder, verify=False)
    good = registry.register_folder(make_folder(tmp_path / "good", 1))
    assert good[0].reg_number.endswith("-000001")


def test_audit_log_is_append_only(registry: Registry) -> None:
    with registry.transaction() as conn:
        audit.record(conn, at=1.0, actor="t", action="test", subject="s")
    statements = ["UPDATE audit_log SET actor='x'", "DELETE FROM audit_log"]
    if registry.engine.dialect.name == "postgresql":
        statements.append("TRUNCATE audit_log")
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"), registry.transaction() as conn:
            conn.execute(text(statement))
    with registry.engine.connect() as conn:
        assert [e.actor for e in audit.entries(conn)] == ["t"]


def test_wal_mode_and_default_location(tmp_path: Path) -> None:
    out = tmp_path / "run" / "out"
    path = default_location(out)
    assert path == tmp_path / "run" / "qujat-registry.sqlite"
    with Registry.for_folder(out) as reg, reg.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_migrations_from_empty_and_reopen(registry_location: str) -> None:
    with Registry(registry_location) as reg:
        assert reg.schema_version == SCHEMA_VERSION
        with reg.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            versions = conn.execute(select(schema_migrations.c.version)
                                    .order_by(schema_migrations.c.version)).scalars().all()
    assert set(metadata.tables) <= tables
    assert versions == [version for version, _step in MIGRATIONS]
    with Registry(registry_location) as again, again.engine.connect() as conn:
        assert again.schema_version == SCHEMA_VERSION
        assert conn.execute(select(schema_migrations.c.version)).scalars().all() == versions


_WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from pipeline.archive.registry import Registry
    from tests.handoff.folders import make_folder
    db, base, name = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    reg = Registry(db)
    for batch in range(10):
        reg.register_folder(make_folder(base / f"{{name}}-{{batch}}", 5, size=10))
    reg.close()
""")


def test_concurrent_writers_get_gapless_unique_numbers(tmp_path: Path, registry_location: str) -> None:
    """Three processes open an EMPTY registry at once (concurrent migrations), then register."""
    script = _WRITER.format(root=str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-c", script, registry_location, str(tmp_path),
                               f"w{i}"], stderr=subprocess.PIPE) for i in range(3)]
    errors = [p.communicate(timeout=60)[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    with Registry(registry_location) as reg:
        numbers = sorted(int(r.reg_number[-6:]) for r in reg.list_documents())
        with reg.engine.connect() as conn:
            versions = conn.execute(select(schema_migrations.c.version)).scalars().all()
    assert numbers == list(range(1, 151))
    assert sorted(versions) == [version for version, _step in MIGRATIONS]


_IMPORTER = textwrap.dedent("""
    import sys
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from pipeline.archive.registry import Registry
    with Registry(sys.argv[1]) as reg:
        print(",".join(r.reg_number for r in reg.register_folder(Path(sys.argv[2]))))
""")


def test_concurrent_import_of_one_folder_keeps_one_number_each(
        tmp_path: Path, registry_location: str) -> None:
    Registry(registry_location).close()
    folders = [make_folder(tmp_path / f"f{i}", 20, size=10) for i in range(2)]
    script = _IMPORTER.format(root=str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-c", script, registry_location, str(folder)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for folder in (folders[0], folders[1], folders[0], folders[1])]
    outputs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, [err.decode() for _out, err in outputs]
    answers = [out.decode().strip() for out, _err in outputs]
    assert answers[0] == answers[2] and answers[1] == answers[3]
    with Registry(registry_location) as reg:
        numbers = sorted(int(r.reg_number[-6:]) for r in reg.list_documents())
    assert numbers == list(range(1, 41))


def test_upgrade_from_version_1(registry_location: str) -> None:
    """A registry made by the first release is brought up to date when opened."""
    engine = create_engine(registry_location if "://" in registry_location
                           else f"sqlite:///{registry_location}")
    with engine.begin() as conn:
        schema_migrations.create(conn)
        MIGRATIONS[0][1](conn)
        if conn.dialect.name == "postgresql":  # the column types the first release created
            for table, column in (("outbox", "lease_owner"), ("delivery_attempts", "worker"),
                                  ("audit_log", "actor")):
                conn.exec_driver_sql(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE VARCHAR(80)")
        conn.execute(schema_migrations.insert().values(version=1, applied_at=1.0))
        audit.record(conn, at=1.0, actor="v1", action="register", subject="2024-000001")
    engine.dispose()
    with Registry(registry_location, actor="a" * 120) as reg:
        assert reg.schema_version == SCHEMA_VERSION
        with reg.transaction() as conn:
            audit.record(conn, at=2.0, actor=reg.actor, action="test", subject="s")
        with reg.engine.connect() as conn:
            versions = conn.execute(select(schema_migrations.c.version)
                                    .order_by(schema_migrations.c.version)).scalars().all()
            assert [e.actor for e in audit.entries(conn)] == ["v1", "a" * 120]
        if reg.engine.dialect.name == "postgresql":
            with pytest.raises(DBAPIError, match="append-only"), reg.transaction() as conn:
                conn.execute(text("TRUNCATE audit_log"))
    assert versions == [version for version, _step in MIGRATIONS]


def test_find_many_reads_a_batch_like_find(tmp_path: Path, registry: Registry) -> None:
    records = registry.register_folder(make_folder(tmp_path / "out", 3))
    unsigned = registry.register_folder(make_folder(tmp_path / "unsigned", 1, signed=False))
    ids = [r.id for r in records + unsigned]
    found = registry.find_many([*ids, ids[0], "no-such-document"])
    assert sorted(found) == sorted(ids)  # each once; the unknown id is left out
    for doc_id in ids:
        single = registry.find(doc_id, history=False)
        assert found[doc_id].document == single.document
        assert found[doc_id].manifest == single.manifest
        assert found[doc_id].signatures == single.signatures
    assert found[unsigned[0].id].signatures == [] and len(found[ids[0]].signatures) == 1


def test_import_of_a_registered_folder_checks_every_hash(tmp_path: Path, registry: Registry) -> None:
    """The batched look-up of known documents still refuses a changed manifest hash."""
    folder = make_folder(tmp_path / "out", 3)
    first = registry.register_folder(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["documents"][2]["sha256"] = "0" * 64
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(InputError) as info:
        registry.register_folder(folder, verify=False)
    assert info.value.issues[0].key == "handoff.changed_after_registration"
    assert info.value.issues[0].params["number"] == first[2].reg_number
