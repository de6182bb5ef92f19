"""Registry: numbering without gaps or duplicates, history, audit log, migrations."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from pipeline.archive import audit
from pipeline.archive.registry import Registry, default_location
from pipeline.archive.schema import SCHEMA_VERSION, schema_migrations
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
    for statement in ("UPDATE audit_log SET actor='x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), registry.transaction() as conn:
            conn.execute(text(statement))
    with registry.engine.connect() as conn:
        assert [e.actor for e in audit.entries(conn)] == ["t"]


def test_wal_mode_migrations_and_default_location(tmp_path: Path) -> None:
    out = tmp_path / "run" / "out"
    path = default_location(out)
    assert path == tmp_path / "run" / "qujat-registry.sqlite"
    with Registry.for_folder(out) as reg, reg.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    with Registry(path) as reg:
        assert reg.schema_version == SCHEMA_VERSION
        with reg.engine.connect() as conn:
            assert conn.execute(select(schema_migrations.c.version)).scalars().all() == [SCHEMA_VERSION]


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


def test_concurrent_writers_get_gapless_unique_numbers(tmp_path: Path) -> None:
    db = tmp_path / "shared.sqlite"
    Registry(db).close()
    script = _WRITER.format(root=str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-c", script, str(db), str(tmp_path), f"w{i}"])
             for i in range(3)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0]
    with Registry(db) as reg:
        numbers = sorted(int(r.reg_number[-6:]) for r in reg.list_documents())
    assert numbers == list(range(1, 151))
