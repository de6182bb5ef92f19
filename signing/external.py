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

from asn1crypto import cms, core

from pipeline.errors import SigningError

__all__ = ["Backend", "ExternalSigner", "command_backend", "detach"]

# (payload, digested) -> CMS (DER or base64)
Backend = Callable[[bytes, bool], bytes]


def _der(blob: bytes) -> bytes:
    blob = blob.strip()
    if blob[:1] == b"\x30":
        return blob
    try:
        return base64.b64decode(blob, validate=True)
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
