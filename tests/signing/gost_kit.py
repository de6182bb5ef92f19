"""Crafted Kazakh-GOST material for tests: a certificate whose key is GOST 34.310, and a CMS
that claims GOST algorithms. Nothing here can really sign with GOST; the point is that the
project says "algorithm not supported here" instead of crashing or passing."""

from __future__ import annotations

import os

from asn1crypto import algos, cms, core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

GOST_KEY = "1.2.398.3.10.1.1.1.1"
GOST_SIGNATURE = "1.2.398.3.10.1.1.1.2"
GOST_HASH = "1.2.398.3.10.1.3.1"


class _AlgorithmIdentifier(core.Sequence):
    _fields = [("algorithm", core.ObjectIdentifier), ("parameters", core.Any, {"optional": True})]


class _SubjectPublicKeyInfo(core.Sequence):
    _fields = [("algorithm", _AlgorithmIdentifier), ("public_key", core.OctetBitString)]


def gost_certificate(template: x509.Certificate, ca_key: rsa.RSAPrivateKey) -> x509.Certificate:
    """``template`` with its public key replaced by a GOST 34.310-2004 one, re-signed by ``ca_key``."""
    cert = asn1_x509.Certificate.load(template.public_bytes(Encoding.DER))
    tbs = cert["tbs_certificate"].copy()
    spki = _SubjectPublicKeyInfo({"algorithm": {"algorithm": GOST_KEY}, "public_key": os.urandom(64)})
    tbs["subject_public_key_info"] = asn1_x509.PublicKeyInfo.load(spki.dump())
    tbs["serial_number"] = int.from_bytes(os.urandom(8), "big")
    signature = ca_key.sign(tbs.dump(), padding.PKCS1v15(), hashes.SHA256())
    crafted = asn1_x509.Certificate({
        "tbs_certificate": tbs,
        "signature_algorithm": {"algorithm": "sha256_rsa"},
        "signature_value": signature,
    })
    return x509.load_der_x509_certificate(crafted.dump())


def gost_cms(certificate: x509.Certificate) -> bytes:
    """A detached CMS claiming GOST 34.311 / GOST 34.310 (signature bytes are random)."""
    cert = asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))
    attrs = cms.CMSAttributes([
        cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
        cms.CMSAttribute({"type": "message_digest", "values": [os.urandom(32)]}),
    ])
    signer_info = cms.SignerInfo({
        "version": "v1",
        "sid": {"issuer_and_serial_number": {"issuer": cert.issuer, "serial_number": cert.serial_number}},
        "digest_algorithm": algos.DigestAlgorithm({"algorithm": GOST_HASH}),
        "signed_attrs": attrs,
        "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": GOST_SIGNATURE}),
        "signature": os.urandom(64),
    })
    signed = cms.SignedData({
        "version": "v1", "digest_algorithms": [algos.DigestAlgorithm({"algorithm": GOST_HASH})],
        "encap_content_info": {"content_type": "data"}, "certificates": [cert], "signer_infos": [signer_info],
    })
    return cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump()
