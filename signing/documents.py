"""Signing the documents of an evaluation folder listed in its ``manifest.json``.

``SignatureSpec`` says how (role, embed), :func:`sign_folder_with` does it for a set of keys in
one pass (:func:`sign_folder` for one key): every document whose required signers include a
key's IIN (and role) gets a detached CAdES-BES ``<file>.p7s`` with one SignerInfo per key
(co-signed if the file exists), or with ``embed`` signatures inside the DOCX when
:mod:`signing.ooxml` is installed. The manifest records who signed, as which role,
with which certificate and when. :func:`sign_folder_externally` does the same through
NCALayer or another external signer, whose person is known only from its first CMS.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pipeline.errors import InputError, SigningError, UserError
from pipeline.fsio import atomic_write_bytes
from signing.cms import cosign, merge, sign_detached, sign_digest, signed_by
from signing.external import IdentifiedExternalSigner
from signing.manifest import MANIFEST_NAME, Manifest, locked_manifest
from signing.signer import Signer

__all__ = ["Prepare", "SignOutcome", "SignatureSpec", "WrongSignerError", "embedder", "sign_folder",
           "sign_folder_externally", "sign_folder_with"]

KIND_CMS = "cades-bes"
KIND_EMBEDDED = "ooxml"
AnySigner = Signer | IdentifiedExternalSigner
Prepare = Callable[[dict[str, Any], bytes], bytes]
"""Changes a document (manifest entry, bytes) just before it is signed; returns the new bytes."""


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


@dataclass
class _Document:
    """One document to sign now: its bytes (read once) and each key's required-signer entries."""

    doc: dict[str, Any]
    path: Path
    data: bytes
    digest: bytes | None                    # SHA-256 of ``data`` once computed
    signers: list[tuple[AnySigner, list[dict[str, Any]]]]
    changed: bool = False                   # ``data`` differs from the file

    def sha256(self) -> bytes:
        if self.digest is None:
            self.digest = hashlib.sha256(self.data).digest()
        return self.digest

    def change(self, data: bytes) -> None:
        if data is not self.data:
            self.data, self.digest, self.changed = data, None, True


def _read_unchanged(manifest: Manifest, doc: dict[str, Any], check_hash: bool) -> tuple[Path, bytes, bytes | None]:
    """The file of ``doc``, its bytes and (when checked against the manifest) their SHA-256."""
    path = manifest.document_path(doc)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{doc['path']}: cannot read the document ({exc.strerror})") from None
    expected = str(doc.get("sha256") or "").lower()
    if not (check_hash and expected):
        return path, data, None
    digest = hashlib.sha256(data).digest()
    if digest.hex() != expected:
        raise InputError(f"{doc['path']}: the document changed after it was generated "
                         f"(its SHA-256 differs from {MANIFEST_NAME}); regenerate it before signing")
    return path, data, digest


def _assignments(manifest: Manifest, signer: AnySigner, role: str | None) -> dict[int, list[dict[str, Any]]]:
    """Index of each document -> the required-signer entries of this key's person (as ``role``).

    Raises :class:`WrongSignerError` when the person signs nothing here (as ``role``).
    """
    identity = signer.identity
    if identity.iin is None:
        raise WrongSignerError(f"the certificate of {identity.name} carries no IIN (SERIALNUMBER=IIN…)")
    iin = str(identity.iin)
    todo: dict[int, list[dict[str, Any]]] = {}
    roles_held: set[str] = set()
    for index, doc in enumerate(manifest.documents):
        mine = [s for s in doc["signers"] if isinstance(s, dict) and str(s.get("iin")) == iin]
        roles_held |= {str(s.get("role")) for s in mine}
        if role is not None:
            mine = [s for s in mine if s.get("role") == role]
        if mine:
            todo[index] = mine
    if todo:
        return todo
    who = f"{identity.name} (IIN {identity.iin.masked()})"
    if roles_held:
        raise WrongSignerError(f"{who} signs here only as {', '.join(sorted(roles_held))}, not as {role}")
    raise WrongSignerError(f"wrong person: {who} is not a required signer of any document in {manifest.path}")


def _new_cms(data: bytes, digest: bytes, signer: AnySigner, when: datetime) -> bytes:
    if isinstance(signer, Signer):
        return sign_digest(digest, signer, when)
    return sign_detached(data, signer)     # an external signer hashes and signs elsewhere


