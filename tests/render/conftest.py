"""Fixtures of the render tests: small DOCX templates built with python-docx."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocumentType

Builder = Callable[[str, Callable[[DocumentType], None]], Path]


@pytest.fixture
def make_template(tmp_path: Path) -> Builder:
    """``make_template(name, fill)`` saves a new document filled by ``fill`` and returns its path."""

    def build(name: str, fill: Callable[[DocumentType], None]) -> Path:
        document = docx.Document()
        fill(document)
        path = tmp_path / name
        document.save(path)
        return path

    return build
