"""``file:///path`` — a hot folder watched by a document system.

The payload is written to an unnamed file in the folder (``O_TMPFILE``), fsynced, then
linked to its final name, which fails if the name exists: a watcher never sees a half
file, two senders of one key cannot both create it, and a sender killed mid-write leaves
nothing behind. Where unnamed files are not available (filesystem, no ``/proc``) a hidden
``.name.<random>.part`` file is written and linked instead, and temp files of that name
left by a killed sender are removed after the publish. Either way the first send of a
transport sweeps such leftovers once. An existing final file with the same SHA-256 means
the envelope was already delivered.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pipeline.deliver.transports.base import Envelope, Receipt, Transport
from pipeline.fsio import sha256_file

__all__ = ["FileTransport"]

_PERMANENT = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENAMETOOLONG, errno.ENOTDIR,
              errno.EISDIR, errno.EINVAL}
_NO_LINK = {errno.EOPNOTSUPP, errno.ENOSYS, errno.EXDEV, errno.EMLINK}
# open(O_TMPFILE) on a filesystem (or kernel) without unnamed files
_NO_TMPFILE = {errno.EOPNOTSUPP, errno.EISDIR, errno.ENOSYS}
_LEFTOVER = re.compile(r"\..+\.[0-9a-f]{12}\.part")


class FileTransport(Transport):
    """Deliver into a local or mounted folder."""

    scheme = "file"

    def __init__(self, url: str) -> None:
        super().__init__(url)
        parts = urlsplit(url)
        self.root = Path(unquote(parts.netloc + parts.path) if parts.netloc not in ("", "localhost")
                         else unquote(parts.path))
        self._unnamed = hasattr(os, "O_TMPFILE") and os.path.isdir("/proc/self/fd")
        self._swept = False

    def send(self, envelope: Envelope) -> Receipt:
        target = self.root / envelope.name
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            if not self._swept:
                self._sweep_leftovers()
            if target.exists():
                return self._already(envelope, target)
            created = self._publish_unnamed(envelope, target) if self._unnamed else None
            if created is None:
                created = self._publish_named(envelope, target)
            if not created:
                return self._already(envelope, target)
            self._fsync_dir()
        except OSError as exc:
            reason = f"{type(exc).__name__}: {os.strerror(exc.errno) if exc.errno else exc}"
            if exc.errno in _PERMANENT:
                raise self.permanent(envelope, reason) from exc
            raise self.transient(envelope, reason) from exc
        return Receipt(destination=self.destination, key=envelope.key, location=str(target))

    def _publish_unnamed(self, envelope: Envelope, target: Path) -> bool | None:
        """Write an unnamed file and link it as ``target``: True if linked, False if
        ``target`` exists, None if this folder has no unnamed files (then never tried again)."""
        try:
            fd = os.open(self.root, os.O_TMPFILE | os.O_WRONLY, 0o644)
        except OSError as exc:
            if exc.errno not in _NO_TMPFILE:
                raise
            self._unnamed = False
            return None
        try:
            self._write(fd, envelope.data)
            folder = os.open(self.root, os.O_RDONLY)
            try:
                os.link(f"/proc/self/fd/{fd}", target.name, dst_dir_fd=folder,
                        follow_symlinks=True)
            except FileExistsError:
                return False
            except OSError as exc:
                if exc.errno not in _NO_LINK:
                    raise
                self._unnamed = False
                return None
            finally:
                os.close(folder)
        finally:
            os.close(fd)
        return True

    def _publish_named(self, envelope: Envelope, target: Path) -> bool:
        """Write ``.name.<random>.part`` and link it as ``target``; False if ``target`` exists."""
        tmp = self.root / f".{envelope.name}.{secrets.token_hex(6)}.part"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                self._write(fd, envelope.data)
            finally:
                os.close(fd)
            try:
                os.link(tmp, target)
            except FileExistsError:
                return False
            except OSError as exc:
                if exc.errno not in _NO_LINK:
                    raise
                os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        self._remove_leftovers(envelope)
        return True

    def _write(self, fd: int, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)

    def _fsync_dir(self) -> None:
        fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _sweep_leftovers(self) -> None:
        """Remove the ``.name.<random>.part`` files of senders killed before their cleanup
        (not possible in a write-only drop folder, which cannot be listed)."""
        self._swept = True
        try:
            entries = list(os.scandir(self.root))
        except PermissionError:
            return
        for entry in entries:
            if _LEFTOVER.fullmatch(entry.name):
                Path(entry.path).unlink(missing_ok=True)

    def _remove_leftovers(self, envelope: Envelope) -> None:
        """Temp files of this name left by a sender killed before its cleanup."""
        for stale in self.root.glob(f".{envelope.name}.*.part"):
            stale.unlink(missing_ok=True)

    def _already(self, envelope: Envelope, target: Path) -> Receipt:
        if sha256_file(target) != envelope.sha256:
            raise self.permanent(envelope, f"{target.name} exists with different content")
        self._remove_leftovers(envelope)
        return Receipt(destination=self.destination, key=envelope.key, location=str(target),
                       already=True)
