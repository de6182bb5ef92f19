"""XML-DSig building blocks shared by the DOCX signer and its verifier.

Digest and signature method URIs, inclusive C14N of an element in its document context, and
the raw-signature encodings XML-DSig uses (ECDSA as ``r || s``, not DER).
"""

from __future__ import annotations

import base64
import copy
import hashlib

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from lxml import etree

from pipeline.ooxml.constants import ALG
from pipeline.ooxml.ns import qn

__all__ = [
    "DIGESTS",
    "SIGNATURE_METHODS",
    "UnsupportedAlgorithm",
    "b64_digest",
    "c14n",
    "ds_element",
    "ecdsa_der_to_raw",
    "ecdsa_raw_to_der",
    "signature_method_for",
]

DIGESTS: dict[str, str] = {
    ALG.SHA1: "sha1",
    ALG.SHA256: "sha256",
    ALG.SHA384: "sha384",
    ALG.SHA512: "sha512",
}
"""Digest method URI -> hashlib name."""

SIGNATURE_METHODS: dict[str, tuple[str, str]] = {
    ALG.RSA_SHA1: ("rsa", "sha1"),
    ALG.RSA_SHA256: ("rsa", "sha256"),
    ALG.RSA_SHA384: ("rsa", "sha384"),
    ALG.RSA_SHA512: ("rsa", "sha512"),
    ALG.ECDSA_SHA256: ("ec", "sha256"),
    ALG.ECDSA_SHA384: ("ec", "sha384"),
}
"""Signature method URI -> (key kind, hashlib name)."""


class UnsupportedAlgorithm(ValueError):
    """An algorithm this project cannot compute (e.g. the Kazakh GOST family)."""


def b64_digest(data: bytes, algorithm_uri: str) -> str:
    """Base64 of the digest of ``data`` with the XML-DSig digest method ``algorithm_uri``."""
    name = DIGESTS.get(algorithm_uri)
    if name is None:
        raise UnsupportedAlgorithm(f"digest algorithm {algorithm_uri} is not supported here")
    return base64.b64encode(hashlib.new(name, data).digest()).decode("ascii")


def c14n(element: etree._Element, *, with_comments: bool = False) -> bytes:
    """Inclusive C14N 1.0 of ``element`` as a document subset (in-scope namespaces kept).

    lxml canonicalises a non-root element with stray ``xmlns=""`` declarations, so the
    element is rebuilt as the root of a detached copy that declares every namespace in
    scope at the original, as inclusive C14N requires.
    """
    clone = etree.Element(element.tag, attrib=dict(element.attrib), nsmap=element.nsmap)
    clone.text = element.text
    for child in element:
        clone.append(copy.deepcopy(child))
    return etree.tostring(clone, method="c14n", exclusive=False, with_comments=with_comments)


def ds_element(parent: etree._Element, local: str, text: str | None = None, **attrs: str) -> etree._Element:
    """Append the XML-DSig element ``local`` (with ``text`` and attributes) to ``parent``."""
    el = etree.SubElement(parent, qn(f"ds:{local}"), attrs)
    if text is not None:
        el.text = text
    return el


def signature_method_for(public_key: object) -> str:
    """The SHA-256 signature method URI for a certificate's public key."""
    if isinstance(public_key, rsa.RSAPublicKey):
        return ALG.RSA_SHA256
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return ALG.ECDSA_SHA256
    raise UnsupportedAlgorithm(
        f"{type(public_key).__name__} keys cannot sign DOCX here (GOST keys need the external signer)")


def _coordinate_size(key: ec.EllipticCurvePublicKey) -> int:
    return (key.curve.key_size + 7) // 8


def ecdsa_der_to_raw(signature: bytes, key: ec.EllipticCurvePublicKey) -> bytes:
    """DER ``ECDSA-Sig-Value`` -> XML-DSig ``r || s`` (already raw input is returned as is)."""
    size = _coordinate_size(key)
    try:
        r, s = decode_dss_signature(signature)
    except ValueError:
        if len(signature) == 2 * size:
            return signature
        raise
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def ecdsa_raw_to_der(signature: bytes, key: ec.EllipticCurvePublicKey) -> bytes:
    """XML-DSig ``r || s`` -> DER, for ``cryptography`` verification."""
    size = _coordinate_size(key)
    if len(signature) != 2 * size:
        raise ValueError(f"ECDSA signature of {len(signature)} bytes, expected {2 * size}")
    return encode_dss_signature(int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big"))
