"""Plan the documents of an evaluation and render them into an output directory.

Which documents apply is data: each ``profile.documents[]`` entry says its ``scope``
(employee, commission, calibration), its ``method`` (made only for employees evaluated by
it) and ``when`` (always, on a refusal, on a calibration request); ``terms.yaml`` marks the
forms meant only for heads or only for other staff. Output layout::

    DIR/<employee-id>/<form>.<lang>.docx
    DIR/commission/<form>.<lang>.docx
    DIR/commission/meeting.<lang>.docx      every sheet of the meeting, merged in order
    DIR/manifest.json

The whole directory appears at once (built in a temporary sibling, then renamed); on any
failure nothing is left behind.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import Issue, UserError
from pipeline.forms.context import document_context
from pipeline.forms.manifest import (
    ManifestEntry,
    document_id,
    manifest,
    period_key,
)
from pipeline.forms.signers import resolve_signers
from pipeline.forms.terms import audience
from pipeline.fsio import atomic_directory, atomic_write_text, sha256_file
from pipeline.model import Employee, Evaluation
from pipeline.profile import DocumentSpec, Profile
from pipeline.render.batch import RenderJob, render_batch
from pipeline.render.compile import CompiledTemplate
from pipeline.render.merge import merge_docx
from pipeline.rules.eligibility import is_head
from pipeline.rules.result import EmployeeResult, EvaluationResult

__all__ = ["COMMISSION_DIR", "LANGS", "PlannedDocument", "generate", "plan_documents", "template_path"]

LANGS = ("kk", "ru")
COMMISSION_DIR = "commission"
TEMPLATES_ROOT = Path(__file__).resolve().parents[2]
_CONSIDERED = ("evaluated", "without_participation")
_UNSAFE = re.compile(r"[^\w.-]")


@dataclass(frozen=True)
class PlannedDocument:
    """One document to make: which form, in which language, for whom, where."""

    spec: DocumentSpec
    lang: str
    employee: Employee | None
    relpath: str


def template_path(form: str, lang: str, root: Path = TEMPLATES_ROOT) -> Path:
    return root / f"templates_{lang}" / f"{form}.docx"


def _folder(employee_id: str) -> str:
    name = _UNSAFE.sub("_", employee_id).lstrip(".") or "_"
    return "_" + name if name == COMMISSION_DIR else name


def _uses_method(method: str | None, employee: Employee, res: EmployeeResult) -> bool:
    if method is None:
        return True
    return {
        "kpi": res.method == "kpi",
        "ranking": res.method == "ranking",
        "competencies": bool(res.competencies),
        "survey_360": employee.survey_360 is not None,
        "calibration": employee.calibration is not None,
    }[method]


def _applies(spec: DocumentSpec, employee: Employee, res: EmployeeResult, profile: Profile) -> bool:
    if res.status not in _CONSIDERED or not _uses_method(spec.method, employee, res):
        return False
    if spec.when == "refused" and not (employee.acquaintance and employee.acquaintance.refused):
        return False
    if (spec.when == "calibration_requested" or spec.scope == "calibration") and employee.calibration is None:
        return False
    wanted = audience(spec.form)
    return wanted is None or (wanted == "head") == is_head(employee, profile)


def plan_documents(evaluation: Evaluation, profile: Profile, result: EvaluationResult,
                   langs: Sequence[str] = LANGS) -> list[PlannedDocument]:
    """Every applicable document: commission-level ones first, then each employee's, in profile order."""
    folders: dict[str, str] = {}
    for employee in evaluation.employees:
        folder = _folder(employee.id)
        if folder in folders.values():
            raise UserError(issues=[Issue(location=f"employees: {employee.id}", key="forms.employee_id_clash",
                                          params={"id": employee.id, "folder": folder})])
        folders[employee.id] = folder
    planned = [PlannedDocument(spec, lang, None, f"{COMMISSION_DIR}/{spec.form}.{lang}.docx")
               for spec in profile.documents if spec.scope == "commission" for lang in langs]
    for employee in evaluation.employees:
        res = result.for_employee(employee.id)
        for spec in profile.documents:
            if spec.scope != "commission" and _applies(spec, employee, res, profile):
                planned += [PlannedDocument(spec, lang, employee, f"{folders[employee.id]}/{spec.form}.{lang}.docx")
                            for lang in langs]
    return planned


