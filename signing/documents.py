"""Signing the documents of an evaluation folder listed in its ``manifest.json``.

``SignatureSpec`` says how (role, embed), :func:`sign_folder` does it for one key: every
document whose required signers include the key's IIN (and role) gets a detached CAdES-BES
``<file>.p7s`` (a co-signature if the file exists), or with ``embed`` a signature inside the
DOCX when :mod:`signing.ooxml` is installed. The manifest records who signed, as which role,
with which certificate and when. :func:`sign_folder_externally` does the same through
NCALayer or another external signer, whose person is known only from its first CMS.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pipeline.errors import InputError, SigningError, UserError
from pipeline.fsio import atomic_write_bytes
from signing.cms import cosign, sign_detached, signed_by
from signing.external import IdentifiedExternalSigner
from signing.manifest import MANIFEST_NAME, Manifest, locked_manifest
from signing.signer import Signer

__all__ = ["SignOutcome", "SignatureSpec", "WrongSignerError", "embedder", "sign_folder", "sign_folder_externally"]

KIND_CMS = "cades-bes"
KIND_EMBEDDED = "ooxml"
AnySigner = Signer | IdentifiedExternalSigner


class WrongSignerError(UserError):
    """The key belongs to someone who is not a required signer (for that role)."""


@dataclass(frozen=True)
class SignatureSpec:
    """How to sign: only as ``role`` (None: every role of the person), inside the DOCX or not."""

    role: str | None = None
    embed: bool = False


@dataclass(frozen=True)
class SignOutcome:
    """What happened to one document."""

    document: str
    roles: tuple[str, ...]
    action: str  # "signed", "co-signed", "embedded", "already signed"
    output: str


def embedder() -> Callable[..., bytes] | None:
    """``signing.ooxml.sign_package`` if that module is installed, else None.

    A module that is present but fails to import is an error, not a silent fallback.
    """
    try:
        return importlib.import_module("signing.ooxml").sign_package
    except ModuleNotFoundError as exc:
        if exc.name in ("signing.ooxml", "signing"):
            return None
        raise SigningError(f"signing.ooxml cannot be loaded: {exc}") from exc
    except (ImportError, AttributeError) as exc:
        raise SigningError(f"signing.ooxml cannot be loaded: {exc}") from exc


def _record(manifest: Manifest, entry: dict[str, Any], signer: AnySigner, kind: str, output: Path,
            when: datetime) -> dict[str, Any]:
    return {
        "role": entry.get("role"), "person": entry.get("person"), "name": signer.identity.name,
        "iin": str(signer.identity.iin), "cert_serial": signer.identity.cert_serial,
        "signed_at": when.isoformat(), "kind": kind,
        "file": output.relative_to(manifest.base.resolve()).as_posix(),
    }


def _read_unchanged(manifest: Manifest, doc: dict[str, Any], check_hash: bool) -> tuple[Path, bytes]:
    path = manifest.document_path(doc)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{doc['path']}: cannot read the document ({exc.strerror})") from None
    expected = str(doc.get("sha256") or "").lower()
    if check_hash and expected and hashlib.sha256(data).hexdigest() != expected:
        raise InputError(f"{doc['path']}: the document changed after it was generated "
                         f"(its SHA-256 differs from {MANIFEST_NAME}); regenerate it before signing")
    return path, data


def _sign_cms(path: Path, data: bytes, signer: AnySigner, when: datetime) -> tuple[str, Path]:
    p7s = path.with_name(path.name + ".p7s")
    if p7s.exists():
        existing = p7s.read_bytes()
        if signed_by(existing, signer.asn1_certificate):
            return "already signed", p7s
        atomic_write_bytes(p7s, cosign(existing, data, signer, when))
        return "co-signed", p7s
    atomic_write_bytes(p7s, sign_detached(data, signer, when))
    return "signed", p7s


def _sign_embedded(doc: dict[str, Any], path: Path, data: bytes, signer: Signer, when: datetime,
                   sign_package: Callable[..., bytes]) -> str:
    serial = signer.identity.cert_serial
    if any(s.get("kind") == KIND_EMBEDDED and s.get("cert_serial") == serial for s in doc["signatures"]):
        return "already signed"
    atomic_write_bytes(path, sign_package(data, signer, signing_time=when))
    return "embedded"


def sign_folder(folder: Path, signer: AnySigner, spec: SignatureSpec = SignatureSpec(), *,
                now: datetime | None = None, notify: Callable[[str], None] = lambda _: None) -> list[SignOutcome]:
    """Sign every document of ``folder/manifest.json`` that waits for this key's person."""
    manifest_path = folder / MANIFEST_NAME
    if not manifest_path.is_file():
        raise InputError(f"{folder}: no {MANIFEST_NAME} here; run the generate stage first")
    identity = signer.identity
    if identity.iin is None:
        raise WrongSignerError(f"the certificate of {identity.name} carries no IIN (SERIALNUMBER=IIN…)")
    iin, who = str(identity.iin), f"{identity.name} (IIN {identity.iin.masked()})"
    when = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    sign_package = embedder() if spec.embed else None
    if spec.embed and sign_package is None:
        notify("embedded signatures are not available (signing.ooxml missing): writing .p7s files instead")
    outcomes = []
    with locked_manifest(manifest_path) as manifest:
        todo, roles_held = [], set()
        for doc in manifest.documents:
            mine = [s for s in doc["signers"] if isinstance(s, dict) and str(s.get("iin")) == iin]
            roles_held |= {str(s.get("role")) for s in mine}
            if spec.role is not None:
                mine = [s for s in mine if s.get("role") == spec.role]
            if mine:
                todo.append((doc, mine))
        if not todo:
            if roles_held:
                raise WrongSignerError(f"{who} signs here only as {', '.join(sorted(roles_held))}, "
                                       f"not as {spec.role}")
            raise WrongSignerError(f"wrong person: {who} is not a required signer of any document in {manifest_path}")
        def embeds(doc: dict[str, Any]) -> bool:
            return sign_package is not None and doc["path"].lower().endswith(".docx")

        # Read and check every document before writing anything.
        loaded = [(doc, mine, *_read_unchanged(manifest, doc, not embeds(doc))) for doc, mine in todo]
        for doc, mine, path, data in loaded:
            if embeds(doc):
                action, output, kind = _sign_embedded(doc, path, data, signer, when, sign_package), path, KIND_EMBEDDED
            else:
                (action, output), kind = _sign_cms(path, data, signer, when), KIND_CMS
            if action != "already signed":
                doc["signatures"].extend(_record(manifest, entry, signer, kind, output, when) for entry in mine)
            roles = tuple(str(entry.get("role")) for entry in mine)
            outcomes.append(SignOutcome(doc["path"], roles, action, output.name))
        manifest.save()
    return outcomes


