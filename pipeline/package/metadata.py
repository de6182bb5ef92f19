"""The package passport: ``metadata.xml`` (validated against ``metadata.xsd``) and its JSON twin."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from typing import Any

from lxml import etree

from pipeline.errors import InputError, Issue
from pipeline.ooxml.xml import parse_xml

__all__ = ["NAMESPACE", "FileEntry", "PackageMetadata", "SignatureEntry", "schema", "to_element",
           "to_json", "to_xml", "validate"]

NAMESPACE = "urn:qujat:package:1"


@dataclass(frozen=True)
class FileEntry:
    """One file of the package; ``signs`` names the file a signature belongs to."""

    name: str
    role: str
    media_type: str
    size: int
    sha256: str
    signs: str = ""

    @classmethod
    def of(cls, name: str, role: str, media_type: str, data: bytes, signs: str = "") -> FileEntry:
        return cls(name, role, media_type, len(data), hashlib.sha256(data).hexdigest(), signs)


@dataclass(frozen=True)
class SignatureEntry:
    """Who signed the document, as the signing stage recorded it."""

    role: str
    name: str
    iin: str
    cert_serial: str
    signed_at: str


@dataclass(frozen=True)
class PackageMetadata:
    """Everything the passport says about one registered document."""

    reg_number: str
    reg_date: str
    document_id: str
    kind: str
    lang: str
    title_kk: str
    title_ru: str
    org_name_kk: str
    org_name_ru: str
    org_bin: str
    employee: str
    recipients: tuple[str, ...]
    summary: str
    profile: str
    period: str
    files: tuple[FileEntry, ...]
    signatures: tuple[SignatureEntry, ...]


@cache
def schema() -> etree.XMLSchema:
    """The shipped ``metadata.xsd``."""
    text = resources.files("pipeline.package").joinpath("metadata.xsd").read_bytes()
    return etree.XMLSchema(parse_xml(text))


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def to_element(meta: PackageMetadata) -> etree._Element:
    """The passport as an lxml element."""
    root = etree.Element(f"{{{NAMESPACE}}}Package", {"version": "1"}, nsmap={None: NAMESPACE})
    registration = _el(root, "Registration")
    _el(registration, "Number", meta.reg_number)
    _el(registration, "Date", meta.reg_date)
    _el(root, "DocumentId", meta.document_id)
    _el(root, "DocumentKind", meta.kind)
    _el(root, "Language", meta.lang)
    for lang, title in (("kk", meta.title_kk), ("ru", meta.title_ru)):
        if title:
            _el(root, "Title", title, lang=lang)
    organisation = _el(root, "Organisation")
    _el(organisation, "NameKk", meta.org_name_kk)
    _el(organisation, "NameRu", meta.org_name_ru)
    _el(organisation, "Bin", meta.org_bin)
    author = _el(root, "Author")
    _el(author, "Organisation", (meta.org_name_kk if meta.lang == "kk" else meta.org_name_ru)
        or meta.org_bin)
    _el(author, "Bin", meta.org_bin)
    _el(author, "Employee", meta.employee)
    recipients = _el(root, "Recipients")
    for recipient in meta.recipients:
        _el(recipients, "Recipient", recipient)
    _el(root, "Summary", meta.summary)
    _el(root, "Profile", meta.profile)
    _el(root, "Period", meta.period)
    files = _el(root, "Files")
    for entry in meta.files:
        attrs = {"name": entry.name, "role": entry.role, "mediaType": entry.media_type,
                 "size": str(entry.size), "sha256": entry.sha256}
        if entry.signs:
            attrs["signs"] = entry.signs
        _el(files, "File", **attrs)
    signatures = _el(root, "Signatures")
    for sig in meta.signatures:
        _el(signatures, "Signature", role=sig.role, name=sig.name, iin=sig.iin,
            certSerial=sig.cert_serial, signedAt=sig.signed_at)
    return root


def validate(element: etree._Element, where: str = "metadata.xml") -> None:
    """Raise ``InputError`` listing every schema violation of the passport."""
    checker = schema()
    if checker.validate(element):
        return
    issues = [Issue(location=f"{where}:{error.line}", key="handoff.metadata_invalid",
                    params={"error": error.message}) for error in checker.error_log]
    raise InputError(issues=issues)


def to_xml(meta: PackageMetadata) -> bytes:
    """Validated passport XML (UTF-8, with declaration)."""
    element = to_element(meta)
    validate(element)
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def to_json(meta: PackageMetadata) -> bytes:
    """The JSON twin of the passport (same fields, stable key order)."""
    data: dict[str, Any] = asdict(meta)
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