def _sign_cms(manifest: Manifest, item: _Document, when: datetime, durable: bool) -> list[SignOutcome]:
    """Every new SignerInfo of ``item`` into one ``.p7s``, written once."""
    digest = item.sha256()
    p7s = item.path.with_name(item.path.name + ".p7s")
    existing = p7s.read_bytes() if p7s.exists() else None
    blob, outcomes = existing, []
    for signer, entries in item.signers:
        if existing is not None and signed_by(existing, signer.asn1_certificate):
            action = "already signed"
        elif blob is None:
            blob, action = _new_cms(item.data, digest, signer, when), "signed"
        elif blob is existing:  # the first addition to a file on disk: cosign checks it covers this content
            blob, action = cosign(existing, item.data, signer, when), "co-signed"
        else:
            blob, action = merge(blob, _new_cms(item.data, digest, signer, when)), "co-signed"
        if action != "already signed":
            item.doc["signatures"].extend(_record(manifest, e, signer, KIND_CMS, p7s, when) for e in entries)
        outcomes.append(SignOutcome(item.doc["path"], tuple(str(e.get("role")) for e in entries), action, p7s.name))
    if blob is not None and blob is not existing:
        atomic_write_bytes(p7s, blob, durable=durable)
    return outcomes


def _sign_embedded(manifest: Manifest, item: _Document, when: datetime,
                   sign_package: Callable[..., bytes]) -> list[SignOutcome]:
    """Every new signature of ``item`` inside the DOCX bytes ``item.data`` (the caller writes them)."""
    outcomes = []
    for signer, entries in item.signers:
        serial = signer.identity.cert_serial
        if any(s.get("kind") == KIND_EMBEDDED and s.get("cert_serial") == serial for s in item.doc["signatures"]):
            action = "already signed"
        else:
            item.change(sign_package(item.data, signer, signing_time=when))
            action = "embedded"
            item.doc["signatures"].extend(_record(manifest, e, signer, KIND_EMBEDDED, item.path, when)
                                          for e in entries)
        outcomes.append(SignOutcome(item.doc["path"], tuple(str(e.get("role")) for e in entries), action,
                                    item.path.name))
    return outcomes


def _write_changed(item: _Document, durable: bool) -> None:
    """Write the document if it changed, and record its new SHA-256."""
    if item.changed:
        atomic_write_bytes(item.path, item.data, durable=durable)
        item.doc["sha256"] = item.sha256().hex()


def sign_folder_with(folder: Path, signers: Sequence[AnySigner], spec: SignatureSpec = SignatureSpec(), *,
                     now: datetime | None = None, notify: Callable[[str], None] = lambda _: None,
                     prepare: Prepare | None = None, durable: bool = True) -> list[SignOutcome]:
    """Sign every document of ``folder/manifest.json`` that waits for one of ``signers``, in one pass.

    Each document is read and hashed once; all its new signatures are made in memory and its
    ``.p7s`` (or, with ``spec.embed``, the DOCX) is written once, the manifest once at the end.
    A key whose person signs nothing here is skipped; :class:`WrongSignerError` only when no key
    signs anything. ``prepare(doc, data)`` may change a document that carries no signature yet
    just before it is signed (the QR codes of ``qujat run``); its new SHA-256 is recorded.
    ``durable=False`` only inside a folder that is made durable as a whole afterwards.
    """
    manifest_path = folder / MANIFEST_NAME
    if not manifest_path.is_file():
        raise InputError(f"{folder}: no {MANIFEST_NAME} here; run the generate stage first")
    when = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    sign_package = embedder() if spec.embed else None
    if spec.embed and sign_package is None:
        notify("embedded signatures are not available (signing.ooxml missing): writing .p7s files instead")
    outcomes: list[SignOutcome] = []
    with locked_manifest(manifest_path) as manifest:
        work: dict[int, list[tuple[AnySigner, list[dict[str, Any]]]]] = {}
        refusals: list[WrongSignerError] = []
        for signer in signers:
            try:
                for index, entries in _assignments(manifest, signer, spec.role).items():
                    work.setdefault(index, []).append((signer, entries))
            except WrongSignerError as exc:
                refusals.append(exc)
        if not work:
            raise refusals[0] if refusals else WrongSignerError("no key to sign with")

        def embeds(doc: dict[str, Any]) -> bool:
            return sign_package is not None and doc["path"].lower().endswith(".docx")

        # Read and check every document before writing anything.
        items = [_Document(doc, *_read_unchanged(manifest, doc, not embeds(doc)), work[index])
                 for index in sorted(work) for doc in [manifest.documents[index]]]
        for item in items:
            if prepare is not None and not item.doc["signatures"]:
                item.change(prepare(item.doc, item.data))
            if embeds(item.doc):
                outcomes += _sign_embedded(manifest, item, when, sign_package)
                _write_changed(item, durable)
            else:
                _write_changed(item, durable)
                outcomes += _sign_cms(manifest, item, when, durable)
        manifest.save(durable=durable)
    return outcomes


def sign_folder(folder: Path, signer: AnySigner, spec: SignatureSpec = SignatureSpec(), *,
                now: datetime | None = None, notify: Callable[[str], None] = lambda _: None) -> list[SignOutcome]:
    """Sign every document of ``folder/manifest.json`` that waits for this key's person."""
    return sign_folder_with(folder, [signer], spec, now=now, notify=notify)


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
