"""Demo keys: a test root CA and NCA-like ``.p12`` keys for the people of an evaluation.

Real NCA keys cannot be used in tests, so this builds certificates with the same subject
layout (CN, SURNAME, G, SERIALNUMBER=IIN…, C, O, OU=BIN…), certificate policies and key usages.
Besides one key per person it writes three keys that must be refused or distrusted:
``expired.p12``, ``other-root.p12`` (issued by another root) and ``auth-only.p12``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from pipeline.errors import InputError, Issue
from pipeline.fsio import atomic_write_bytes
from signing.identity import Bin, Iin, NcaRole

__all__ = [
    "DEMO_PASSWORD", "Authority", "DemoPerson", "built_in_people", "issue_certificate", "make_demo", "make_root",
    "read_people",
]

DEMO_PASSWORD = "qujat-demo"
DEMO_ORGANISATION = "ГУ «Аппарат акима города Демо»"
DEMO_BIN = "120240000017"
_SPECIAL_FILES = ("expired.p12", "other-root.p12", "auth-only.p12")

# Evaluation role -> certificate-policy role of the person's key.
_POLICY_FOR_ROLE = {"hr": NcaRole.HR, "authorised_person": NcaRole.SIGNATORY}


@dataclass(frozen=True)
class DemoPerson:
    """One person who gets a demo key."""

    id: str
    full_name: str
    iin: Iin
    roles: tuple[str, ...]
    organisation: str | None = DEMO_ORGANISATION
    bin: Bin | None = field(default_factory=lambda: Bin(DEMO_BIN))
    algorithm: str = "rsa"

    @property
    def nca_role(self) -> NcaRole:
        if self.bin is None:
            return NcaRole.INDIVIDUAL
        for role in self.roles:
            if role in _POLICY_FOR_ROLE:
                return _POLICY_FOR_ROLE[role]
        return NcaRole.EMPLOYEE


def _iin(birth: str, gender_century: int, serial: int) -> Iin:
    while True:
        value = Iin.with_checksum(f"{birth}{gender_century}{serial:04d}")
        if value is not None:
            return Iin(value)
        serial += 1


def built_in_people() -> list[DemoPerson]:
    """The default cast: an employee, the chain of managers, a commission, secretary, HR, signatory."""
    rows = [
        ("E001", "Әбенов Нұрлан Серікұлы", "900101", 3, ("employee",), "rsa"),
        ("M001", "Жұмабаева Айгүл Маратқызы", "850315", 4, ("direct_manager",), "rsa"),
        ("S001", "Сейтқали Ержан Болатұлы", "780720", 3, ("superior",), "ec"),
        ("C001", "Қасымов Дәурен Асқарұлы", "750204", 3, ("commission_chair",), "rsa"),
        ("CM01", "Иванова Елена Петровна", "820911", 4, ("commission_member",), "rsa"),
        ("CM02", "Төлеуов Бауыржан Қайратұлы", "880102", 3, ("commission_member",), "ec"),
        ("CM03", "Ахметова Сәуле Ерланқызы", "910623", 4, ("commission_member",), "rsa"),
        ("CM04", "Ким Виктор Александрович", "800830", 3, ("commission_member",), "rsa"),
        ("SEC1", "Нұрланова Дана Ғаниқызы", "950417", 4, ("secretary",), "ec"),
        ("HR01", "Бекова Гүлнар Тимурқызы", "870505", 4, ("hr",), "rsa"),
        ("AUTH1", "Омаров Талғат Нұрғалиұлы", "700112", 3, ("authorised_person",), "rsa"),
    ]
    return [
        DemoPerson(pid, name, _iin(birth, gender, 100 + i), roles, algorithm=alg)
        for i, (pid, name, birth, gender, roles, alg) in enumerate(rows)
    ]


def read_people(path: Path) -> list[DemoPerson]:
    """People from a YAML/JSON list of ``{id, full_name, iin, role, organisation, bin}``."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise InputError(f"{path}: cannot read the people file: {exc}") from None
    if isinstance(data, dict):
        data = data.get("people")
    if not isinstance(data, list) or not data:
        raise InputError(f"{path}: expected a non-empty list of people")
    people, issues = [], []
    for index, row in enumerate(data):
        where = f"{path.name}: [{index}]"
        if not isinstance(row, dict) or not row.get("id") or not row.get("full_name"):
            issues.append(Issue(where, "signing.people.row", {"detail": "needs id and full_name"}, row))
            continue
        roles = row.get("roles") or row.get("role") or ()
        roles = (roles,) if isinstance(roles, str) else tuple(roles)
        try:
            iin = Iin(row.get("iin", ""))
            bin_ = Bin(row["bin"]) if row.get("bin") else None
        except ValueError as exc:
            issues.append(Issue(where, "signing.people.row", {"detail": str(exc)}, row.get("iin")))
            continue
        people.append(DemoPerson(
            id=str(row["id"]), full_name=str(row["full_name"]), iin=iin, roles=roles,
            organisation=row.get("organisation") if bin_ else None, bin=bin_,
            algorithm=str(row.get("algorithm", "rsa")).lower(),
        ))
    if issues:
        raise InputError(f"{path}: invalid people", issues)
    return people


def _new_key(algorithm: str) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    if algorithm in ("ec", "ecdsa", "p-256"):
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _subject(person: DemoPerson) -> x509.Name:
    words = person.full_name.split()
    attrs = [
        x509.NameAttribute(NameOID.COMMON_NAME, " ".join(words[:2]).upper()),
        x509.NameAttribute(NameOID.SURNAME, words[0].upper()),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IIN{person.iin}"),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
    ]
    if len(words) > 2:
        attrs.append(x509.NameAttribute(NameOID.GIVEN_NAME, " ".join(words[2:]).upper()))
    if person.bin is not None:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, person.organisation or DEMO_ORGANISATION))
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"BIN{person.bin}"))
    return x509.Name(attrs)


