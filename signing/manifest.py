"""The evaluation folder's ``manifest.json`` as the signing stage reads and extends it.

Format (written by the generate stage)::

    {"profile": "...", "documents": [
      {"path": "E001/kpi_sheet.kk.docx", "form": "...", "lang": "kk", "employee": "E001",
       "sha256": "<hex>", "document_id": "...",
       "signers": [{"role": "employee", "person": "E001", "name": "...", "iin": "..."}],
       "signatures": []}]}

Signing appends to ``signatures``; the file is rewritten atomically under an exclusive lock
so two people signing at once do not lose each other's entries.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from pipeline.errors import InputError
from pipeline.fsio import atomic_write_bytes

__all__ = ["MANIFEST_NAME", "Manifest", "find_manifest", "locked_manifest"]

MANIFEST_NAME = "manifest.json"


@dataclass
class Manifest:
    """A loaded manifest; ``documents`` are the raw dicts, edited in place."""

    path: Path
    data: dict[str, Any]

    @property
    def base(self) -> Path:
        return self.path.parent

    @property
    def documents(self) -> list[dict[str, Any]]:
        return self.data["documents"]

    @classmethod
    def load(cls, path: Path) -> Manifest:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise InputError(f"{path}: cannot read the manifest ({exc.strerror})") from None
        except ValueError as exc:
            raise InputError(f"{path}: not valid JSON: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("documents"), list):
            raise InputError(f"{path}: a manifest needs a \"documents\" list")
        for index, doc in enumerate(data["documents"]):
            if not isinstance(doc, dict) or not isinstance(doc.get("path"), str):
                raise InputError(f"{path}: documents[{index}] needs a \"path\"")
            if not isinstance(doc.get("signers", []), list):
                raise InputError(f"{path}: documents[{index}].signers must be a list")
            doc.setdefault("signers", [])
            doc.setdefault("signatures", [])
        return cls(path, data)

    def document_path(self, doc: dict[str, Any]) -> Path:
        """The file of ``doc``; refuses paths that leave the manifest's folder."""
        target = (self.base / doc["path"]).resolve()
        if not target.is_relative_to(self.base.resolve()):
            raise InputError(f"{self.path}: document path {doc['path']!r} leaves the folder")
        return target

    def document_for(self, file: Path) -> dict[str, Any] | None:
        resolved = file.resolve()
        for doc in self.documents:
            if (self.base / doc["path"]).resolve() == resolved:
                return doc
        return None

    def save(self, *, durable: bool = True) -> None:
        """Rewrite the file atomically; ``durable=False`` inside a folder made durable as a whole."""
        text = json.dumps(self.data, ensure_ascii=False, indent=2) + "\n"
        atomic_write_bytes(self.path, text.encode("utf-8"), durable=durable)


def find_manifest(path: Path, levels: int = 3) -> Path | None:
    """``manifest.json`` in ``path`` (a folder) or in the folders above it, nearest first."""
    folder = path if path.is_dir() else path.parent
    for candidate in [folder, *folder.resolve().parents][: levels + 1]:
        if (candidate / MANIFEST_NAME).is_file():
            return candidate / MANIFEST_NAME
    return None


@contextmanager
def locked_manifest(path: Path) -> Iterator[Manifest]:
    """Load ``path`` under an exclusive lock on the file; the caller calls ``save()`` to write.

    The lock is taken on the manifest itself; since ``save`` replaces the file, a waiter that
    locked the replaced file opens the new one again.
    """
    while True:
        with _open_for_lock(path) as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            if os.fstat(handle.fileno()).st_ino != os.stat(path).st_ino:
                continue
            yield Manifest.load(path)
            return


def _open_for_lock(path: Path) -> BinaryIO:
    try:
        return open(path, "rb")  # noqa: SIM115 - the caller closes it with ``with``
    except OSError as exc:
        raise InputError(f"{path}: cannot read the manifest ({exc.strerror})") from None
