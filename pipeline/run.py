"""``qujat run``: the whole pipeline for one evaluation file.

read → validate → evaluate → generate → QR codes + sign (one pass) → stamped copies → PDF → deliver.

Every stage works inside one temporary sibling of the output folder, which is renamed into
place only when all stages succeeded: a failure at any stage leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.errors import InputError, Issue, UsageError
from pipeline.fsio import atomic_directory
from pipeline.model import Evaluation, Person

if TYPE_CHECKING:
    from signing.documents import Prepare

__all__ = ["RunOptions", "RunSummary", "check_output_folder", "evaluation_people", "not_a_folder", "run",
           "write_failed"]

# Whose EDS data the second QR code carries: the most senior required signer of the document.
OFFICIAL_ROLES = (
    "authorised_person", "first_head", "superior", "commission_chair", "evaluator",
    "direct_manager", "hr", "commission_secretary", "commission_member", "employee", "witness",
)
DEFAULT_LINK_BASE_URL = "https://registry.invalid/documents/"

Notify = Callable[[str], None]


@dataclass(frozen=True)
class RunOptions:
    """What ``qujat run`` does beyond generating the forms."""

    langs: tuple[str, ...] = ("kk", "ru")
    pdf: bool = False
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    keys: Path | None = None            # folder of .p12 files with people.json (as `keys demo` writes)
    demo_keys: bool = False             # create demo keys for the evaluation's people in ``keys``
    embed: bool = False                 # sign inside the DOCX instead of detached .p7s
    link_base_url: str = DEFAULT_LINK_BASE_URL   # the QR link: base URL + document id
    deliver_to: str | None = None       # a transport URL (file://, webdav://, smtp://, s3://, https://)
    stamped: bool = True                # with keys: printable <name>.stamped.docx copies after signing
    overwrite: bool = False
    progress: bool = False              # a Rich bar while rendering (the CLI: when stderr is a terminal)
    templates: Path | None = None       # folder with templates_kk/ and templates_ru/ (default: bundled)


@dataclass
class RunSummary:
    documents: int = 0
    signed: int = 0
    unsigned: list[str] = field(default_factory=list)   # "path: role" still waiting for a signature
    pdfs: int = 0
    delivered: int | None = None


def _people(evaluation: Evaluation) -> Iterable[tuple[Person, str]]:
    yield evaluation.hr, "hr"
    commission = evaluation.commission
    if commission is not None:
        for member in commission.members:
            yield member, {"chair": "commission_chair", "secretary": "commission_secretary"}.get(
                member.role, "commission_member")
        if commission.approved_by is not None:
            yield commission.approved_by, "authorised_person"
    for employee in evaluation.employees:
        yield employee, "employee"
        yield employee.direct_manager, "direct_manager"
        if employee.superior is not None:
            yield employee.superior, "superior"
        if employee.acquaintance is not None:
            for witness in employee.acquaintance.witnesses:
                yield witness, "witness"
        if employee.calibration is not None:
            for participant in employee.calibration.participants:
                yield participant, "calibration_participant"


def evaluation_people(evaluation: Evaluation) -> list[dict[str, Any]]:
    """Everyone named in the evaluation who has an IIN, once each, with all their roles."""
    people: dict[str, dict[str, Any]] = {}
    for person, role in _people(evaluation):
        if not person.iin:
            continue
        entry = people.setdefault(person.iin, {"id": person.id, "full_name": person.full_name,
                                               "iin": person.iin, "roles": []})
        if role not in entry["roles"]:
            entry["roles"].append(role)
    return list(people.values())


def _make_demo_keys(evaluation: Evaluation, directory: Path, notify: Notify) -> None:
    from signing.demo import DEMO_ORGANISATION, DemoPerson, make_demo
    from signing.identity import Bin, Iin

    bin_ = Bin(evaluation.organisation.bin) if evaluation.organisation.bin else None
    people = [DemoPerson(id=p["id"], full_name=p["full_name"], iin=Iin(p["iin"]), roles=tuple(p["roles"]),
                         organisation=evaluation.organisation.name_ru if bin_ else DEMO_ORGANISATION, bin=bin_)
              for p in evaluation_people(evaluation)]
    if not people:
        raise InputError("no one in the evaluation has an IIN: demo keys cannot be matched to signers")
    make_demo(directory, people)
    notify(f"demo keys for {len(people)} people -> {directory} (NOT NCA RK keys; password in README.txt)")


def _load_signers(directory: Path, password: bytes | None) -> list[Any]:
    """Every usable key of ``directory`` (listed in people.json), vetted before any work starts."""
    from signing.software import SoftwareSigner

    index = directory / "people.json"
    if not index.is_file():
        raise InputError(f"{directory}: no people.json here (lay keys out as `qujat keys demo` does)")
    try:
        people = json.loads(index.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise InputError(f"{index}: not valid JSON: {exc}") from None
    return [SoftwareSigner.from_p12(directory / str(entry["file"]), password) for entry in people.values()]


def _official(doc: dict[str, Any], by_iin: dict[str, Any]) -> Any | None:
    signers = [s for s in doc.get("signers", []) if str(s.get("iin")) in by_iin]
    signers.sort(key=lambda s: OFFICIAL_ROLES.index(s["role"]) if s.get("role") in OFFICIAL_ROLES
                 else len(OFFICIAL_ROLES))
    return by_iin[str(signers[0]["iin"])] if signers else None


def _qr_codes(signers: list[Any], when: dt.datetime, link_base_url: str) -> Prepare:
    """Adds the registry link and the official's EDS data to a DOCX header, just before signing."""
    from pipeline.stamp.header import add_official_qr_codes

    by_iin = {str(s.identity.iin): s for s in signers if s.identity.iin is not None}

    def add(doc: dict[str, Any], data: bytes) -> bytes:
        official = _official(doc, by_iin)
        if official is None or not doc["path"].endswith(".docx"):
            return data
        return add_official_qr_codes(data, registry_base_url=link_base_url, document_id=doc["document_id"],
                                     certificate=official.certificate, signing_time=when,
                                     lang=doc.get("lang", "kk"))

    return add


