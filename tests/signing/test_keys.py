"""Loading .p12 keys: the NCA identity, and every reason to refuse a key."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cms_kit import KEY_PASSWORD
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from gost_kit import gost_certificate

from pipeline.errors import KeyRejected
from signing.demo import built_in_people, issue_certificate, make_root
from signing.identity import Bin, Iin, NcaRole
from signing.keys import load_p12, password_for, password_variable

PW = KEY_PASSWORD.encode()


def test_identity_from_nca_subject(demo_dir: Path) -> None:
    key = load_p12(demo_dir / "E001.p12", PW)
    identity = key.identity
    assert identity.name == "ӘБЕНОВ НҰРЛАН"
    assert identity.surname == "ӘБЕНОВ" and identity.given_name == "СЕРІКҰЛЫ"
    assert isinstance(identity.iin, Iin) and identity.iin.startswith("900101")
    assert identity.iin.has_valid_checksum
    assert identity.bin == Bin("120240000017") and identity.organisation.startswith("ГУ")
    assert identity.role is NcaRole.EMPLOYEE and identity.country == "KZ"
    assert identity.cert_serial == format(key.certificate.serial_number, "x")
    assert identity.valid_from < datetime.now(timezone.utc) < identity.valid_to
    assert isinstance(key.private_key, rsa.RSAPrivateKey)


def test_policy_roles_and_ecdsa(demo_dir: Path) -> None:
    assert load_p12(demo_dir / "HR01.p12", PW).identity.role is NcaRole.HR
    assert load_p12(demo_dir / "AUTH1.p12", PW).identity.role is NcaRole.SIGNATORY
    assert isinstance(load_p12(demo_dir / "S001.p12", PW).private_key, ec.EllipticCurvePrivateKey)


def test_iin_value_type() -> None:
    assert Iin("900101300045").masked() == "9001******45"
    assert not Iin("900101300045").has_valid_checksum
    for bad in ("90010130004", "9001013000456", "90010130004x", ""):
        with pytest.raises(ValueError):
            Iin(bad)
    assert NcaRole.from_policy(["1.2.398.3.3.4.1.2.1"]) is NcaRole.HEAD
    assert NcaRole.from_policy(["1.2.398.3.3.4.1.1"]) is NcaRole.INDIVIDUAL


@pytest.mark.parametrize(("file", "reason"), [
    ("expired.p12", "expired"),
    ("auth-only.p12", "authentication key"),
])
def test_refused_keys(demo_dir: Path, file: str, reason: str) -> None:
    with pytest.raises(KeyRejected) as caught:
        load_p12(demo_dir / file, PW)
    assert caught.value.reason == reason
    assert KEY_PASSWORD not in str(caught.value)


def test_not_yet_valid_at_a_given_time(demo_dir: Path) -> None:
    with pytest.raises(KeyRejected) as caught:
        load_p12(demo_dir / "E001.p12", PW, at=datetime.now(timezone.utc) - timedelta(days=30))
    assert caught.value.reason == "not yet valid"


def test_wrong_password_never_echoed(demo_dir: Path) -> None:
    attempt = "attempt-" + KEY_PASSWORD[::-1]
    with pytest.raises(KeyRejected) as caught:
        load_p12(demo_dir / "E001.p12", attempt.encode())
    assert caught.value.reason == "wrong password"
    assert attempt not in str(caught.value) and KEY_PASSWORD not in str(caught.value)


def test_gost_key_sends_to_external_signer(tmp_path: Path) -> None:
    now = datetime.now(timezone.utc)
    ca = make_root("GOST test root", now)
    person = built_in_people()[0]
    template = issue_certificate(ca, person, rsa.generate_private_key(65537, 2048).public_key(),
                                 not_before=now - timedelta(days=1), not_after=now + timedelta(days=30))
    gost = gost_certificate(template, ca.key)
    path = tmp_path / "gost.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"g", None, gost, None, BestAvailableEncryption(b"x")))
    with pytest.raises(KeyRejected) as caught:
        load_p12(path, b"x")
    assert caught.value.reason == "unsupported algorithm"
    assert "external signer" in str(caught.value) and "1.2.398.3.10.1.1.1.1" in str(caught.value)


def test_password_from_environment(monkeypatch: pytest.MonkeyPatch, demo_dir: Path) -> None:
    path = demo_dir / "M001.p12"
    assert password_variable(path) == "QUJAT_KEY_PASSWORD_M001"
    assert password_variable("keys/auth-only.p12") == "QUJAT_KEY_PASSWORD_AUTH_ONLY"
    monkeypatch.setenv("QUJAT_KEY_PASSWORD", "wrong")
    monkeypatch.setenv("QUJAT_KEY_PASSWORD_M001", KEY_PASSWORD)
    assert password_for(path) == PW  # the per-file variable wins
    assert load_p12(path).identity.iin is not None
    monkeypatch.delenv("QUJAT_KEY_PASSWORD_M001")
    with pytest.raises(KeyRejected):
        load_p12(path)
    monkeypatch.delenv("QUJAT_KEY_PASSWORD")
    with pytest.raises(KeyRejected) as caught:
        password_for(path, interactive=False)
    assert caught.value.reason == "no password" and "QUJAT_KEY_PASSWORD_M001" in str(caught.value)
