"""Signing through another program that returns a whole CMS (NCALayer, a Kalkan service, …).

Needed for the Kazakh GOST keys and for keys on tokens, which only such programs can use.
The program gets the data, or with ``digested=True`` only its SHA-256 so large files never
travel, and answers with a detached CMS. The answer is checked before it is used: it must be
a SignedData whose message digest is that of the data (when SHA-256 was used).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import subprocess
from collections.abc import Callable, Sequence
from functools import cached_property

from asn1crypto import cms, core
from asn1crypto import x509 as asn1_x509
from cryptography import x509

from pipeline.errors import SigningError
from signing.identity import SignerIdentity, identity_from_certificate

__all__ = ["Backend", "ExternalSigner", "IdentifiedExternalSigner", "command_backend", "detach", "signer_certificate"]

# (payload, digested) -> CMS (DER or base64)
Backend = Callable[[bytes, bool], bytes]


def _der(blob: bytes) -> bytes:
    if blob[:1] == b"\x30":
        return blob  # DER as is: stripping could cut a trailing byte that looks like whitespace
    try:
        return base64.b64decode(b"".join(blob.split()), validate=True)
    except (binascii.Error, ValueError):
        raise SigningError("the external signer returned neither DER nor base64") from None


def command_backend(argv: Sequence[str], *, timeout: float = 120.0) -> Backend:
    """A backend that runs ``argv`` with the payload on stdin and reads the CMS from stdout.

    The environment variable ``QUJAT_SIGN_DIGESTED`` tells the program whether stdin is a
    SHA-256 digest (``1``) or the data itself (``0``).
    """

    def run(payload: bytes, digested: bool) -> bytes:
        env = dict(os.environ, QUJAT_SIGN_DIGESTED="1" if digested else "0")
        try:
            done = subprocess.run(list(argv), input=payload, capture_output=True, timeout=timeout,
                                  env=env, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SigningError(f"external signer {argv[0]!r} failed to run: {exc}") from None
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip()[-300:]
            raise SigningError(f"external signer {argv[0]!r} exited {done.returncode}: {detail}")
        return done.stdout

    return run


class ExternalSigner:
    """A signer whose whole CMS is produced elsewhere; ``sign_detached`` checks what comes back."""

    def __init__(self, backend: Backend, *, digested: bool = False) -> None:
        self._backend = backend
        self.digested = digested

    def sign_detached(self, data: bytes) -> bytes:
        """A detached CMS over ``data`` from the backend, checked against ``data``."""
        digest = hashlib.sha256(data).digest()
        blob = _der(self._backend(digest if self.digested else data, self.digested))
        return detach(blob, data, digest)


def detach(blob: bytes, data: bytes, digest: bytes) -> bytes:
    """Check an external CMS against ``data`` and return it without encapsulated content."""
    try:
        info = cms.ContentInfo.load(blob)
        signed = info["content"]
        if info["content_type"].native != "signed_data" or not len(signed["signer_infos"]):
            raise SigningError("the external signer did not return a signed CMS")
        encap = signed["encap_content_info"]
        content = None if isinstance(encap["content"], core.Void) else encap["content"].native
        for signer_info in signed["signer_infos"]:
            if signer_info["digest_algorithm"]["algorithm"].native != "sha256":
                continue  # GOST digests cannot be recomputed here; the verifier says so
            found = [a["values"][0].native for a in signer_info["signed_attrs"]
                     if a["type"].native == "message_digest"]
            if found != [digest]:
                raise SigningError("the external signer signed other content (message digest differs)")
    except (ValueError, TypeError, KeyError) as exc:
        raise SigningError(f"the external signer returned a damaged CMS: {exc}") from None
    if content is None:
        return blob
    if content != data:
        raise SigningError("the external signer encapsulated other content")
    fields = {name: signed[name] for name in ("version", "digest_algorithms", "certificates", "signer_infos")
              if not isinstance(signed[name], core.Void)}
    fields["encap_content_info"] = {"content_type": encap["content_type"]}
    return cms.ContentInfo({"content_type": "signed_data", "content": cms.SignedData(fields)}).dump()


def signer_certificate(blob: bytes) -> asn1_x509.Certificate:
    """The certificate of the first SignerInfo of a CMS, from the certificates it carries."""
    try:
        signed = cms.ContentInfo.load(blob)["content"]
        sid = signed["signer_infos"][0]["sid"]
        certificates = [] if isinstance(signed["certificates"], core.Void) else list(signed["certificates"])
        for choice in certificates:
            cert = choice.chosen
            if choice.name != "certificate":
                continue
            if sid.name == "issuer_and_serial_number":
                if cert.issuer == sid.chosen["issuer"] and cert.serial_number == sid.chosen["serial_number"].native:
                    return cert
            elif cert.key_identifier == sid.chosen.native:
                return cert
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise SigningError(f"the external signer returned a damaged CMS: {exc}") from None
    raise SigningError("the external signer's CMS does not carry the signer certificate")


class IdentifiedExternalSigner(ExternalSigner):
    """An external signer whose person is known from the certificate in its first CMS.

    :meth:`learn` signs one document to find out who holds the key (NCALayer lets the user
    pick it); that CMS is kept and handed out when the same content is signed next. Every
    later CMS must come from the same certificate: a user who picks another key is refused.
    """

    def __init__(self, backend: Backend, *, digested: bool = False) -> None:
        super().__init__(backend, digested=digested)
        self._first: tuple[bytes, bytes] | None = None  # (sha256 of the content, CMS)
        self._certificate: asn1_x509.Certificate | None = None

    def learn(self, data: bytes) -> SignerIdentity:
        """Sign ``data`` once (kept for later) and return who signed."""
        if self._certificate is None:
            blob = super().sign_detached(data)
            self._certificate = signer_certificate(blob)
            self._first = (hashlib.sha256(data).digest(), blob)
        return self.identity

    @property
    def asn1_certificate(self) -> asn1_x509.Certificate:
        if self._certificate is None:
            raise SigningError("the external signer's certificate is not known before it has signed once")
        return self._certificate

    @cached_property
    def certificate(self) -> x509.Certificate:
        return x509.load_der_x509_certificate(self.asn1_certificate.dump())

    @cached_property
    def identity(self) -> SignerIdentity:
        return identity_from_certificate(self.certificate)

    def sign_detached(self, data: bytes) -> bytes:
        """A detached CMS over ``data`` by the same certificate as the first one."""
        if self._first is not None and self._first[0] == hashlib.sha256(data).digest():
            blob, self._first = self._first[1], None
            return blob
        blob = super().sign_detached(data)
        if self._certificate is None:
            self._certificate = signer_certificate(blob)
        elif signer_certificate(blob).dump() != self._certificate.dump():
            raise SigningError(f"the external signer used another certificate than the first time "
                               f"(serial {signer_certificate(blob).serial_number:x}, expected "
                               f"{self._certificate.serial_number:x}); sign with one key at a time")
        return blob
