"""Detached CAdES-BES: checked by openssl with 1, 2 and 5 signers; co-signing keeps old SignerInfos."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
from asn1crypto import cms
from cms_kit import openssl_verify
from cryptography.hazmat.primitives.serialization import Encoding

from pipeline.errors import SigningError
from signing.cms import AlreadySigned, cosign, load_signed_data, sign_detached, sign_digest, signed_by

FIVE = ["E001", "M001", "S001", "C001", "CM02"]  # RSA and ECDSA keys mixed


def _write(tmp_path: Path, data: bytes, p7s: bytes) -> tuple[Path, Path]:
    doc = tmp_path / "doc.docx"
    doc.write_bytes(data)
    sig = tmp_path / "doc.docx.p7s"
    sig.write_bytes(p7s)
    return doc, sig


@pytest.mark.parametrize("count", [1, 2, 5])
def test_openssl_verifies_and_a_flipped_byte_fails(tmp_path: Path, demo_dir: Path, signer_of, count: int) -> None:
    data = os.urandom(20000)
    p7s = sign_detached(data, signer_of(FIVE[0]))
    for person in FIVE[1:count]:
        p7s = cosign(p7s, data, signer_of(person))
    doc, sig = _write(tmp_path, data, p7s)
    result = openssl_verify(sig, doc, demo_dir / "ca.pem")
    assert result.returncode == 0, result.stderr
    assert "Verification successful" in result.stderr
    assert len(load_signed_data(p7s)["signer_infos"]) == count
    flipped = bytearray(data)
    flipped[12345] ^= 0x01
    doc.write_bytes(bytes(flipped))
    assert openssl_verify(sig, doc, demo_dir / "ca.pem").returncode != 0


def test_untrusted_root_fails_openssl(tmp_path: Path, demo_dir: Path, signer_of) -> None:
    data = b"document"
    doc, sig = _write(tmp_path, data, sign_detached(data, signer_of("E001")))
    assert openssl_verify(sig, doc, demo_dir / "other-ca.pem").returncode != 0


def test_cades_bes_attributes(signer_of) -> None:
    signer = signer_of("M001")
    data = b"kpi sheet"
    when = datetime(2026, 3, 4, 5, 6, 7, tzinfo=timezone.utc)
    signer_info = load_signed_data(sign_detached(data, signer, when))["signer_infos"][0]
    attrs = {a["type"].native: a["values"][0] for a in signer_info["signed_attrs"]}
    assert set(attrs) == {"content_type", "message_digest", "signing_time", "signing_certificate_v2"}
    assert attrs["content_type"].native == "data"
    assert attrs["message_digest"].native == hashlib.sha256(data).digest()
    assert attrs["signing_time"].native == when
    ess = attrs["signing_certificate_v2"]["certs"][0]
    cert_der = signer.certificate.public_bytes(Encoding.DER)
    assert ess["cert_hash"].native == hashlib.sha256(cert_der).digest()
    assert ess["issuer_serial"]["serial_number"].native == signer.certificate.serial_number
    assert signer_info["digest_algorithm"]["algorithm"].native == "sha256"


def test_fast_path_output_is_canonical_der(signer_of) -> None:
    """What the DER templates give re-encodes to itself when asn1crypto rebuilds every byte."""
    signer = signer_of("E001")
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    first, second = sign_detached(b"one", signer, when), sign_detached(b"two", signer, when)
    assert cms.ContentInfo.load(second).dump(force=True) == second
    assert first != second and len(first) == len(second)
    info = load_signed_data(second)["signer_infos"][0]
    assert {a["type"].native: a["values"][0].native for a in info["signed_attrs"]}["message_digest"] == \
        hashlib.sha256(b"two").digest()


def test_cosign_keeps_earlier_signer_infos_byte_identical(signer_of) -> None:
    data = b"protocol"
    p7s = sign_detached(data, signer_of("C001"))
    earlier = [si.dump() for si in load_signed_data(p7s)["signer_infos"]]
    for person in ("CM01", "CM02"):
        p7s = cosign(p7s, data, signer_of(person))
        now = [si.dump() for si in load_signed_data(p7s)["signer_infos"]]
        assert all(old in now for old in earlier)
        earlier = now
    certs = load_signed_data(p7s)["certificates"]
    serials = {c.chosen.serial_number for c in certs}
    assert {signer_of(p).certificate.serial_number for p in ("C001", "CM01", "CM02")} <= serials
    assert len(serials) == len(certs)  # the shared root once


def test_no_second_signature_with_the_same_certificate(signer_of) -> None:
    data = b"x"
    p7s = sign_detached(data, signer_of("E001"))
    assert signed_by(p7s, signer_of("E001").asn1_certificate)
    assert not signed_by(p7s, signer_of("M001").asn1_certificate)
    with pytest.raises(AlreadySigned):
        cosign(p7s, data, signer_of("E001"))


def test_cosign_over_other_content_is_refused(signer_of) -> None:
    p7s = sign_detached(b"first document", signer_of("E001"))
    with pytest.raises(SigningError, match="other content"):
        cosign(p7s, b"second document", signer_of("M001"))


def test_sign_digest_and_encapsulated(tmp_path: Path, demo_dir: Path, signer_of) -> None:
    data = os.urandom(1000)
    doc, sig = _write(tmp_path, data, sign_digest(hashlib.sha256(data).digest(), signer_of("S001")))
    assert openssl_verify(sig, doc, demo_dir / "ca.pem").returncode == 0
    attached = load_signed_data(sign_detached(data, signer_of("E001"), encapsulate=True))
    assert attached["encap_content_info"]["content"].native == data


def test_damaged_signature_file_is_a_signing_error(signer_of) -> None:
    with pytest.raises(SigningError):
        cosign(b"\x30\x03\x02\x01\x01", b"x", signer_of("E001"))
