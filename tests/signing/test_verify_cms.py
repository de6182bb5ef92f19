"""CMS validation returns a status for every failure mode and never raises."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from asn1crypto import cms
from cms_kit import KEY_PASSWORD
from cryptography.hazmat.primitives.serialization import pkcs12
from gost_kit import gost_certificate, gost_cms

from signing.cms import cosign, sign_detached
from signing.demo import built_in_people, issue_certificate, make_root
from signing.identity import identity_from_certificate
from signing.keys import LoadedKey
from signing.software import SoftwareSigner
from signing.verify import Expectation, Indication, load_roots, validate_detached

DATA = b"evaluation sheet bytes"


def _unvetted(path: Path) -> SoftwareSigner:
    """A signer from a key that load_p12 would refuse (to make bad signatures on purpose)."""
    bundle = pkcs12.load_pkcs12(path.read_bytes(), KEY_PASSWORD.encode())
    cert = bundle.cert.certificate
    return SoftwareSigner(LoadedKey(path, bundle.key, cert, (), identity_from_certificate(cert)))


@pytest.fixture(scope="module")
def roots(demo_dir: Path):
    return load_roots(demo_dir / "ca.pem")


def test_valid_signatures_pass(signer_of, roots) -> None:
    p7s = cosign(sign_detached(DATA, signer_of("E001")), DATA, signer_of("S001"))
    statuses = validate_detached(p7s, DATA, roots=roots)
    assert [s.indication for s in statuses] == [Indication.PASSED] * 2
    assert all(s.intact and s.trusted and s.role_ok is None for s in statuses)
    assert {s.signer.name for s in statuses} == {"ӘБЕНОВ НҰРЛАН", "СЕЙТҚАЛИ ЕРЖАН"}
    assert all(s.signing_time is not None for s in statuses)


def test_digest_mismatch(signer_of, roots) -> None:
    [status] = validate_detached(sign_detached(DATA, signer_of("E001")), DATA + b"!", roots=roots)
    assert status.indication is Indication.FAILED and not status.intact
    assert "digest mismatch" in status.reason


def test_signature_value_invalid(signer_of, roots) -> None:
    info = cms.ContentInfo.load(sign_detached(DATA, signer_of("M001")))
    signer_info = info["content"]["signer_infos"][0]
    value = bytearray(signer_info["signature"].native)
    value[10] ^= 0xFF
    signer_info["signature"] = bytes(value)
    [status] = validate_detached(info.dump(force=True), DATA, roots=roots)
    assert status.indication is Indication.FAILED and status.reason == "signature value invalid"


def test_untrusted_root(demo_dir: Path, roots) -> None:
    other = _unvetted(demo_dir / "other-root.p12")
    [status] = validate_detached(sign_detached(DATA, other), DATA, roots=roots)
    assert status.indication is Indication.INDETERMINATE and status.intact and not status.trusted
    assert "untrusted root" in status.reason
    [status] = validate_detached(sign_detached(DATA, other), DATA, roots=load_roots(demo_dir / "other-ca.pem"))
    assert status.indication is Indication.PASSED


def test_no_trust_anchor_is_indeterminate(signer_of) -> None:
    [status] = validate_detached(sign_detached(DATA, signer_of("E001")), DATA)
    assert status.indication is Indication.INDETERMINATE and "no trust anchor" in status.reason


def test_expired_and_not_yet_valid_at_signing_time(demo_dir: Path, signer_of, roots) -> None:
    [status] = validate_detached(sign_detached(DATA, _unvetted(demo_dir / "expired.p12")), DATA, roots=roots)
    assert status.indication is Indication.INDETERMINATE
    assert status.reason == "certificate expired at signing time"
    early = datetime.now(timezone.utc) - timedelta(days=10)
    [status] = validate_detached(sign_detached(DATA, signer_of("E001"), early), DATA, roots=roots)
    assert status.indication is Indication.INDETERMINATE
    assert status.reason == "certificate not yet valid at signing time"


def test_authentication_key_signature_fails(demo_dir: Path, roots) -> None:
    [status] = validate_detached(sign_detached(DATA, _unvetted(demo_dir / "auth-only.p12")), DATA, roots=roots)
    assert status.indication is Indication.FAILED and "authentication key" in status.reason


def test_wrong_person_for_the_role(signer_of, roots) -> None:
    p7s = sign_detached(DATA, signer_of("HR01"))
    expected = Expectation(frozenset({str(signer_of("M001").identity.iin)}))
    [status] = validate_detached(p7s, DATA, roots=roots, expected=expected)
    assert status.indication is Indication.FAILED and status.role_ok is False and status.intact
    assert "wrong person" in status.reason and str(signer_of("HR01").identity.iin) not in status.reason
    [status] = validate_detached(p7s, DATA, roots=roots,
                                 expected=Expectation(frozenset({str(signer_of("HR01").identity.iin)})))
    assert status.indication is Indication.PASSED and status.role_ok is True


def test_gost_is_indeterminate_not_a_crash() -> None:
    now = datetime.now(timezone.utc)
    ca = make_root("GOST root", now)
    from cryptography.hazmat.primitives.asymmetric import rsa

    template = issue_certificate(ca, built_in_people()[0], rsa.generate_private_key(65537, 2048).public_key(),
                                 not_before=now - timedelta(days=1), not_after=now + timedelta(days=9))
    [status] = validate_detached(gost_cms(gost_certificate(template, ca.key)), DATA, roots=[ca.cert])
    assert status.indication is Indication.INDETERMINATE
    assert status.reason.startswith("algorithm not supported here")
    assert status.signer is not None and status.signer.iin is not None


@pytest.mark.parametrize("blob", [b"", b"junk", b"\x30\x80", bytes(300)])
def test_damaged_files_give_failed_status(blob: bytes, roots) -> None:
    [status] = validate_detached(blob, DATA, roots=roots)
    assert status.indication is Indication.FAILED and not status.intact


def test_truncated_signature_gives_status(signer_of, roots) -> None:
    p7s = sign_detached(DATA, signer_of("E001"))
    for cut in (10, len(p7s) // 2, len(p7s) - 5):
        statuses = validate_detached(p7s[:cut], DATA, roots=roots)
        assert statuses and all(s.indication is not Indication.PASSED for s in statuses)


def _attributes_reordered(p7s: bytes) -> tuple[bytes, bytes]:
    """(p7s with its signed attributes stored in reverse order, those attributes' contents octets)."""
    attrs = cms.ContentInfo.load(p7s)["content"]["signer_infos"][0]["signed_attrs"]
    original = attrs.contents
    elements = [attr.dump() for attr in attrs]
    assert elements == sorted(elements) and b"".join(elements) == original
    reordered = b"".join(reversed(elements))
    assert reordered != original and p7s.count(original) == 1
    return p7s.replace(original, reordered), reordered


def test_signed_attributes_are_verified_in_der_order(signer_of, roots) -> None:
    """A SET stored unsorted is verified over its DER (sorted) form, as qujat always did.

    RFC 5652 5.4 signs the DER of the attributes; every DER encoder (NCALayer, Kalkan, qujat)
    sorts the SET, so a signature made over the unsorted bytes stays invalid, and a DER-made
    signature whose attributes were merely stored in another order stays valid.
    """
    signer = signer_of("E001")
    p7s = sign_detached(DATA, signer)
    stored_unsorted, reordered = _attributes_reordered(p7s)
    [status] = validate_detached(stored_unsorted, DATA, roots=roots)
    assert status.indication is Indication.PASSED

    old_signature = cms.ContentInfo.load(p7s)["content"]["signer_infos"][0]["signature"].native
    over_unsorted = signer.sign_raw(b"\x31" + bytes([0x81, len(reordered)]) + reordered, "sha256")
    assert len(over_unsorted) == len(old_signature) and len(reordered) in range(128, 256)
    [status] = validate_detached(stored_unsorted.replace(old_signature, over_unsorted), DATA, roots=roots)
    assert status.indication is Indication.FAILED and status.reason == "signature value invalid"


def test_der_signed_attributes_verify_over_original_bytes(signer_of, roots) -> None:
    """The DER signature of a DER-ordered SET passes, for RSA and ECDSA, after co-signing too."""
    p7s = cosign(sign_detached(DATA, signer_of("M001")), DATA, signer_of("SEC1"))
    signed = cms.ContentInfo.load(p7s)["content"]
    for signer_info in signed["signer_infos"]:
        assert signer_info["signed_attrs"].untag().dump()[2:] in p7s
    assert [s.indication for s in validate_detached(p7s, DATA, roots=roots)] == [Indication.PASSED] * 2