def _add_pdfs(folder: Path, jobs: int) -> int:
    from pipeline.fsio import sha256_file
    from pipeline.render.pdf import convert_to_pdf
    from signing.manifest import locked_manifest

    with locked_manifest(folder / "manifest.json") as manifest:
        docs = [doc for doc in manifest.documents if doc["path"].endswith(".docx")]
        pdfs = convert_to_pdf([folder / doc["path"] for doc in docs], jobs=jobs)
        for doc, pdf in zip(docs, pdfs):
            doc["pdf"] = {"path": pdf.relative_to(folder.resolve()).as_posix(), "sha256": sha256_file(pdf)}
        manifest.save()
    return len(pdfs)


def _sign(folder: Path, signers: list[Any], when: dt.datetime, options: RunOptions, summary: RunSummary,
          notify: Notify) -> None:
    """QR codes and every key's signatures, one pass over the documents (see ``sign_folder_with``)."""
    from signing.documents import SignatureSpec, WrongSignerError, sign_folder_with
    from signing.manifest import Manifest

    try:
        outcomes = sign_folder_with(folder, signers, SignatureSpec(embed=options.embed), now=when, notify=notify,
                                    prepare=_qr_codes(signers, when, options.link_base_url), durable=False)
    except WrongSignerError:
        outcomes = []   # none of the keys belongs to a signer of this evaluation
    summary.signed += sum(1 for o in outcomes if o.action != "already signed")
    manifest = Manifest.load(folder / "manifest.json")
    for doc in manifest.documents:
        done = {(str(s.get("iin")), s.get("role")) for s in doc.get("signatures", [])}
        summary.unsigned += [f"{doc['path']}: {s['role']}" for s in doc.get("signers", [])
                             if (str(s.get("iin")), s.get("role")) not in done]


