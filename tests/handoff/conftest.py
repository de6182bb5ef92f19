"""Fixtures of the hand-off tests: generated folders and a fresh registry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.archive.registry import Registry


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    with Registry(tmp_path / "registry.sqlite") as reg:
        yield reg
