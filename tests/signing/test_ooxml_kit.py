"""Test kit for the DOCX signature tests: a test CA, NCA-like signers, DOCX files, the Java verifier.

Imported by ``test_ooxml*.py``, ``test_qr*.py`` and ``test_stamp*.py``; holds no tests itself.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import docx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

JAVA_SOURCES = Path(__file__).with_name("java")
NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class TestSigner:
    """In-memory key + certificate with the ``sign_raw`` API of ``signing.software``."""

    __test__ = False
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    def sign_raw(self, data: bytes, digest: str) -> bytes:
        algorithm = {"sha256": hashes.SHA256(), "sha1": hashes.SHA1()}[digest]
        if isinstance(self.key, rsa.RSAPrivateKey):
            return self.key.sign(data, padding.PKCS1v15(), algorithm)
        return self.key.sign(data, ec.ECDSA(algorithm))


@dataclass(frozen=True)
class TestCa:
    __test__ = False
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    def issue(self, full_name: str, iin: str, *, algorithm: str = "rsa",
              not_before: datetime = NOW - timedelta(days=30),
              not_after: datetime = NOW + timedelta(days=335)) -> TestSigner:
        key = (rsa.generate_private_key(public_exponent=65537, key_size=2048) if algorithm == "rsa"
               else ec.generate_private_key(ec.SECP256R1()))
        surname, given = full_name.split()[0], " ".join(full_name.split()[1:])
        subject = x509.Name([
            x509.NameAttribute(NameOID.COMMON_NAME, full_name.upper()),
            x509.NameAttribute(NameOID.SURNAME, surname.upper()),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IIN{iin}"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
            x509.NameAttribute(NameOID.GIVEN_NAME, given.upper()),
        ])
        cert = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(self.certificate.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False),
                           critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.CertificatePolicies([
                x509.PolicyInformation(x509.ObjectIdentifier("1.2.398.3.3.4.1.1"), None)]), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        return TestSigner(key, cert)


def make_ca(name: str = "Qujat Test Root CA") -> TestCa:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name),
                         x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ")])
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=365)).not_valid_after(NOW + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    return TestCa(key, cert)


def make_docx(text: str = "Жеке жұмыс жоспары — Индивидуальный план работы", *,
              hyperlink: bool = False) -> bytes:
    """A real python-docx document (styles, settings, theme, docProps, thumbnail-free)."""
    document = docx.Document()
    document.add_heading("Қызметін бағалау", level=1)
    document.add_paragraph(text)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Аты-жөні & <ФИО>"
    table.cell(1, 1).text = "«Б» корпусы"
    if hyperlink:
        part = document.part
        part.relate_to("https://adilet.zan.kz/", "http://schemas.openxmlformats.org/officeDocument/"
                       "2006/relationships/hyperlink", is_external=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def zip_members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


class JavaVerifier:
    """The independent verifier (JDK ``javax.xml.crypto.dsig``), compiled once per session."""

    def __init__(self, classes: Path) -> None:
        self.classes = classes

    def run(self, path: Path, *options: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["java", "-cp", str(self.classes), "OoxmlVerify", *options, str(path)],
                              capture_output=True, text=True, timeout=120)

    def run_legacy(self, path: Path) -> subprocess.CompletedProcess[str]:
        """Secure validation off: old Word files are signed with RSA-SHA1."""
        return self.run(path, "--legacy")


def compile_java_verifier(target: Path) -> JavaVerifier:
    if shutil.which("javac") is None or shutil.which("java") is None:
        pytest.skip("the JDK (javac/java) is not installed")
    sources = sorted(str(p) for p in JAVA_SOURCES.glob("*.java"))
    subprocess.run(["javac", "-encoding", "UTF-8", "-d", str(target), *sources],
                   check=True, capture_output=True, text=True, timeout=300)
    return JavaVerifier(target)
