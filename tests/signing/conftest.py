"""Fixtures of the CMS signing tests: one demo key set per session, signers by person id."""

from __future__ import annotations

from pathlib import Path

import pytest
from cms_kit import KEY_PASSWORD

from signing.demo import make_demo
from signing.software import SoftwareSigner


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("demo-keys")
    make_demo(directory, password=KEY_PASSWORD)
    return directory


@pytest.fixture(scope="session")
def signer_of(demo_dir: Path):
    cache: dict[str, SoftwareSigner] = {}

    def load(person: str) -> SoftwareSigner:
        if person not in cache:
            cache[person] = SoftwareSigner.from_p12(demo_dir / f"{person}.p12", KEY_PASSWORD.encode())
        return cache[person]

    return load
