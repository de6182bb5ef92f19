"""Loading and vetting NCA-style PKCS#12 signing keys.

The password comes from the environment or an interactive prompt, never from the command
line: ``QUJAT_KEY_PASSWORD_<NAME>`` for one file (``<NAME>`` is the file's stem in upper case
with every non-alphanumeric character turned into ``_``, so ``m001.p12`` reads
``QUJAT_KEY_PASSWORD_M001``), else ``QUJAT_KEY_PASSWORD``, else ``getpass``.

A key is refused with :class:`~pipeline.errors.KeyRejected` when it is outside its validity
period, is an authentication-only key, uses an algorithm this project cannot sign with (the
Kazakh GOST family goes through the external signer), or the password is wrong. No message
carries the password.
"""

from __future__ import annotations

import getpass
import os
import re
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID

from pipeline.errors import KeyRejected
from signing.identity import Bin, Iin, NcaRole, SignerIdentity, identity_from_certificate

__all__ = [
    "GOST_KEY_OIDS",
    "check_algorithm",
    "Bin",
    "Iin",
    "KeyRejected",
    "LoadedKey",
    "NcaRole",
    "SignerIdentity",
    "check_certificate",
    "identity_from_certificate",
    "load_p12",
    "password_for",
    "password_variable",
]

PASSWORD_VARIABLE = "QUJAT_KEY_PASSWORD"
GOST_KEY_OIDS = {
    "1.2.398.3.10.1.1.1.1": "GOST 34.310-2004",
    "1.2.398.3.10.1.1.2.2": "GOST 34.310-2015 (512)",
    "1.2.398.3.10.1.1.1.2": "GOST 34.310-2004 signature",
}
SUPPORTED_KEY_OIDS = {"1.2.840.113549.1.1.1": "RSA", "1.2.840.10045.2.1": "EC"}
EKU_SIGNING = ExtendedKeyUsageOID.EMAIL_PROTECTION  # 1.3.6.1.5.5.7.3.4
EKU_AUTH = ExtendedKeyUsageOID.CLIENT_AUTH  # 1.3.6.1.5.5.7.3.2

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class LoadedKey:
    """A usable signing key with its certificate, chain and NCA identity."""

    path: Path
    private_key: PrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    identity: SignerIdentity

    def __repr__(self) -> str:  # never show key material
        return f"LoadedKey({self.path.name!r}, {self.identity.name!r})"


def password_variable(path: Path | str) -> str:
    """Name of the per-file password variable for ``path``."""
    stem = re.sub(r"[^A-Za-z0-9]", "_", Path(path).stem).upper()
    return f"{PASSWORD_VARIABLE}_{stem}"


def password_for(path: Path | str, *, interactive: bool | None = None) -> bytes:
    """The password of ``path`` from the environment, or a prompt when on a terminal."""
    for name in (password_variable(path), PASSWORD_VARIABLE):
        value = os.environ.get(name)
        if value is not None:
            return value.encode("utf-8")
    if interactive is None:
        interactive = sys.stdin.isatty()
    if not interactive:
        raise KeyRejected(
            "no password",
            f"{Path(path).name}: no password; set {password_variable(path)} or "
            f"{PASSWORD_VARIABLE}, or run on a terminal to be asked",
        )
    return getpass.getpass(f"Password for {Path(path).name}: ").encode("utf-8")


def check_algorithm(cert: x509.Certificate, where: str) -> None:
    """Refuse a certificate whose key algorithm cannot be used for signing here."""
    oid = cert.public_key_algorithm_oid.dotted_string
    if oid in GOST_KEY_OIDS:
        raise KeyRejected(
            "unsupported algorithm",
            f"{where}: {GOST_KEY_OIDS[oid]} key ({oid}): algorithm not supported here, "
            "use the external signer (NCALayer)",
        )
    if oid not in SUPPORTED_KEY_OIDS:
        raise KeyRejected("unsupported algorithm", f"{where}: unknown key algorithm {oid}")


def check_certificate(cert: x509.Certificate, at: datetime | None = None, where: str = "key") -> None:
    """Refuse ``cert`` for signing: validity at ``at`` (default now), algorithm, key usage."""
    at = at or datetime.now(timezone.utc)
    check_algorithm(cert, where)
    if at < cert.not_valid_before_utc:
        raise KeyRejected(
            "not yet valid",
            f"{where}: certificate is not valid before {cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC",
        )
    if at > cert.not_valid_after_utc:
        raise KeyRejected(
            "expired", f"{where}: certificate expired on {cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC"
        )
    try:
        ekus = set(cert.extensions.get_extension_for_oid(ExtensionOID.EXTENDED_KEY_USAGE).value)
    except x509.ExtensionNotFound:
        ekus = set()
    if EKU_AUTH in ekus and EKU_SIGNING not in ekus:
        raise KeyRejected(
            "authentication key",
            f"{where}: this is an authentication key (AUTH_…); use the signing key (RSA_…/GOST_…)",
        )
    try:
        usage = cert.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE).value
        can_sign = usage.digital_signature and usage.content_commitment
    except x509.ExtensionNotFound:
        can_sign = False
    if not can_sign:
        raise KeyRejected(
            "authentication key",
            f"{where}: key usage lacks digitalSignature and nonRepudiation; not a signing key",
        )


def load_p12(path: Path | str, password: bytes | None = None, *, at: datetime | None = None) -> LoadedKey:
    """Load and vet a ``.p12`` signing key; ``password`` defaults to :func:`password_for`."""
    path = Path(path)
    try:
        blob = path.read_bytes()
    except OSError as exc:
        raise KeyRejected("unreadable", f"{path}: cannot read the key file ({exc.strerror})") from None
    if password is None:
        password = password_for(path)
    try:
        bundle = pkcs12.load_pkcs12(blob, password)
    except ValueError:
        raise KeyRejected(
            "wrong password",
            f"{path.name}: wrong password (set {password_variable(path)} or {PASSWORD_VARIABLE}), "
            "or not a PKCS#12 file this program can read (GOST keys: use the external signer)",
        ) from None
    except Exception as exc:  # cryptography raises UnsupportedAlgorithm for exotic PBEs
        raise KeyRejected(
            "unsupported algorithm",
            f"{path.name}: {type(exc).__name__}: algorithm not supported here, use the external signer",
        ) from None
    if bundle.cert is None or bundle.key is None:
        for extra in bundle.additional_certs:
            check_algorithm(extra.certificate, path.name)
        raise KeyRejected("no key", f"{path.name}: the file holds no private key with its certificate")
    cert = bundle.cert.certificate
    check_certificate(cert, at, where=path.name)
    key = bundle.key
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        raise KeyRejected("unsupported algorithm", f"{path.name}: no RSA or ECDSA private key in the file")
    if key.public_key().public_numbers() != cert.public_key().public_numbers():
        raise KeyRejected("mismatch", f"{path.name}: the private key does not belong to the certificate")
    return LoadedKey(
        path=path,
        private_key=key,
        certificate=cert,
        chain=tuple(c.certificate for c in bundle.additional_certs),
        identity=identity_from_certificate(cert),
    )

