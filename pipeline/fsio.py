"""Atomic file and directory writes: a reader sees the old state or the new one, never half.

Files: write a temporary file in the same directory, fsync, ``os.replace``.
Directories: build everything in a temporary sibling, fsync, rename into place.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import secrets
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_directory", "atomic_write_bytes", "atomic_write_text", "fsync_dir", "fsync_tree",
           "sha256_file"]


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fsync_dir(path: Path) -> None:
    """Flush a directory entry (a rename or a new file in it) to disk."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _temp_sibling(path: Path, kind: str) -> Path:
    return path.with_name(f".{path.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}")


def atomic_write_bytes(path: Path, data: bytes, *, mode: int = 0o644, durable: bool = True) -> None:
    """Write ``data`` to ``path`` atomically (temp file in the same dir, fsync, replace).

    ``durable=False`` leaves out the fsyncs: only for files inside a folder that is made
    durable as a whole afterwards (the temporary folder of :func:`atomic_directory`).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_sibling(path, "tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    if durable:
        fsync_dir(path.parent)


def atomic_write_text(path: Path, text: str, *, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically."""
    atomic_write_bytes(path, text.encode(encoding))


def _syncfs(path: Path) -> bool:
    """Flush the whole file system holding ``path`` with Linux ``syncfs``; False if unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        syncfs = libc.syncfs
    except (OSError, AttributeError):
        return False
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        return syncfs(fd) == 0
    finally:
        os.close(fd)


def fsync_tree(root: Path) -> None:
    """Make every file and directory under ``root`` durable.

    One ``syncfs`` where the platform has it (thousands of files cost one flush, not one
    fsync each); otherwise fsync each file and directory, children before parents.
    """
    if _syncfs(root):
        return
    for dirpath, _dirnames, filenames in os.walk(root, topdown=False):
        for name in filenames:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(dirpath))


@contextmanager
def atomic_directory(target: Path, *, replace: bool = False) -> Iterator[Path]:
    """Yield a temporary sibling of ``target`` to fill; rename it to ``target`` on success.

    On an exception the temporary directory is removed and ``target`` is untouched. With
    ``replace`` an existing ``target`` is swapped out (renamed aside, then deleted); without
    it an existing ``target`` raises :class:`FileExistsError` before any work is done.
    Everything under the temporary directory is made durable before the rename.
    """
    target = Path(target)
    if target.exists() and not replace:
        raise FileExistsError(f"{target} already exists")
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_sibling(target, "building")
    temp.mkdir()
    try:
        yield temp
        fsync_tree(temp)
        old: Path | None = None
        if target.exists():
            if not replace:
                raise FileExistsError(f"{target} already exists")
            old = _temp_sibling(target, "old")
            os.rename(target, old)
        try:
            os.rename(temp, target)
        except BaseException:
            if old is not None:
                os.rename(old, target)
            raise
        fsync_dir(target.parent)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
