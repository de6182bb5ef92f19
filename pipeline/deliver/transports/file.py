"""``file:///path`` — a hot folder watched by a document system.

The payload is written to a hidden ``.name.<random>.part`` file, fsynced, then linked to
its final name with ``os.link``, which fails if the name exists: a watcher never sees a
half file, and two senders of one key cannot both create it. An existing final file with
the same SHA-256 means the envelope was already delivered.
"""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pipeline.deliver.transports.base import Envelope, Receipt, Transport

__all__ = ["FileTransport"]

_PERMANENT = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENAMETOOLONG, errno.ENOTDIR,
              errno.EISDIR, errno.EINVAL}
_NO_LINK = {errno.EOPNOTSUPP, errno.ENOSYS, errno.EXDEV, errno.EMLINK}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class FileTransport(Transport):
    """Deliver into a local or mounted folder."""

    scheme = "file"

    def __init__(self, url: str) -> None:
        super().__init__(url)
        parts = urlsplit(url)
        self.root = Path(unquote(parts.netloc + parts.path) if parts.netloc not in ("", "localhost")
                         else unquote(parts.path))

    def send(self, envelope: Envelope) -> Receipt:
        target = self.root / envelope.name
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            if target.exists():
                return self._already(envelope, target)
            tmp = self.root / f".{envelope.name}.{secrets.token_hex(6)}.part"
            try:
                self._write(tmp, envelope.data)
                try:
                    os.link(tmp, target)
                except FileExistsError:
                    return self._already(envelope, target)
                except OSError as exc:
                    if exc.errno not in _NO_LINK:
                        raise
                    os.replace(tmp, target)
            finally:
                tmp.unlink(missing_ok=True)
            self._fsync_dir()
            self._remove_leftovers(envelope)
        except OSError as exc:
            reason = f"{type(exc).__name__}: {os.strerror(exc.errno) if exc.errno else exc}"
            if exc.errno in _PERMANENT:
                raise self.permanent(envelope, reason) from exc
            raise self.transient(envelope, reason) from exc
        return Receipt(destination=self.destination, key=envelope.key, location=str(target))

    def _write(self, tmp: Path, data: bytes) -> None:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)

    def _fsync_dir(self) -> None:
        fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _remove_leftovers(self, envelope: Envelope) -> None:
        """Temp files of this name left by a sender killed before its cleanup."""
        for stale in self.root.glob(f".{envelope.name}.*.part"):
            stale.unlink(missing_ok=True)

    def _already(self, envelope: Envelope, target: Path) -> Receipt:
        if _sha256(target) != envelope.sha256:
            raise self.permanent(envelope, f"{target.name} exists with different content")
        self._remove_leftovers(envelope)
        return Receipt(destination=self.destination, key=envelope.key, location=str(target),
                       already=True)
