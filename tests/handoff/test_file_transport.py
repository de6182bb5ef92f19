"""Hot folder transport: atomic publish, idempotency on the key, full disk."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.deliver.transports import transport_for
from pipeline.deliver.transports.base import (
    Envelope,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from pipeline.deliver.transports.file import FileTransport


def _envelope(data: bytes = b"payload", key: str = "k" * 64) -> Envelope:
    return Envelope(key=key, name=f"2024-000001_E1_kpi.kk.{key[:16]}.zip", data=data)


def test_publish_then_repeat_is_already_delivered(tmp_path: Path) -> None:
    with transport_for(f"file://{tmp_path}/hot") as transport:
        assert isinstance(transport, FileTransport)
        first = transport.send(_envelope())
        second = transport.send(_envelope())
    assert not first.already and second.already
    assert Path(first.location).read_bytes() == b"payload"
    assert os.listdir(tmp_path / "hot") == [Path(first.location).name]


def test_same_name_other_bytes_is_a_permanent_conflict(tmp_path: Path) -> None:
    transport = FileTransport(f"file://{tmp_path}")
    transport.send(_envelope(b"one"))
    with pytest.raises(PermanentDeliveryError, match="different content") as info:
        transport.send(_envelope(b"two"))
    assert info.value.key == "k" * 64 and info.value.destination == f"file://{tmp_path}"


def _transport(url: str, unnamed: bool) -> FileTransport:
    """A file transport writing unnamed temp files (O_TMPFILE) or, as its fallback, named ones."""
    transport = FileTransport(url)
    if unnamed and not transport._unnamed:
        pytest.skip("no O_TMPFILE or /proc here")
    transport._unnamed = unnamed
    return transport


@pytest.mark.parametrize("unnamed", [True, False], ids=["unnamed-temp", "named-temp"])
def test_leftover_temp_of_a_killed_sender_is_removed(tmp_path: Path, unnamed: bool) -> None:
    envelope = _envelope()
    stale = tmp_path / f".{envelope.name}.deadbeef0000.part"
    stale.write_bytes(b"half")
    other = tmp_path / ".unrelated.part"  # not a temp file of this transport
    other.write_bytes(b"keep")
    _transport(f"file://{tmp_path}", unnamed).send(envelope)
    assert sorted(os.listdir(tmp_path)) == [".unrelated.part", envelope.name]


def test_named_temp_leftover_appearing_later_is_removed_by_its_resend(tmp_path: Path) -> None:
    """Fallback: a sender killed while this transport runs leaves a temp file; the re-send of
    that envelope (new file or already there) removes it."""
    transport = _transport(f"file://{tmp_path}", unnamed=False)
    transport.send(_envelope(key="a" * 64))
    fresh, done = _envelope(key="b" * 64), _envelope(key="a" * 64)
    for envelope in (fresh, done):
        (tmp_path / f".{envelope.name}.0123456789ab.part").write_bytes(b"half")
    assert not transport.send(fresh).already and transport.send(done).already
    assert sorted(os.listdir(tmp_path)) == sorted([fresh.name, done.name])


def test_unnamed_temp_never_shows_a_name(tmp_path: Path) -> None:
    """While the payload is written, the folder holds no entry for it at all."""
    transport = _transport(f"file://{tmp_path}", unnamed=True)
    seen: list[list[str]] = []
    write = transport._write

    def spy(fd: int, data: bytes) -> None:
        seen.append(os.listdir(tmp_path))
        write(fd, data)

    transport._write = spy  # type: ignore[method-assign]
    receipt = transport.send(_envelope())
    assert seen == [[]] and os.listdir(tmp_path) == [Path(receipt.location).name]


def test_folder_path_through_a_file_is_permanent(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    with pytest.raises(PermanentDeliveryError, match="Not a directory"):
        FileTransport(f"file://{blocker}/hot").send(_envelope())


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs (needs mount rights; skipped without them)."""
    mount = tmp_path / f"tiny-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


@pytest.mark.parametrize("unnamed", [True, False], ids=["unnamed-temp", "named-temp"])
def test_full_disk_is_transient_and_leaves_no_half_file(tiny_disk: Path, unnamed: bool) -> None:
    transport = _transport(f"file://{tiny_disk}", unnamed)
    with pytest.raises(TransientDeliveryError, match="No space left"):
        transport.send(_envelope(os.urandom(200_000)))
    assert os.listdir(tiny_disk) == []
    small = transport.send(_envelope(b"small", key="s" * 64))
    assert Path(small.location).read_bytes() == b"small"
