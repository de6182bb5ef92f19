"""Read the ``manifest.json`` the generate stage writes next to its documents."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import InputError, Issue
from pipeline.fsio import sha256_file

__all__ = ["Manifest", "ManifestDocument", "ManifestSignature", "read_manifest"]

MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class ManifestSignature:
    """One detached signature over a document."""

    role: str
    iin: str
    name: str
    cert_serial: str
    signed_at: str


COMMISSION_SCOPE = "commission"
"""The ``employee`` of commission-level documents (protocol, schedule), which name no one person."""


@dataclass(frozen=True)
class ManifestDocument:
    """One generated document; ``path`` is relative to the folder."""

    document_id: str
    path: str
    form: str
    lang: str
    employee: str
    title_kk: str
    title_ru: str
    sha256: str
    signatures: tuple[ManifestSignature, ...]
    raw: dict[str, Any]

    @property
    def title(self) -> str:
        return self.title_kk if self.lang == "kk" else self.title_ru


@dataclass(frozen=True)
class Manifest:
    """A generated folder: organisation, period and documents."""

    folder: Path
    profile: str
    org_name_kk: str
    org_name_ru: str
    org_bin: str
    period: str
    documents: tuple[ManifestDocument, ...]


def _need(data: dict[str, Any], key: str, where: str) -> Any:
    value = data.get(key)
    if value in (None, ""):
        raise InputError(issues=[Issue(location=f"{where}.{key}", key="handoff.manifest_field",
                                       params={"field": key})])
    return value


def read_manifest(folder: Path, *, verify: bool = True) -> Manifest:
    """Parse ``folder/manifest.json``; with ``verify`` every file must match its SHA-256."""
    path = folder / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(issues=[Issue(location=str(path), key="handoff.manifest_missing")]) from None
    except json.JSONDecodeError as exc:
        raise InputError(issues=[Issue(location=f"{path}:{exc.lineno}", key="handoff.manifest_json",
                                       params={"error": exc.msg})]) from None
    where = str(path)
    org = _need(data, "organisation", where)
    docs = []
    for index, item in enumerate(_need(data, "documents", where)):
        at = f"{where}: documents[{index}]"
        doc = ManifestDocument(
            document_id=str(_need(item, "document_id", at)), path=str(_need(item, "path", at)),
            form=str(_need(item, "form", at)), lang=str(_need(item, "lang", at)),
            employee=str(item.get("employee") or COMMISSION_SCOPE),
            title_kk=str(item.get("title_kk", "")), title_ru=str(item.get("title_ru", "")),
            sha256=str(_need(item, "sha256", at)).lower(),
            signatures=tuple(ManifestSignature(
                role=str(s.get("role", "")), iin=str(s.get("iin", "")), name=str(s.get("name", "")),
                cert_serial=str(s.get("cert_serial", "")), signed_at=str(s.get("signed_at", "")))
                for s in item.get("signatures", [])),
            raw=item,
        )
        file = folder / doc.path
        if not file.resolve().is_relative_to(folder.resolve()):
            raise InputError(issues=[Issue(location=f"{at}.path", key="handoff.path_outside",
                                           value=doc.path)])
        if verify:
            if not file.is_file():
                raise InputError(issues=[Issue(location=f"{at}.path", key="handoff.file_missing",
                                               value=doc.path)])
            if sha256_file(file) != doc.sha256:
                raise InputError(issues=[Issue(location=f"{at}.sha256", key="handoff.hash_mismatch",
                                               value=doc.path)])
        docs.append(doc)
    return Manifest(folder=folder.resolve(), profile=str(_need(data, "profile", where)),
                    org_name_kk=str(org.get("name_kk", "")), org_name_ru=str(org.get("name_ru", "")),
                    org_bin=str(_need(org, "bin", f"{where}: organisation")),
                    period=str(_need(data, "period", where)), documents=tuple(docs))