@dataclass(frozen=True)
class Authority:
    """A certification authority: its key and self-signed certificate."""

    key: rsa.RSAPrivateKey
    cert: x509.Certificate


def make_root(name: str, now: datetime) -> Authority:
    """A new self-signed RSA-2048 root valid for ten years from ``now``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, name),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
    ])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Authority(key, cert)


def issue_certificate(
    ca: Authority, person: DemoPerson, key_public: object, *, not_before: datetime,
    not_after: datetime, auth_only: bool = False,
) -> x509.Certificate:
    """An NCA-like personal certificate for ``person`` signed by ``ca``."""
    policy = person.nca_role.policy_oid or "1.2.398.3.3.4.1.1"
    if auth_only:
        usage = x509.KeyUsage(True, False, True, False, False, False, False, False, False)
        eku = [ExtendedKeyUsageOID.CLIENT_AUTH]
    else:
        usage = x509.KeyUsage(True, True, False, False, False, False, False, False, False)
        eku = [ExtendedKeyUsageOID.EMAIL_PROTECTION]
    return (
        x509.CertificateBuilder()
        .subject_name(_subject(person)).issuer_name(ca.cert.subject).public_key(key_public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before).not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.ExtendedKeyUsage(eku), critical=False)
        .add_extension(x509.CertificatePolicies([
            x509.PolicyInformation(x509.ObjectIdentifier(policy), None)]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
        .sign(ca.key, hashes.SHA256())
    )


def _write_p12(path: Path, person: DemoPerson, key: object, cert: x509.Certificate,
               ca_cert: x509.Certificate, password: str) -> None:
    blob = pkcs12.serialize_key_and_certificates(
        person.id.encode("utf-8"), key, cert, [ca_cert],
        serialization.BestAvailableEncryption(password.encode("utf-8")),
    )
    atomic_write_bytes(path, blob, mode=0o600)


def make_demo(directory: Path, people: Iterable[DemoPerson] | None = None, *,
              password: str = DEMO_PASSWORD, now: datetime | None = None) -> dict[str, dict[str, object]]:
    """Write ``ca.pem``, one ``<id>.p12`` per person, the three bad keys, ``people.json``, ``README.txt``."""
    now = now or datetime.now(timezone.utc)
    people = list(people) if people is not None else built_in_people()
    ids = [p.id for p in people]
    clash = {i for i in ids if ids.count(i) > 1} | {i for i in ids if f"{i}.p12" in _SPECIAL_FILES}
    if clash:
        raise InputError(f"duplicate or reserved person ids: {', '.join(sorted(clash))}")
    directory.mkdir(parents=True, exist_ok=True)
    ca = make_root("Qujat Demo Root CA (NOT NCA RK)", now)
    atomic_write_bytes(directory / "ca.pem", ca.cert.public_bytes(serialization.Encoding.PEM))
    valid = dict(not_before=now - timedelta(days=1), not_after=now + timedelta(days=365))
    index: dict[str, dict[str, object]] = {}
    for person in people:
        key = _new_key(person.algorithm)
        cert = issue_certificate(ca, person, key.public_key(), **valid)
        _write_p12(directory / f"{person.id}.p12", person, key, cert, ca.cert, password)
        index[person.id] = {
            "file": f"{person.id}.p12", "iin": str(person.iin), "roles": list(person.roles),
            "name": person.full_name, "algorithm": "ecdsa-p256" if isinstance(key, ec.EllipticCurvePrivateKey)
            else "rsa-2048", "cert_serial": format(cert.serial_number, "x"),
        }
    first = people[0]
    key = _new_key("rsa")
    expired = issue_certificate(ca, first, key.public_key(), not_before=now - timedelta(days=400),
                                not_after=now - timedelta(days=35))
    _write_p12(directory / "expired.p12", first, key, expired, ca.cert, password)
    other = make_root("Other Root CA (untrusted)", now)
    key = _new_key("rsa")
    _write_p12(directory / "other-root.p12", first,
               key, issue_certificate(other, first, key.public_key(), **valid), other.cert, password)
    atomic_write_bytes(directory / "other-ca.pem", other.cert.public_bytes(serialization.Encoding.PEM))
    key = _new_key("rsa")
    _write_p12(directory / "auth-only.p12", first,
               key, issue_certificate(ca, first, key.public_key(), auth_only=True, **valid), ca.cert, password)
    atomic_write_bytes(directory / "people.json",
                 json.dumps(index, ensure_ascii=False, indent=2).encode("utf-8") + b"\n")
    atomic_write_bytes(directory / "README.txt", _readme(password, first.id).encode("utf-8"))
    return index


def _readme(password: str, first_id: str) -> str:
    return (
        "qujat demo keys - FOR TESTS ONLY, not issued by NCA RK.\n\n"
        f"Password of every .p12 here: {password}\n"
        "Give it to qujat through the environment, never on the command line:\n"
        f"  export QUJAT_KEY_PASSWORD='{password}'\n\n"
        "ca.pem          trusted demo root (qujat verify --ca ca.pem)\n"
        "<id>.p12        one signing key per person (see people.json: id -> file, IIN, roles)\n"
        f"expired.p12     {first_id}'s key, expired: refused\n"
        f"other-root.p12  {first_id}'s key from another root (other-ca.pem): untrusted\n"
        f"auth-only.p12   {first_id}'s authentication key: refused for signing\n"
    )
