"""The one XML parser refuses entities and DTDs; atomic writes leave old or new, never half."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.fsio import atomic_directory, atomic_write_bytes
from pipeline.ooxml.xml import UnsafeXmlError, parse_xml


def test_parses_plain_ooxml() -> None:
    root = parse_xml(b'<?xml version="1.0" encoding="UTF-8"?><w:t xmlns:w="urn:w">&amp;</w:t>')
    assert root.text == "&"


@pytest.mark.parametrize("payload", [
    b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
    b'<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><r>&b;</r>',
    b'<!DOCTYPE r SYSTEM "http://127.0.0.1:9/x.dtd"><r/>',
])
def test_refuses_doctype_entities_and_network(payload: bytes) -> None:
    with pytest.raises(UnsafeXmlError):
        parse_xml(payload)


def test_refuses_oversized_and_malformed_input() -> None:
    with pytest.raises(UnsafeXmlError):
        parse_xml(b"<r>" + b"x" * 100 + b"</r>", max_bytes=50)
    with pytest.raises(UnsafeXmlError):
        parse_xml(b"<r>")


def test_atomic_write_replaces_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "a" / "file.bin"
    atomic_write_bytes(target, b"one")
    atomic_write_bytes(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["file.bin"]


def test_atomic_directory_appears_only_on_success(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with pytest.raises(RuntimeError), atomic_directory(target) as temp:
        (temp / "half.txt").write_text("x")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []
    with atomic_directory(target) as temp:
        (temp / "sub").mkdir()
        (temp / "sub" / "done.txt").write_text("ok")
        assert not target.exists()
    assert (target / "sub" / "done.txt").read_text() == "ok"
    with pytest.raises(FileExistsError), atomic_directory(target) as temp:
        (temp / "never.txt").write_text("x")
    with atomic_directory(target, replace=True) as temp:
        (temp / "new.txt").write_text("new")
    assert [p.name for p in target.iterdir()] == ["new.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