def _entry(doc: PlannedDocument, evaluation: Evaluation, profile: Profile, sha256: str,
           template_sha256: str) -> ManifestEntry:
    employee_id = doc.employee.id if doc.employee else None
    return ManifestEntry(
        path=doc.relpath, form=doc.spec.form, lang=doc.lang, employee=employee_id,
        title_kk=doc.spec.title.kk, title_ru=doc.spec.title.ru,
        template=f"{doc.spec.form}.docx", template_sha256=template_sha256, sha256=sha256,
        document_id=document_id(profile.id, period_key(evaluation), employee_id, doc.spec.form, doc.lang),
        signers=resolve_signers(doc.spec, evaluation, doc.employee),
    )


def _meeting(directory: Path, planned: list[PlannedDocument], evaluation: Evaluation, profile: Profile,
             langs: Sequence[str]) -> list[ManifestEntry]:
    """One merged DOCX per language with every sheet of the commission meeting, in plan order."""
    entries = []
    for lang in langs:
        parts = [directory / doc.relpath for doc in planned if doc.lang == lang]
        if not parts:
            continue
        relpath = f"{COMMISSION_DIR}/meeting.{lang}.docx"
        target = directory / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(merge_docx(parts))
        entries.append(ManifestEntry(
            path=relpath, form="meeting", lang=lang, employee=None,
            title_kk="Комиссия отырысының құжаттары", title_ru="Документы заседания Комиссии",
            template="", template_sha256="", sha256=sha256_file(target),
            document_id=document_id(profile.id, period_key(evaluation), None, "meeting", lang),
            signers=[], extra={"parts": [doc.relpath for doc in planned if doc.lang == lang]},
        ))
    return entries


def generate(evaluation: Evaluation, profile: Profile, result: EvaluationResult, out_dir: Path, *,
             langs: Sequence[str] = LANGS, pdf: bool = False, jobs: int = 1, replace: bool = False,
             templates_root: Path = TEMPLATES_ROOT, now: dt.datetime | None = None,
             progress: bool = False) -> list[ManifestEntry]:
    """Render every applicable document of ``evaluation`` into ``out_dir`` (atomically).

    ``jobs`` worker processes render in batches; ``progress`` shows a Rich bar on stderr.
    """
    planned = plan_documents(evaluation, profile, result, langs)
    for form, lang in sorted({(doc.spec.form, doc.lang) for doc in planned}):
        CompiledTemplate.load(template_path(form, lang, templates_root))   # fail before any work
    jobs_list = [RenderJob(template_path(doc.spec.form, doc.lang, templates_root),
                           document_context(doc.spec, evaluation, profile, result, doc.lang, doc.employee),
                           doc.relpath)
                 for doc in planned]
    with atomic_directory(Path(out_dir), replace=replace) as temp:
        rendered = {item.relpath: item for item in render_batch(jobs_list, temp, max(1, jobs), progress)}
        entries = [_entry(doc, evaluation, profile, rendered[doc.relpath].sha256,
                          rendered[doc.relpath].template_sha256) for doc in planned]
        if evaluation.commission is not None and any(d.spec.scope == "commission" for d in planned):
            entries += _meeting(temp, planned, evaluation, profile, langs)
        if pdf:
            _add_pdfs(temp, entries, jobs)
        atomic_write_text(temp / "manifest.json",
                          manifest(evaluation, entries, now or dt.datetime.now(dt.UTC)))
    return entries


def _add_pdfs(directory: Path, entries: list[ManifestEntry], jobs: int) -> None:
    from pipeline.render.pdf import convert_to_pdf

    pdfs = convert_to_pdf([directory / entry.path for entry in entries], jobs=max(1, jobs))
    for entry, pdf_path in zip(entries, pdfs):
        relpath = pdf_path.relative_to(directory.resolve()).as_posix()
        entry.extra["pdf"] = {"path": relpath, "sha256": sha256_file(pdf_path)}
