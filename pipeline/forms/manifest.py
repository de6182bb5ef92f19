"""``manifest.json`` of a generated set: which file is which form, for whom, hashed, who signs."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from pipeline.forms.signers import ResolvedSigner
from pipeline.model import Evaluation

__all__ = ["DOCUMENT_NAMESPACE", "ManifestEntry", "document_id", "manifest", "period_key"]

DOCUMENT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:qujat:document")
"""uuid5 namespace of document ids: the same profile/period/employee/form/lang, the same id."""


def period_key(evaluation: Evaluation) -> str:
    period = evaluation.period
    return str(period.year) if period.quarter is None else f"{period.year}-Q{period.quarter}"


def document_id(profile: str, period: str, employee: str | None, form: str, lang: str) -> str:
    return str(uuid.uuid5(DOCUMENT_NAMESPACE, f"{profile}/{period}/{employee or 'commission'}/{form}/{lang}"))


@dataclass
class ManifestEntry:
    """One generated file and what it is."""

    path: str                          # relative to the output directory, "/" separated
    form: str
    lang: str
    employee: str | None
    title_kk: str
    title_ru: str
    template: str
    template_sha256: str
    sha256: str
    document_id: str
    signers: list[ResolvedSigner]
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "path": self.path, "form": self.form, "lang": self.lang, "employee": self.employee,
            "title_kk": self.title_kk, "title_ru": self.title_ru, "template": self.template,
            "template_sha256": self.template_sha256, "sha256": self.sha256, "document_id": self.document_id,
            "signers": [{"role": s.role, "person": s.person.id if s.person else None,
                         "name": s.person.full_name if s.person else None,
                         "iin": s.person.iin if s.person else None} for s in self.signers],
            "signatures": [],
            **self.extra,
        }


def manifest(evaluation: Evaluation, entries: list[ManifestEntry], generated_at: dt.datetime) -> str:
    """The manifest as JSON text (UTF-8, Cyrillic kept readable)."""
    org = evaluation.organisation
    data = {
        "profile": evaluation.profile,
        "organisation": {"name_kk": org.name_kk, "name_ru": org.name_ru, "bin": org.bin},
        "period": period_key(evaluation),
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "documents": [entry.as_json() for entry in entries],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
