"""Verifying a file or an evaluation folder: every ``.p7s``, embedded DOCX signatures, the
manifest's required signers ("missing required signer"), and the EDS QR code of each DOCX."""

from __future__ import annotations

import dataclasses
import importlib
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from cryptography import x509

from pipeline.errors import SigningError
from signing.manifest import Manifest, find_manifest
from signing.verify.cms import Expectation, validate_detached
from signing.verify.qr import check_eds_qr
from signing.verify.report import DocumentReport, QrVerdict
from signing.verify.status import Indication, SignatureStatus

__all__ = ["verify_document", "verify_path"]

PackageVerifier = Callable[..., list[SignatureStatus]]


def _package_verifier() -> PackageVerifier | None:
    """``signing.verify.ooxml.verify_package`` if installed; a broken module is an error."""
    try:
        return importlib.import_module("signing.verify.ooxml").verify_package
    except ModuleNotFoundError as exc:
        if exc.name == "signing.verify.ooxml":
            return None
        raise SigningError(f"signing.verify.ooxml cannot be loaded: {exc}") from exc
    except (ImportError, AttributeError) as exc:
        raise SigningError(f"signing.verify.ooxml cannot be loaded: {exc}") from exc


def _has_embedded(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return any(name.startswith("_xmlsignatures/") and name.endswith(".xml") for name in archive.namelist())
    except (OSError, zipfile.BadZipFile):
        return False


def _expect_person(status: SignatureStatus, iins: frozenset[str] | None) -> SignatureStatus:
    """Apply the expected-person check to a status made without it (embedded signatures)."""
    if iins is None or status.role_ok is not None or status.signer is None:
        return status
    if status.signer.iin is not None and str(status.signer.iin) in iins:
        return dataclasses.replace(status, role_ok=True)
    who = status.signer.iin.masked() if status.signer.iin else status.signer.name
    indication = Indication.FAILED if status.intact else status.indication
    return dataclasses.replace(status, role_ok=False, indication=indication,
                               reason=f"wrong person: signer {who} is not an expected signer")


def _qr_verdict(docx: bytes, roots: list[x509.Certificate], detached: bytes | None) -> QrVerdict:
    check = check_eds_qr(docx, trusted_roots=roots, detached=detached)
    if check.absent:
        return QrVerdict("no QR", check.problems)
    name, serial = (check.eds.name, check.eds.cert_serial) if check.eds else (None, None)
    return QrVerdict("match" if check.ok else "mismatch", check.problems, name, serial)


def verify_document(path: Path, roots: list[x509.Certificate], *, label: str,
                    doc: dict[str, Any] | None = None) -> DocumentReport:
    """Every signature of the document at ``path`` (its ``.p7s`` and embedded ones)."""
    signers = [s for s in (doc or {}).get("signers", []) if isinstance(s, dict)]
    iins = frozenset(str(s.get("iin")) for s in signers) if doc is not None else None
    try:
        content = path.read_bytes()
    except OSError as exc:
        return DocumentReport(label, (), in_manifest=doc is not None,
                              problem=f"cannot read the document ({exc.strerror})")
    statuses: list[SignatureStatus] = []
    p7s = path.with_name(path.name + ".p7s")
    detached = p7s.read_bytes() if p7s.is_file() else None
    if detached is not None:
        statuses += validate_detached(detached, content, roots=roots,
                                      expected=Expectation(iins), source=f"{label}.p7s")
    is_docx = path.suffix.lower() == ".docx"
    if is_docx and _has_embedded(path):
        verifier = _package_verifier()
        if verifier is None:
            statuses.append(SignatureStatus(False, False, None, Indication.INDETERMINATE,
                                            "embedded signatures present; their verifier is not installed",
                                            source=label, kind="ooxml"))
        else:
            statuses += [_expect_person(s, iins) for s in verifier(content, roots, source=label)]
    passed_iins = {str(s.signer.iin) for s in statuses if s.passed and s.signer and s.signer.iin}
    missing = tuple(f"{s.get('role')} ({s.get('name') or s.get('person')})"
                    for s in signers if str(s.get("iin")) not in passed_iins)
    qr = _qr_verdict(content, roots, detached) if is_docx else None
    return DocumentReport(label, tuple(statuses), missing, in_manifest=doc is not None, qr=qr)


def _label(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(path)


def verify_path(path: Path, roots: Iterable[x509.Certificate] = ()) -> list[DocumentReport]:
    """Reports for a file (a document or its ``.p7s``) or for every signed document in a folder."""
    roots = list(roots)
    manifest_path = find_manifest(path)
    manifest = Manifest.load(manifest_path) if manifest_path else None
    if path.is_dir():
        documents = {p.with_suffix("").resolve() for p in path.rglob("*.p7s")}
        if manifest is not None and path.resolve() == manifest.base.resolve():
            documents |= {manifest.document_path(doc) for doc in manifest.documents}
        documents |= {p.resolve() for p in path.rglob("*.docx") if _has_embedded(p)}
    else:
        documents = {(path.with_suffix("") if path.suffix.lower() == ".p7s" else path).resolve()}
    base = manifest.base if manifest else (path if path.is_dir() else path.parent)
    reports = []
    for document in sorted(documents):
        doc = manifest.document_for(document) if manifest else None
        reports.append(verify_document(document, roots, label=_label(document, base), doc=doc))
    return reports
