"""The EDS QR payload: who signs, with which certificate, when, and which document.

UTF-8 text, a first line ``QUJAT-EDS/1`` and then exactly these ``key=value`` lines, in order::

    QUJAT-EDS/1
    name=ӘЛИЕВ АСҚАР БОЛАТҰЛЫ        certificate CN (whitespace collapsed, one line)
    iin=9001******45                 IIN from the subject: first 4 digits, 6 stars, last 2
    serial=3e1e48f463c0cec8d8        certificate serial, lower-case hex, no leading zeros
    time=2026-11-28T17:00:00+05:00   signing time, ISO 8601 to the second, with offset
    sha256=0123456789abcdef          first 16 hex digits of SHA-256 of /word/document.xml

The time is the one later passed to :func:`signing.ooxml.sign_package`, and the digest is of
the main document part, which header QR codes do not change; so every field can be checked
against the signed package (:mod:`signing.verify.qr`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509

from signing.identity import identity_from_certificate

__all__ = ["EDS_HEADER", "EdsQrData", "document_digest16"]

EDS_HEADER = "QUJAT-EDS/1"
_KEYS = ("name", "iin", "serial", "time", "sha256")
_MASKED_IIN = re.compile(r"\d{4}\*{6}\d{2}")
_HEX = re.compile(r"[0-9a-f]+")
_DIGEST16 = re.compile(r"[0-9a-f]{16}")


def document_digest16(document_xml: bytes) -> str:
    """First 16 hex digits of the SHA-256 of the main document part."""
    return hashlib.sha256(document_xml).hexdigest()[:16]


@dataclass(frozen=True)
class EdsQrData:
    """The EDS data of one signer, as carried by the second QR code."""

    name: str
    iin_masked: str
    cert_serial: str
    signing_time: datetime
    document_sha256_16: str

    def __post_init__(self) -> None:
        if self.signing_time.tzinfo is None:
            raise ValueError("signing time must carry a time zone")
        if "\n" in self.name or "\r" in self.name or not self.name.strip():
            raise ValueError("signer name must be one non-empty line")
        if not _MASKED_IIN.fullmatch(self.iin_masked):
            raise ValueError(f"masked IIN must look like 9001******45, got {self.iin_masked!r}")
        if not _HEX.fullmatch(self.cert_serial):
            raise ValueError("certificate serial must be lower-case hex")
        if not _DIGEST16.fullmatch(self.document_sha256_16):
            raise ValueError("document digest must be 16 lower-case hex digits")

    @classmethod
    def for_signer(cls, certificate: x509.Certificate, signing_time: datetime,
                   document_xml: bytes) -> EdsQrData:
        """The EDS data of the holder of ``certificate`` signing ``document_xml`` at ``signing_time``."""
        identity = identity_from_certificate(certificate)
        if identity.iin is None:
            raise ValueError("the signer certificate carries no IIN (SERIALNUMBER=IIN...)")
        return cls(
            name=" ".join(identity.name.split()),
            iin_masked=identity.iin.masked(),
            cert_serial=identity.cert_serial,
            signing_time=signing_time.replace(microsecond=0),
            document_sha256_16=document_digest16(document_xml),
        )

    def to_text(self) -> str:
        """The QR payload (see the module docstring)."""
        values = (self.name, self.iin_masked, self.cert_serial,
                  self.signing_time.isoformat(timespec="seconds"), self.document_sha256_16)
        return "\n".join([EDS_HEADER] + [f"{key}={value}" for key, value in zip(_KEYS, values, strict=True)])

    @classmethod
    def parse(cls, text: str) -> EdsQrData:
        """Read a payload written by :meth:`to_text`; ValueError when it is not one."""
        lines = text.replace("\r\n", "\n").split("\n")
        if len(lines) != len(_KEYS) + 1 or lines[0] != EDS_HEADER:
            raise ValueError("not a QUJAT-EDS/1 payload")
        values = {}
        for key, line in zip(_KEYS, lines[1:], strict=True):
            found, _, value = line.partition("=")
            if found != key:
                raise ValueError(f"expected {key}=..., got {line!r}")
            values[key] = value
        return cls(name=values["name"], iin_masked=values["iin"], cert_serial=values["serial"],
                   signing_time=datetime.fromisoformat(values["time"]),
                   document_sha256_16=values["sha256"])
