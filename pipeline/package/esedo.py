"""ЕСЭДО hand-off: a SOAP ``SendMessage`` with a ``DocOutgoing`` payload, and its receipts.

The real bus needs a Kalkan-signed envelope and credentials that are not public; this
module builds the payload the project ships a schema for (``esedo.xsd``), validates it,
posts it to a configurable endpoint (``esedo+https://host/path``) and reads the state
receipt: ``accepted`` or ``registered`` (delivered, with the incoming number) or
``rejected`` (a permanent failure carrying the reason). The idempotency key is the
``MessageId``, so the bus recognises a repeated message.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources

from lxml import etree

from pipeline.deliver.transports._http import (
    HttpClientTransport,
    map_errors,
    raise_for_status,
)
from pipeline.deliver.transports.base import Envelope, Receipt
from pipeline.errors import InputError, Issue
from pipeline.ooxml.xml import UnsafeXmlError, parse_xml
from pipeline.package.container import read_container

__all__ = ["NAMESPACE", "SOAP_NS", "EsedoReceipt", "EsedoTransport", "SoapFault", "build_request",
           "parse_answer", "schema"]

NAMESPACE = "urn:qujat:esedo:1"
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SERVICE_ID = "ESEDO_DocOutgoing"


@dataclass(frozen=True)
class EsedoReceipt:
    """A state receipt of the bus."""

    message_id: str
    state: str
    incoming_number: str = ""
    reason: str = ""


@dataclass(frozen=True)
class SoapFault:
    """A SOAP fault; ``client`` faults are the sender's fault and will not pass on retry."""

    code: str
    text: str

    @property
    def client(self) -> bool:
        return self.code.split(":")[-1] == "Client"


@cache
def schema() -> etree.XMLSchema:
    """The shipped ``esedo.xsd``."""
    return etree.XMLSchema(parse_xml(resources.files("pipeline.package")
                                     .joinpath("esedo.xsd").read_bytes()))


def _el(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}")
    if text is not None:
        element.text = text
    return element


def build_request(envelope: Envelope, now: datetime | None = None) -> bytes:
    """The SOAP request for a package envelope; the payload is validated against the schema."""
    members = read_container(envelope.data)
    meta = json.loads(members["metadata.json"])
    send = etree.Element(f"{{{NAMESPACE}}}SendMessage", nsmap={None: NAMESPACE})
    info = _el(send, "RequestInfo")
    _el(info, "MessageId", envelope.key)
    _el(info, "ServiceId", SERVICE_ID)
    _el(info, "MessageDate", (now or datetime.now(UTC)).isoformat(timespec="seconds"))
    _el(info, "SenderBin", meta["org_bin"])
    doc = _el(send, "DocOutgoing")
    _el(doc, "RegNumber", meta["reg_number"])
    _el(doc, "RegDate", meta["reg_date"])
    _el(doc, "DocKind", meta["kind"])
    _el(doc, "Language", meta["lang"])
    author = _el(doc, "Author")
    _el(author, "Organisation", (meta["org_name_kk"] if meta["lang"] == "kk" else meta["org_name_ru"])
        or meta["org_bin"])
    _el(author, "Bin", meta["org_bin"])
    recipients = _el(doc, "Recipients")
    for recipient in meta["recipients"]:
        _el(recipients, "Recipient", recipient)
    _el(doc, "Summary", meta["summary"])
    files = _el(doc, "Files")
    signatures = {f["signs"]: f["name"] for f in meta["files"] if f["role"] == "signature"}
    for entry in meta["files"]:
        if entry["role"] == "signature":
            continue
        file = _el(files, "File")
        _el(file, "Name", entry["name"].rsplit("/", 1)[-1])
        _el(file, "MediaType", entry["media_type"])
        _el(file, "Sha256", entry["sha256"])
        _el(file, "Content", base64.b64encode(members[entry["name"]]).decode("ascii"))
        if entry["name"] in signatures:
            _el(file, "Signature", base64.b64encode(members[signatures[entry["name"]]]).decode("ascii"))
    checker = schema()
    if not checker.validate(send):
        raise InputError(issues=[Issue(location=f"DocOutgoing {meta['reg_number']}",
                                       key="handoff.esedo_invalid", params={"error": e.message})
                                 for e in checker.error_log])
    soap = etree.Element(f"{{{SOAP_NS}}}Envelope", nsmap={"soap": SOAP_NS})
    etree.SubElement(soap, f"{{{SOAP_NS}}}Header")
    etree.SubElement(soap, f"{{{SOAP_NS}}}Body").append(send)
    return etree.tostring(soap, xml_declaration=True, encoding="UTF-8")


def parse_answer(data: bytes) -> EsedoReceipt | SoapFault:
    """A receipt or a fault from a SOAP answer; ``ValueError`` if it is neither."""
    try:
        root = parse_xml(data)
    except UnsafeXmlError as exc:
        raise ValueError(str(exc)) from exc
    fault = root.find(f"{{{SOAP_NS}}}Body/{{{SOAP_NS}}}Fault")
    if fault is not None:
        return SoapFault(fault.findtext("faultcode", ""), fault.findtext("faultstring", ""))
    receipt = root.find(f"{{{SOAP_NS}}}Body/{{{NAMESPACE}}}Receipt")
    if receipt is None or not schema().validate(receipt):
        raise ValueError("the answer is neither a receipt nor a fault")
    def text(tag: str) -> str:
        return receipt.findtext(f"{{{NAMESPACE}}}{tag}", "")

    return EsedoReceipt(text("MessageId"), text("State"), text("IncomingNumber"), text("Reason"))


class EsedoTransport(HttpClientTransport):
    """Send packages to an ЕСЭДО-style SOAP endpoint (``esedo+http(s)://…``)."""

    scheme = "esedo+https"

    secure_prefix = "esedo+https:"


    def send(self, envelope: Envelope) -> Receipt:
        try:
            body = build_request(envelope)
        except (InputError, KeyError, ValueError) as exc:
            raise self.permanent(envelope, f"cannot build DocOutgoing: {exc}") from exc
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '"SendMessage"'}
        with map_errors(self, envelope):
            response = self.client.post(self.endpoint, content=body, headers=headers)
        try:
            answer = parse_answer(response.content) if response.content else None
        except ValueError as exc:
            answer = None
            if response.is_success:
                raise self.transient(envelope, f"malformed answer: {exc}") from exc
        if isinstance(answer, SoapFault):
            reason = f"SOAP fault {answer.code}: {answer.text}"
            raise (self.permanent if answer.client else self.transient)(envelope, reason)
        raise_for_status(self, envelope, response, "SendMessage")
        if answer is None:
            raise self.transient(envelope, "empty answer")
        if answer.message_id != envelope.key:
            raise self.transient(envelope, "receipt for another message")
        if answer.state == "rejected":
            raise self.permanent(envelope, f"rejected: {answer.reason}")
        return Receipt(destination=self.destination, key=envelope.key,
                       location=answer.incoming_number or self.endpoint, status=answer.state,
                       detail={"state": answer.state, "incoming_number": answer.incoming_number})