def check_output_folder(out_dir: Path, overwrite: bool) -> None:
    """Refuse, before any work, an output folder that exists (without ``overwrite``) or cannot be made."""
    if out_dir.exists() and not overwrite:
        raise UsageError(f"{out_dir} already exists; pass --overwrite to replace it")
    existing = next((p for p in (out_dir.absolute(), *out_dir.absolute().parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise not_a_folder(out_dir, existing)


def not_a_folder(path: Path, file: Path) -> InputError:
    return InputError(issues=[Issue(location=str(path), key="output.not_folder", params={"parent": str(file)})])


def write_failed(exc: OSError, out_dir: Path) -> InputError:
    """An OS refusal to write (disk full, no permission) as a message naming the file.

    A path inside the temporary sibling of ``out_dir`` is reported as ``out_dir`` itself.
    """
    name = str(exc.filename or "")
    temporary = f"{os.sep}.{out_dir.name}." in name or Path(name).name.startswith(f".{out_dir.name}.")
    return InputError(issues=[Issue(location=str(out_dir) if not name or temporary else name,
                                    key="output.write_failed", params={"detail": exc.strerror or str(exc)})])


def _add_stamped_copies(folder: Path, notify: Notify) -> None:
    """A printable ``<name>.stamped.docx`` per signed DOCX, recorded as the document's ``stamped``."""
    from pipeline.stamp.folder import stamp_manifest

    notify(f"{stamp_manifest(folder, durable=False)} printable stamped copies")


def run(input_path: Path, out_dir: Path, options: RunOptions = RunOptions(),
        notify: Notify = lambda _: None, now: dt.datetime | None = None) -> RunSummary:
    """Run every stage for ``input_path`` into ``out_dir``; see the module docstring."""
    from pipeline.forms.generate import TEMPLATES_ROOT, generate
    from pipeline.profile import load_profile
    from pipeline.read import load_evaluation
    from pipeline.rules.evaluate import evaluate

    out_dir = Path(out_dir)
    check_output_folder(out_dir, options.overwrite)
    if options.pdf:
        from pipeline.render.pdf import find_soffice

        find_soffice()      # no LibreOffice: say so before hours of rendering
    evaluation, _ = load_evaluation(input_path)   # validated, rules included
    profile = load_profile(evaluation.profile)
    result = evaluate(evaluation, profile)
    when = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    summary = RunSummary()
    signers: list[Any] = []
    if options.keys is not None:
        if options.keys.exists() and not options.keys.is_dir():
            raise not_a_folder(options.keys, options.keys)
        password = None
        if options.demo_keys:
            from signing.demo import DEMO_PASSWORD

            if not (options.keys / "people.json").is_file():
                _make_demo_keys(evaluation, options.keys, notify)
            password = DEMO_PASSWORD.encode()
        signers = _load_signers(options.keys, password)
    try:
        with atomic_directory(out_dir, replace=options.overwrite) as work:
            entries = generate(evaluation, profile, result, work, langs=options.langs, jobs=options.jobs,
                               replace=True, progress=options.progress,
                               templates_root=options.templates or TEMPLATES_ROOT)
            summary.documents = len(entries)
            notify(f"generated {len(entries)} documents")
            if signers:
                _sign(work, signers, when, options, summary, notify)
                notify(f"{summary.signed} signatures; {len(summary.unsigned)} still to be signed")
                if options.stamped:
                    _add_stamped_copies(work, notify)
            if options.pdf:
                summary.pdfs = _add_pdfs(work, options.jobs)
                notify(f"converted {summary.pdfs} documents to PDF")
    except OSError as exc:          # disk full, no permission, a file where a folder should be
        raise write_failed(exc, out_dir) from None
    if options.deliver_to:
        from pipeline.deliver.worker import deliver_folder

        delivery = deliver_folder(out_dir, options.deliver_to, unsigned=not signers)
        summary.delivered = delivery.delivered
        notify(f"delivered {delivery.delivered} documents to {delivery.destination}")
    return summary
