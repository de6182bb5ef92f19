"""NCALayer client against a fake NCALayer on a loopback port, in both message shapes."""

from __future__ import annotations

import hashlib
import ipaddress
import os
import ssl
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cms_kit import openssl_verify
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fake_ncalayer import FakeNCALayer

from pipeline.errors import SigningError
from signing.cms import cosign, load_signed_data, sign_detached
from signing.external import ExternalSigner
from signing.ncalayer import NCALayerClient, NCALayerError, SignerParams
from signing.verify import Expectation, Indication, load_roots, validate_detached


def _check(tmp_path: Path, demo_dir: Path, data: bytes, p7s: bytes) -> None:
    doc, sig = tmp_path / "doc.bin", tmp_path / "doc.bin.p7s"
    doc.write_bytes(data)
    sig.write_bytes(p7s)
    result = openssl_verify(sig, doc, demo_dir / "ca.pem")
    assert result.returncode == 0, result.stderr


@pytest.fixture()
def fake(signer_of):
    with FakeNCALayer(signer_of("M001")) as server:
        yield server


def test_basics_shape(tmp_path: Path, demo_dir: Path, signer_of, fake: FakeNCALayer) -> None:
    data = os.urandom(4096)
    iin = str(signer_of("M001").identity.iin)
    client = NCALayerClient(fake.url, shape="basics", signer=SignerParams(iin=iin))
    p7s = client.sign(data)
    _check(tmp_path, demo_dir, data, p7s)
    [request] = fake.requests
    assert request["module"] == "kz.gov.pki.knca.basics" and request["method"] == "sign"
    args = request["args"]
    assert args["format"] == "cms" and args["allowedStorages"] == ["PKCS12"]
    assert args["signingParams"] == {"decode": True, "encapsulate": False, "digested": False, "tsaProfile": {}}
    assert args["signerParams"] == {"extKeyUsageOids": ["1.3.6.1.5.5.7.3.4"], "iin": iin, "chain": []}


def test_basics_digested_sends_only_the_hash(tmp_path: Path, demo_dir: Path, fake: FakeNCALayer) -> None:
    data = os.urandom(100_000)
    signer = NCALayerClient(fake.url).external_signer(digested=True)
    p7s = sign_detached(data, signer)
    _check(tmp_path, demo_dir, data, p7s)
    [request] = fake.requests
    assert request["args"]["signingParams"]["digested"] is True
    assert len(request["args"]["data"]) < 100  # base64 of 32 bytes, not the document


def test_legacy_shape(tmp_path: Path, demo_dir: Path, fake: FakeNCALayer) -> None:
    data = os.urandom(2048)
    client = NCALayerClient(fake.url, shape="legacy")
    _check(tmp_path, demo_dir, data, client.sign(data))
    assert fake.requests[0] == {"module": "kz.gov.pki.knca.commonUtils", "method": "createCAdESFromBase64",
                                "args": ["PKCS12", "SIGNATURE", fake.requests[0]["args"][2], False]}
    with pytest.raises(SigningError, match="cannot sign a hash"):
        client.sign(hashlib.sha256(data).digest(), digested=True)


def test_legacy_attached_answer_is_detached_and_cosigned(tmp_path: Path, demo_dir: Path, signer_of,
                                                         fake: FakeNCALayer) -> None:
    data = os.urandom(1000)
    client = NCALayerClient(fake.url, shape="legacy")
    signer = client.external_signer()
    attached = ExternalSigner(lambda payload, _: client.sign(payload, encapsulate=True)).sign_detached(data)
    assert load_signed_data(attached)["encap_content_info"]["content"].native is None
    p7s = cosign(sign_detached(data, signer_of("E001")), data, signer)
    _check(tmp_path, demo_dir, data, p7s)
    statuses = validate_detached(p7s, data, roots=load_roots(demo_dir / "ca.pem"),
                                 expected=Expectation(frozenset({str(signer_of("E001").identity.iin),
                                                                 str(signer_of("M001").identity.iin)})))
    assert [s.indication for s in statuses] == [Indication.PASSED] * 2


def test_error_answers(signer_of, fake: FakeNCALayer) -> None:
    wrong = NCALayerClient(fake.url, signer=SignerParams(iin="000000000000"))
    with pytest.raises(NCALayerError, match="no key for the requested IIN"):
        wrong.sign(b"x")
    legacy = NCALayerClient(fake.url, shape="legacy", storages=("AKKaztokenStore",))
    with pytest.raises(NCALayerError, match="code 500"):
        legacy.sign(b"x")


def test_external_signer_rejects_a_cms_over_other_content(fake: FakeNCALayer) -> None:
    client = NCALayerClient(fake.url)
    liar = ExternalSigner(lambda payload, digested: client.sign(payload + b"tampered"))
    with pytest.raises(SigningError, match="other content"):
        liar.sign_detached(b"the real document")


def test_nothing_listening_is_a_signing_error() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(SigningError, match="cannot talk to NCALayer"):
        NCALayerClient(f"ws://127.0.0.1:{port}").sign(b"x")


def _self_signed_localhost(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "ncalayer.pem", tmp_path / "ncalayer.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_wss_with_a_trusted_self_signed_certificate(tmp_path: Path, demo_dir: Path, signer_of) -> None:
    cert_path, key_path = _self_signed_localhost(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    with FakeNCALayer(signer_of("S001"), ssl_context=context) as server:
        assert server.url.startswith("wss://")
        data = b"over TLS"
        _check(tmp_path, demo_dir, data, NCALayerClient(server.url, trust_cert=cert_path).sign(data))
        with pytest.raises(SigningError, match="cannot talk to NCALayer"):
            NCALayerClient(server.url).sign(data)  # the self-signed certificate is not trusted
