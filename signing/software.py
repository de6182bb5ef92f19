"""A signer holding its private key in memory (a ``.p12`` file loaded with ``cryptography``)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from asn1crypto import algos
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from pipeline.errors import SigningError
from signing.keys import LoadedKey, load_p12
from signing.signer import Signer

__all__ = ["SoftwareSigner"]

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512,
}


class SoftwareSigner(Signer):
    """RSA PKCS#1 v1.5 or ECDSA with a key from a PKCS#12 file."""

    def __init__(self, key: LoadedKey) -> None:
        super().__init__(key.certificate, key.chain)
        self._key = key.private_key
        self.key_path = key.path

    @classmethod
    def from_p12(cls, path: Path | str, password: bytes | None = None) -> SoftwareSigner:
        """Load and vet ``path`` (password from the environment or a prompt if not given)."""
        return cls(load_p12(path, password))

    @cached_property
    def signature_algorithm(self) -> algos.SignedDigestAlgorithm:
        if isinstance(self._key, rsa.RSAPrivateKey):
            return algos.SignedDigestAlgorithm({"algorithm": "rsassa_pkcs1v15"})
        return algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"})

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        try:
            algorithm = _HASHES[digest_algorithm]()
        except KeyError:
            raise SigningError(f"digest algorithm {digest_algorithm!r} is not supported") from None
        if isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, padding.PKCS1v15(), algorithm)
        if isinstance(self._key, ec.EllipticCurvePrivateKey):
            return self._key.sign(data, ec.ECDSA(algorithm))
        raise SigningError(f"unsupported key type {type(self._key).__name__}")

    def __repr__(self) -> str:
        return f"SoftwareSigner({self.identity.name!r}, serial={self.identity.cert_serial})"
