"""Printable stamped copies for a whole folder: every signed DOCX gets ``<name>.stamped.docx``.

A DOCX counts as signed when a ``<name>.docx.p7s`` lies beside it or it carries embedded
signature parts. :func:`stamp_folder` serves ``qujat stamp DIR``; :func:`stamp_manifest`
serves ``qujat run``: it stamps the signed documents of ``manifest.json`` and records each
copy as the document's ``stamped`` entry. The signed files are never changed.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from pipeline.errors import SigningError
from pipeline.fsio import atomic_write_bytes
from pipeline.stamp.eds_stamp import (
    detached_path,
    stamped_copy_of,
    stamped_path,
    write_stamped_copy,
)
from signing.manifest import MANIFEST_NAME, locked_manifest

__all__ = ["StampOutcome", "lang_of", "signed_docx_files", "stamp_folder", "stamp_manifest"]

STAMPED_SUFFIX = ".stamped.docx"


@dataclass(frozen=True)
class StampOutcome:
    """One signed DOCX: the copy written, or why none was."""

    source: Path
    target: Path | None
    problem: str | None = None


def lang_of(path: Path, default: str = "kk") -> str:
    """``plan.ru.docx`` -> ``ru``; ``kk`` or ``ru`` from the name, else ``default``."""
    parts = path.name.lower().split(".")
    return parts[-2] if len(parts) >= 3 and parts[-2] in ("kk", "ru") else default


def _has_embedded(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return any(name.startswith("_xmlsignatures/") and name.endswith(".xml") for name in archive.namelist())
    except (OSError, zipfile.BadZipFile):
        return False


def signed_docx_files(folder: Path) -> list[Path]:
    """The signed DOCX files under ``folder`` (stamped copies left out), sorted."""
    return sorted(path for path in Path(folder).rglob("*.docx")
                  if not path.name.lower().endswith(STAMPED_SUFFIX)
                  and (detached_path(path).is_file() or _has_embedded(path)))


def stamp_folder(folder: Path, *, lang: str | None = None,
                 trusted_roots: Iterable[x509.Certificate] = ()) -> list[StampOutcome]:
    """Stamp every signed DOCX of ``folder``; a refused file is reported, the others go on.

    ``lang`` None: each file's language from its name (``.kk.docx``/``.ru.docx``), else kk.
    """
    roots = list(trusted_roots)
    outcomes = []
    for path in signed_docx_files(folder):
        try:
            target = write_stamped_copy(path, lang=lang or lang_of(path), trusted_roots=roots)
        except SigningError as exc:
            outcomes.append(StampOutcome(path, None, str(exc)))
        else:
            outcomes.append(StampOutcome(path, target))
    return outcomes


def stamp_manifest(folder: Path, trusted_roots: Iterable[x509.Certificate] = (), *, durable: bool = True) -> int:
    """Stamp each signed DOCX listed in ``folder/manifest.json`` and record it as ``stamped``.

    Raises :class:`SigningError` when a signature is not intact (nothing then is recorded).
    ``durable=False`` only inside a folder made durable as a whole afterwards (``qujat run``).
    Returns the number of copies written.
    """
    roots = list(trusted_roots)
    written = 0
    with locked_manifest(Path(folder) / MANIFEST_NAME) as manifest:
        for doc in manifest.documents:
            path = manifest.document_path(doc)
            if not doc.get("signatures") or path.suffix.lower() != ".docx":
                continue
            data = stamped_copy_of(path, lang=str(doc.get("lang") or lang_of(path)), trusted_roots=roots)
            target = stamped_path(path)
            atomic_write_bytes(target, data, durable=durable)
            doc["stamped"] = {"path": target.relative_to(manifest.base.resolve()).as_posix(),
                              "sha256": hashlib.sha256(data).hexdigest()}
            written += 1
        manifest.save(durable=durable)
    return written
