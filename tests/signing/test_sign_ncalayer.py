"""``qujat sign DIR --ncalayer``: a real ``qujat`` process against a fake NCALayer on 127.0.0.1."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cms_kit import make_folder, openssl_verify, run_qujat
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from fake_ncalayer import FakeNCALayer
from gost_kit import gost_certificate, gost_cms

from signing.demo import built_in_people, issue_certificate, make_root

KPI = ["E001", "M001"]
PROTOCOL = ["C001", "CM01", "CM02", "CM03", "CM04", "SEC1"]


@pytest.fixture()
def folder(tmp_path: Path, demo_dir: Path) -> Path:
    return make_folder(tmp_path / "eval", demo_dir, {"kpi_sheet.kk.docx": KPI, "protocol.ru.docx": PROTOCOL})


def _sign(folder: Path, server: FakeNCALayer, *extra: str):
    return run_qujat("sign", str(folder), "--ncalayer", "--ncalayer-url", server.url, *extra)


def _manifest(folder: Path) -> dict[str, dict]:
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {doc["path"]: doc for doc in data["documents"]}


def test_basics_shape_signs_as_the_person_of_the_returned_certificate(folder: Path, demo_dir: Path,
                                                                      signer_of) -> None:
    with FakeNCALayer(signer_of("M001")) as server:
        result = _sign(folder, server)
    assert result.returncode == 0, result.stderr
    assert "signed" in result.stdout and "kpi_sheet.kk.docx as direct_manager" in result.stdout
    # The first waiting document is M001's: the CMS that told who signs is the one used.
    assert len(server.requests) == 1 and server.requests[0]["module"] == "kz.gov.pki.knca.basics"
    check = openssl_verify(folder / "E001" / "kpi_sheet.kk.docx.p7s", folder / "E001" / "kpi_sheet.kk.docx",
                           demo_dir / "ca.pem")
    assert check.returncode == 0, check.stderr
    assert not (folder / "E001" / "protocol.ru.docx.p7s").exists()
    [record] = _manifest(folder)["E001/kpi_sheet.kk.docx"]["signatures"]
    m001 = signer_of("M001").identity
    assert record["role"] == "direct_manager" and record["iin"] == str(m001.iin)
    assert record["cert_serial"] == m001.cert_serial and record["kind"] == "cades-bes"


def test_legacy_shape_cosigns_and_a_probe_of_another_document_is_dropped(folder: Path, demo_dir: Path,
                                                                         signer_of) -> None:
    with FakeNCALayer(signer_of("E001")) as server:
        assert _sign(folder, server, "--ncalayer-shape", "legacy").returncode == 0
    with FakeNCALayer(signer_of("C001")) as server:
        result = _sign(folder, server, "--ncalayer-shape", "legacy")
    assert result.returncode == 0, result.stderr
    # kpi_sheet (still waiting for M001) was signed first to learn who signs, then dropped.
    assert [r["module"] for r in server.requests] == ["kz.gov.pki.knca.commonUtils"] * 2
    assert "protocol.ru.docx as commission_chair" in result.stdout
    manifest = _manifest(folder)
    assert [s["role"] for s in manifest["E001/kpi_sheet.kk.docx"]["signatures"]] == ["employee"]
    assert [s["role"] for s in manifest["E001/protocol.ru.docx"]["signatures"]] == ["commission_chair"]
    with FakeNCALayer(signer_of("M001")) as server:
        assert _sign(folder, server).returncode == 0
    check = openssl_verify(folder / "E001" / "kpi_sheet.kk.docx.p7s", folder / "E001" / "kpi_sheet.kk.docx",
                           demo_dir / "ca.pem")
    assert check.returncode == 0, check.stderr
    verify = run_qujat("verify", str(folder / "E001" / "kpi_sheet.kk.docx"), "--ca", str(demo_dir / "ca.pem"))
    assert verify.returncode == 0 and verify.stdout.count("valid         cms") == 2, verify.stdout


def test_wrong_person_or_role_through_ncalayer_writes_nothing(folder: Path, signer_of) -> None:
    with FakeNCALayer(signer_of("HR01")) as server:
        stranger = _sign(folder, server)
    with FakeNCALayer(signer_of("M001")) as server:
        wrong_role = _sign(folder, server, "--role", "employee")
        embed = _sign(folder, server, "--embed")
    assert stranger.returncode == 1 and "wrong person" in stranger.stderr
    assert wrong_role.returncode == 1 and "only as direct_manager" in wrong_role.stderr
    assert embed.returncode == 2 and "detached .p7s files only" in embed.stderr
    for result in (stranger, wrong_role, embed):
        assert "Traceback" not in result.stderr
    assert not list(folder.rglob("*.p7s"))
    assert all(not doc["signatures"] for doc in _manifest(folder).values())


def test_key_or_ncalayer_is_required(folder: Path, demo_dir: Path) -> None:
    neither = run_qujat("sign", str(folder))
    both = run_qujat("sign", str(folder), "--key", str(demo_dir / "E001.p12"), "--ncalayer")
    assert neither.returncode == both.returncode == 2 and "--key" in neither.stderr


def test_nothing_listening_is_a_clear_error(folder: Path) -> None:
    result = run_qujat("sign", str(folder), "--ncalayer", "--ncalayer-url", "ws://127.0.0.1:9")
    assert result.returncode == 3 and "cannot talk to NCALayer" in result.stderr
    assert "Traceback" not in result.stderr


class _GostNCALayer(FakeNCALayer):
    """Answers with a GOST CMS (what a Kazakh GOST key in NCALayer gives), certificate of one person."""

    def __init__(self, signer, certificate) -> None:
        super().__init__(signer)
        self.certificate = certificate

    def make_cms(self, data: bytes, *, digested: bool, encapsulate: bool) -> bytes:
        return gost_cms(self.certificate)


def test_gost_key_signs_through_ncalayer_and_verifies_as_indeterminate(tmp_path: Path, folder: Path,
                                                                        signer_of) -> None:
    now = datetime.now(timezone.utc)
    root = make_root("GOST test root", now)
    e001 = next(p for p in built_in_people() if p.id == "E001")
    template = issue_certificate(root, e001, rsa.generate_private_key(65537, 2048).public_key(),
                                 not_before=now - timedelta(days=1), not_after=now + timedelta(days=30))
    with _GostNCALayer(signer_of("E001"), gost_certificate(template, root.key)) as server:
        result = _sign(folder, server)
    assert result.returncode == 0, result.stderr
    assert "kpi_sheet.kk.docx as employee" in result.stdout
    ca = tmp_path / "gost-root.pem"
    ca.write_bytes(root.cert.public_bytes(Encoding.PEM))
    verify = run_qujat("verify", str(folder / "E001" / "kpi_sheet.kk.docx"), "--ca", str(ca), "--json")
    assert verify.returncode == 1
    [doc] = json.loads(verify.stdout)["documents"]
    [status] = doc["signatures"]
    assert status["verdict"] == "indeterminate" and status["indication"] == "INDETERMINATE"
    assert status["reason"].startswith("algorithm not supported here (GOST")
    assert status["signer"]["iin"] == signer_of("E001").identity.iin.masked()