def _first_waiting(folder: Path, role: str | None) -> Path:
    """The first document that still waits for a signature (as ``role``, if given)."""
    manifest = Manifest.load(folder / MANIFEST_NAME)
    for doc in manifest.documents:
        done = {(str(s.get("iin")), s.get("role")) for s in doc["signatures"] if isinstance(s, dict)}
        waiting = [s for s in doc["signers"] if isinstance(s, dict) and (role is None or s.get("role") == role)
                   and (str(s.get("iin")), s.get("role")) not in done]
        if waiting:
            return manifest.document_path(doc)
    raise InputError(f"{folder / MANIFEST_NAME}: no document waits for a signature"
                     + (f" as {role}" if role else ""))


def sign_folder_externally(folder: Path, signer: IdentifiedExternalSigner, spec: SignatureSpec = SignatureSpec(),
                           *, notify: Callable[[str], None] = lambda _: None) -> list[SignOutcome]:
    """:func:`sign_folder` through an external signer (NCALayer): detached ``.p7s`` only.

    The signer's person is not known until it has signed: the first document still waiting
    for a signature is signed first, and the certificate in that CMS says who signs (matched
    to the required signers by IIN, as for a ``.p12``). That CMS is used if the person is a
    required signer of that document, else dropped.
    """
    if spec.embed:
        raise SigningError("embedded signatures need the raw signature of a .p12 key; an external signer "
                           "(NCALayer) returns a whole CMS, so it signs detached .p7s files only")
    if not (folder / MANIFEST_NAME).is_file():
        raise InputError(f"{folder}: no {MANIFEST_NAME} here; run the generate stage first")
    first = _first_waiting(folder, spec.role)
    try:
        data = first.read_bytes()
    except OSError as exc:
        raise InputError(f"{first}: cannot read the document ({exc.strerror})") from None
    identity = signer.learn(data)
    notify(f"the external signer signs as {identity.name} "
           f"(IIN {identity.iin.masked() if identity.iin else '-'}, certificate {identity.cert_serial})")
    return sign_folder(folder, signer, spec, notify=notify)
