"""The ZIP container of one registered document (MEDO-like).

Layout::

    metadata.xml            passport, valid against metadata.xsd
    metadata.json           the same data as JSON
    document/<name>.docx    the document
    document/<name>.docx.p7s  its detached CMS signature (when signed)
    document/<name>.pdf     the PDF rendition (when made), with its .p7s if any

The bytes are deterministic (fixed order, timestamps from the registration date), so
rebuilding the container after a crash gives the same SHA-256 and the destination can
recognise a repeated delivery.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pipeline.archive.registry import DocumentDetail
from pipeline.errors import InputError, Issue
from pipeline.fsio import sha256_file
from pipeline.package import metadata as passport
from pipeline.package.metadata import FileEntry, PackageMetadata, SignatureEntry

__all__ = ["Container", "build_container", "read_container", "safe_name"]

_MEDIA = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          ".pdf": "application/pdf", ".p7s": "application/pkcs7-signature"}


@dataclass(frozen=True)
class Container:
    """A built package: its file name, bytes and passport."""

    name: str
    data: bytes
    metadata: PackageMetadata


def safe_name(text: str) -> str:
    """``text`` reduced to characters every destination accepts in a name."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "_"


def _sources(document: Path, pdf_hint: Path | None) -> list[tuple[Path, str, str]]:
    """(path, role, signs) of the document, its signature and its PDF rendition.

    The PDF is the manifest's ``pdf.path`` when given, else ``<stem>.pdf`` or ``<file>.pdf``.
    """
    found: list[tuple[Path, str, str]] = [(document, "document", "")]
    signature = document.with_name(document.name + ".p7s")
    if signature.is_file():
        found.append((signature, "signature", document.name))
    hinted = [pdf_hint] if pdf_hint is not None else []
    for pdf in (*hinted, document.with_suffix(".pdf"), document.with_name(document.name + ".pdf")):
        if pdf.is_file():
            found.append((pdf, "rendition", ""))
            pdf_signature = pdf.with_name(pdf.name + ".p7s")
            if pdf_signature.is_file():
                found.append((pdf_signature, "signature", pdf.name))
            break
    return found


def build_container(detail: DocumentDetail, recipients: Sequence[str]) -> Container:
    """Package a registered document; its file must still match the registered hash."""
    record = detail.document
    source = record.file
    if not source.is_file() or sha256_file(source) != record.sha256:
        raise InputError(issues=[Issue(location=str(source), key="handoff.source_changed",
                                       params={"number": record.reg_number})])
    manifest = detail.manifest
    pdf = manifest.get("pdf")
    pdf_hint = Path(record.folder) / pdf["path"] if isinstance(pdf, dict) and pdf.get("path") else None
    members: list[tuple[str, bytes]] = []
    entries: list[FileEntry] = []
    for path, role, signs in _sources(source, pdf_hint):
        data = path.read_bytes()
        name = f"document/{path.name}"
        members.append((name, data))
        entries.append(FileEntry.of(name, role, _MEDIA.get(path.suffix, "application/octet-stream"),
                                    data, f"document/{signs}" if signs else ""))
    organisation = manifest.get("organisation", {})
    meta = PackageMetadata(
        reg_number=record.reg_number, reg_date=record.reg_date, document_id=record.id,
        kind=record.form, lang=record.lang, title_kk=manifest.get("title_kk", ""),
        title_ru=manifest.get("title_ru", ""), org_name_kk=organisation.get("name_kk", ""),
        org_name_ru=organisation.get("name_ru", ""), org_bin=record.org_bin,
        employee=record.employee, recipients=tuple(recipients),
        summary=f"{record.title or record.form} — {record.employee}, {manifest.get('period', '')}",
        profile=manifest.get("profile", ""), period=manifest.get("period", ""),
        files=tuple(entries),
        signatures=tuple(SignatureEntry(s["role"], s["name"], s["iin"], s["cert_serial"],
                                        s["signed_at"]) for s in detail.signatures),
    )
    members = [("metadata.xml", passport.to_xml(meta)), ("metadata.json", passport.to_json(meta)),
               *members]
    stamp = date.fromisoformat(record.reg_date).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            archive.writestr(info, data, compresslevel=6)
    name = "_".join(safe_name(part) for part in (record.reg_number, record.employee, record.form))
    name = f"{name}.{record.lang}"
    return Container(name=name, data=buffer.getvalue(), metadata=meta)


def read_container(data: bytes) -> dict[str, bytes]:
    """All members of a container by name (for receivers and tests)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}
