"""Opening a PostgreSQL registry: URL forms, driver, unreachable server, password hygiene."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from pipeline.archive.registry import DEFAULT_NAME, Registry
from pipeline.commands.handoff import register
from pipeline.errors import InputError
from tests.handoff.folders import make_folder
from tests.handoff.pg import PgCluster


def test_plain_postgresql_url_means_psycopg(postgres_cluster: PgCluster) -> None:
    url = postgres_cluster.database().replace("postgresql+psycopg://", "postgresql://")
    with Registry(url) as reg:
        assert reg.engine.dialect.name == "postgresql" and reg.engine.dialect.driver == "psycopg"
        assert reg.url.startswith("postgresql+psycopg://")


def test_unreachable_server_is_a_user_error_without_the_password(
        postgres_cluster: PgCluster) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(InputError) as info:
        Registry(f"postgresql://clerk:Sekret-42@127.0.0.1:{port}/qujat")
    [issue] = info.value.issues
    assert issue.key == "handoff.registry_unreachable"
    assert issue.location == f"postgresql+psycopg://clerk:***@127.0.0.1:{port}/qujat"
    text = info.value.render("ru")
    assert "Sekret-42" not in text and str(port) in text and "реестра" in text


@pytest.mark.parametrize(("url", "key"), [
    ("postgresql://u:Sekret-42@h:notaport/db", "handoff.registry_url"),
    ("mysql+nodriver://u:Sekret-42@h/db", "handoff.registry_driver"),
])
def test_bad_url_or_missing_driver(url: str, key: str) -> None:
    with pytest.raises(InputError) as info:
        Registry(url)
    assert info.value.issues[0].key == key
    assert "Sekret-42" not in info.value.render("en")


def test_commands_use_the_database_named_by_qujat_registry(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_cluster: PgCluster) -> None:
    url = postgres_cluster.database()
    monkeypatch.setenv("QUJAT_REGISTRY", url)
    folder = make_folder(tmp_path / "out", 2)
    app = typer.Typer()
    register(app)
    runner = CliRunner()
    result = runner.invoke(app, ["registry", "import", str(folder)])
    assert result.exit_code == 0 and f"registered in {url}" in result.output
    result = runner.invoke(app, ["deliver", str(folder), "--to", f"file://{tmp_path / 'hot'}",
                                 "--workers", "2"])
    assert result.exit_code == 0 and "2 delivered" in result.output, result.output
    listing = json.loads(runner.invoke(app, ["registry", "list", "--json"]).output)
    assert [(d["number"][-6:], d["status"]) for d in listing] == [("000001", "delivered"),
                                                                  ("000002", "delivered")]
    assert not (tmp_path / DEFAULT_NAME).exists()
