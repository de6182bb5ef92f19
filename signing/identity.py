"""NCA RK identity values: IIN, BIN, certificate-policy role, and the signer identity.

The subject of an NCA certificate carries ``SERIALNUMBER=IIN…`` and, for an employee of an
organisation, ``O`` and ``OU=BIN…``; the certificate policy says which legal-entity role the
key has. These small value types validate themselves when constructed.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.x509.oid import ExtensionOID, NameOID

__all__ = ["Bin", "Iin", "NcaRole", "SignerIdentity", "identity_from_certificate"]

_TWELVE_DIGITS = re.compile(r"\d{12}")
_WEIGHTS_1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def _control_digit(digits: str) -> int | None:
    """The Kazakh IIN/BIN control digit of the first 11 digits; None if it cannot exist."""
    for weights in (_WEIGHTS_1, _WEIGHTS_2):
        remainder = sum(int(d) * w for d, w in zip(digits[:11], weights, strict=True)) % 11
        if remainder != 10:
            return remainder
    return None


class _TwelveDigits(str):
    kind = "number"

    def __new__(cls, value: object) -> _TwelveDigits:
        text = str(value).strip()
        if not _TWELVE_DIGITS.fullmatch(text):
            raise ValueError(f"{cls.kind} must be 12 digits, got {text!r}")
        return super().__new__(cls, text)

    @property
    def has_valid_checksum(self) -> bool:
        """True when the 12th digit is the official control digit (not required here)."""
        return _control_digit(self) == int(self[11])

    @classmethod
    def with_checksum(cls, first_eleven: str) -> _TwelveDigits | None:
        """Complete 11 digits with their control digit; None when no digit fits."""
        digit = _control_digit(first_eleven)
        return None if digit is None else cls(first_eleven + str(digit))


class Iin(_TwelveDigits):
    """Individual identification number (ЖСН/ИИН): 12 digits."""

    kind = "IIN"

    def masked(self) -> str:
        """The IIN with the middle hidden, as printed on stamps: ``9001******45``."""
        return self[:4] + "*" * 6 + self[10:]


class Bin(_TwelveDigits):
    """Business identification number (БСН/БИН) of an organisation: 12 digits."""

    kind = "BIN"


class NcaRole(str, enum.Enum):
    """Role of a key from its NCA certificate policy."""

    INDIVIDUAL = "individual"
    HEAD = "head"
    SIGNATORY = "signatory"
    FINANCE = "finance"
    HR = "hr"
    EMPLOYEE = "employee"
    INFORMATION_SYSTEM = "information_system"
    UNKNOWN = "unknown"

    @property
    def policy_oid(self) -> str | None:
        return _ROLE_TO_OID.get(self)

    @classmethod
    def from_policy(cls, oids: list[str]) -> NcaRole:
        for oid in oids:
            if oid in _OID_TO_ROLE:
                return _OID_TO_ROLE[oid]
        return cls.UNKNOWN


POLICY_INDIVIDUAL = "1.2.398.3.3.4.1.1"
POLICY_LEGAL_ENTITY = "1.2.398.3.3.4.1.2"
_ROLE_TO_OID = {
    NcaRole.INDIVIDUAL: POLICY_INDIVIDUAL,
    NcaRole.HEAD: POLICY_LEGAL_ENTITY + ".1",
    NcaRole.SIGNATORY: POLICY_LEGAL_ENTITY + ".2",
    NcaRole.FINANCE: POLICY_LEGAL_ENTITY + ".3",
    NcaRole.HR: POLICY_LEGAL_ENTITY + ".4",
    NcaRole.EMPLOYEE: POLICY_LEGAL_ENTITY + ".5",
    NcaRole.INFORMATION_SYSTEM: POLICY_LEGAL_ENTITY + ".6",
}
_OID_TO_ROLE = {oid: role for role, oid in _ROLE_TO_OID.items()}


@dataclass(frozen=True)
class SignerIdentity:
    """Who a certificate belongs to, as the NCA subject and policy say."""

    name: str
    iin: Iin | None
    bin: Bin | None
    organisation: str | None
    role: NcaRole
    cert_serial: str
    valid_from: datetime
    valid_to: datetime
    surname: str | None = None
    given_name: str | None = None
    country: str | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form; the IIN is masked."""
        return {
            "name": self.name,
            "iin": self.iin.masked() if self.iin else None,
            "bin": str(self.bin) if self.bin else None,
            "organisation": self.organisation,
            "role": self.role.value,
            "cert_serial": self.cert_serial,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat(),
        }


def _attr(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else None


def _prefixed(value: str | None, prefix: str, kind: type[_TwelveDigits]) -> _TwelveDigits | None:
    if not value:
        return None
    digits = value[len(prefix):] if value.upper().startswith(prefix) else value
    try:
        return kind(digits)
    except ValueError:
        return None


def identity_from_certificate(cert: x509.Certificate) -> SignerIdentity:
    """Read the NCA identity (name, IIN, BIN, organisation, policy role) of ``cert``."""
    subject = cert.subject
    try:
        policies = cert.extensions.get_extension_for_oid(ExtensionOID.CERTIFICATE_POLICIES).value
        policy_oids = [p.policy_identifier.dotted_string for p in policies]
    except x509.ExtensionNotFound:
        policy_oids = []
    iin = _prefixed(_attr(subject, NameOID.SERIAL_NUMBER), "IIN", Iin)
    bin_ = _prefixed(_attr(subject, NameOID.ORGANIZATIONAL_UNIT_NAME), "BIN", Bin)
    return SignerIdentity(
        name=_attr(subject, NameOID.COMMON_NAME) or subject.rfc4514_string(),
        iin=Iin(iin) if iin else None,
        bin=Bin(bin_) if bin_ else None,
        organisation=_attr(subject, NameOID.ORGANIZATION_NAME),
        role=NcaRole.from_policy(policy_oids),
        cert_serial=format(cert.serial_number, "x"),
        valid_from=cert.not_valid_before_utc,
        valid_to=cert.not_valid_after_utc,
        surname=_attr(subject, NameOID.SURNAME),
        given_name=_attr(subject, NameOID.GIVEN_NAME),
        country=_attr(subject, NameOID.COUNTRY_NAME),
    )
