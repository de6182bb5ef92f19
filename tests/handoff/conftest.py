"""Fixtures of the hand-off tests: a fresh registry on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.archive.registry import Registry
from tests.handoff.pg import PgCluster, postgres_cluster, stop_all

__all__ = ["postgres_cluster", "registry", "registry_location"]

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=BACKENDS)
def registry_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty registry location: a SQLite file, or a new database on the test cluster."""
    if request.param == "sqlite":
        return str(tmp_path / "registry.sqlite")
    cluster: PgCluster = request.getfixturevalue("postgres_cluster")
    return cluster.database()


@pytest.fixture
def registry(registry_location: str) -> Iterator[Registry]:
    with Registry(registry_location) as reg:
        yield reg


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Stop the private PostgreSQL cluster even when the session ends abnormally."""
    stop_all()
