"""Fixtures of the end-to-end tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No key password, language or LibreOffice override leaks in from the caller's shell."""
    for name in ("QUJAT_KEY_PASSWORD", "QUJAT_LANG", "QUJAT_SOFFICE", "QUJAT_LINK_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("QUJAT_LANG", "en")
