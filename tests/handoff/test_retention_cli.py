"""Retention purge (dry run, due vs not due, audit) and the hand-off commands."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from pipeline.archive import audit
from pipeline.archive.registry import Registry
from pipeline.archive.retention import apply_purge, cutoff_date, plan_purge
from pipeline.commands.handoff import register
from pipeline.deliver.transports.base import Envelope, PermanentDeliveryError
from pipeline.deliver.transports.mock import MockTransport
from pipeline.deliver.worker import Worker, deliver_folder, queue_folder
from pipeline.errors import DeliveryError, InputError
from tests.handoff.folders import make_folder

FOUR_YEARS = 4 * 366 * 86400


def test_cutoff_dates() -> None:
    assert cutoff_date("3y", date(2027, 5, 1)) == date(2024, 5, 1)
    assert cutoff_date("3y", date(2028, 2, 29)) == date(2025, 2, 28)
    assert cutoff_date("1m", date(2027, 3, 31)) == date(2027, 2, 28)
    assert cutoff_date("10d", date(2027, 1, 5)) == date(2026, 12, 26)
    with pytest.raises(InputError):
        cutoff_date("three years", date(2027, 1, 1))


def test_purge_deletes_only_due_and_delivered(tmp_path: Path, registry_location: str) -> None:
    db = registry_location
    old_clock = lambda: time.time() - FOUR_YEARS  # noqa: E731
    with Registry(db, clock=old_clock) as past:
        old = make_folder(tmp_path / "old", 3)
        deliver_folder(old, f"file://{tmp_path / 'hot'}", past)
        stuck = make_folder(tmp_path / "stuck", 1)
        queue_folder(past, stuck, "mock://edms")
        def refuse(envelope: Envelope) -> None:
            raise PermanentDeliveryError("refused", destination="mock://edms", key=envelope.key)
        Worker(past, "mock://edms", transport=MockTransport(refuse)).run()
    with Registry(db) as now:
        recent = make_folder(tmp_path / "recent", 2)
        deliver_folder(recent, f"file://{tmp_path / 'hot'}", now)
        plan = plan_purge(now, "3y")
        assert len(plan.due) == 3 and [r.status for r in plan.kept_undelivered] == ["dead"]
        assert apply_purge(now, plan) == 3
        assert not list(old.glob("E*/*")) and len(list(recent.glob("E*/*.docx"))) == 2
        assert (stuck / "E0001/kpi_sheet.kk.docx").exists()
        remaining = now.list_documents()
        assert sorted(r.status for r in remaining) == ["dead", "delivered", "delivered"]
        with now.engine.connect() as conn:
            purges = audit.entries(conn, "purge")
            registers = audit.entries(conn, "register")
        assert len(purges) == 3 and len(registers) == 6
        assert {p.detail["sha256"] for p in purges} == {r.sha256 for r in plan.due}
        assert plan_purge(now, "3y").due == []
        # numbers are never reused after a purge
        again = now.register_folder(make_folder(tmp_path / "later", 1))
        assert again[0].reg_number.endswith("-000003")


def _cli() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_cli_import_deliver_list_show_purge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_folder(tmp_path / "out", 2)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    app = _cli()
    result = runner.invoke(app, ["registry", "import", str(folder)])
    assert result.exit_code == 0 and "2 document(s) registered" in result.output
    result = runner.invoke(app, ["deliver", str(folder), "--to", f"file://{tmp_path / 'hot'}",
                                 "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "2 delivered, 0 already there" in result.output
    listing = json.loads(runner.invoke(app, ["registry", "list", "--status", "delivered",
                                             "--json"]).output)
    assert [d["employee"] for d in listing] == ["E0001", "E0002"]
    shown = runner.invoke(app, ["registry", "show", listing[0]["number"]])
    assert "delivered" in shown.output and "signed by employee" in shown.output
    old = make_folder(tmp_path / "old", 1)
    with Registry(tmp_path / "past.sqlite", clock=lambda: time.time() - FOUR_YEARS) as past:
        deliver_folder(old, f"file://{tmp_path / 'hot'}", past)
    purge = ["archive", "purge", "--older-than", "3y", "--registry", str(tmp_path / "past.sqlite")]
    result = runner.invoke(app, purge)
    assert "would delete" in result.output and "1 due" in result.output and "dry run" in result.output
    assert (old / "E0001/kpi_sheet.kk.docx").exists()
    result = runner.invoke(app, [*purge, "--apply"])
    assert "1 purged" in result.output and not (old / "E0001/kpi_sheet.kk.docx").exists()
    assert len(list(folder.glob("E*/*.docx"))) == 2


def test_cli_unknown_scheme_and_dead_letters(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "out", 1)
    runner = CliRunner()
    result = runner.invoke(_cli(), ["deliver", str(folder), "--to", "ftp://x/y"])
    assert isinstance(result.exception, InputError)
    assert result.exception.issues[0].key == "handoff.unknown_scheme"
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    result = runner.invoke(_cli(), ["deliver", str(folder), "--to", f"file://{blocker}/in"])
    assert isinstance(result.exception, DeliveryError) and "--retry-dead" in str(result.exception)
