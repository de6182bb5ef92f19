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


def test_leftover_temp_of_a_killed_sender_is_removed(tmp_path: Path) -> None:
    envelope = _envelope()
    stale = tmp_path / f".{envelope.name}.deadbeef0000.part"
    stale.write_bytes(b"half")
    FileTransport(f"file://{tmp_path}").send(envelope)
    assert sorted(os.listdir(tmp_path)) == [envelope.name]


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


def test_full_disk_is_transient_and_leaves_no_half_file(tiny_disk: Path) -> None:
    transport = FileTransport(f"file://{tiny_disk}")
    with pytest.raises(TransientDeliveryError, match="No space left"):
        transport.send(_envelope(os.urandom(200_000)))
    assert os.listdir(tiny_disk) == []
    small = transport.send(_envelope(b"small", key="s" * 64))
    assert Path(small.location).read_bytes() == b"small"
