"""``qujat verify`` reports whether each DOCX's EDS QR code matches its signatures."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cms_kit import run_qujat

from pipeline.stamp.header import add_official_qr_codes
from signing.cms import sign_detached

try:
    from .test_ooxml_kit import make_docx
except ImportError:
    from test_ooxml_kit import make_docx

WHEN = datetime(2026, 11, 28, 12, 0, 0, tzinfo=timezone.utc)


def _signed(folder: Path, name: str, signer, *, qr_time: datetime | None, sign_time: datetime = WHEN) -> Path:
    data = make_docx()
    if qr_time is not None:
        data = add_official_qr_codes(data, registry_base_url="https://registry.invalid/d", document_id=name,
                                     certificate=signer.certificate, signing_time=qr_time, lang="kk")
    path = folder / name
    path.write_bytes(data)
    path.with_name(name + ".p7s").write_bytes(sign_detached(data, signer, sign_time))
    return path


def _verify(path: Path, demo_dir: Path):
    result = run_qujat("verify", str(path), "--ca", str(demo_dir / "ca.pem"), "--json")
    return result, {doc["document"]: doc for doc in json.loads(result.stdout)["documents"]}


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir()
    return tmp_path / "docs"


def test_matching_qr_and_no_qr_pass(folder: Path, demo_dir: Path, signer_of) -> None:
    _signed(folder, "with-qr.kk.docx", signer_of("M001"), qr_time=WHEN)
    _signed(folder, "plain.kk.docx", signer_of("E001"), qr_time=None)
    result, docs = _verify(folder, demo_dir)
    assert result.returncode == 0, result.stdout
    qr = docs["with-qr.kk.docx"]["qr"]
    assert qr["state"] == "match" and qr["problems"] == []
    assert qr["cert_serial"] == signer_of("M001").identity.cert_serial
    assert docs["plain.kk.docx"]["qr"]["state"] == "no QR"
    assert docs["plain.kk.docx"]["signatures"][0]["verdict"] == "valid"
    text = run_qujat("verify", str(folder), "--ca", str(demo_dir / "ca.pem"))
    assert "QR            matches the signature of" in text.stdout and "no QR" in text.stdout


def test_qr_of_another_time_or_signer_fails_with_valid_signatures(folder: Path, demo_dir: Path, signer_of) -> None:
    late = _signed(folder, "late.kk.docx", signer_of("M001"), qr_time=WHEN, sign_time=WHEN + timedelta(seconds=5))
    result, docs = _verify(late, demo_dir)
    assert result.returncode == 1 and "late.kk.docx" in result.stderr
    doc = docs["late.kk.docx"]
    assert doc["signatures"][0]["verdict"] == "valid" and doc["ok"] is False
    assert doc["qr"]["state"] == "mismatch" and any("signing time differs" in p for p in doc["qr"]["problems"])

    other = folder / "other.kk.docx"
    data = add_official_qr_codes(make_docx(), registry_base_url="https://registry.invalid/d", document_id="x",
                                 certificate=signer_of("M001").certificate, signing_time=WHEN, lang="ru")
    other.write_bytes(data)
    other.with_name(other.name + ".p7s").write_bytes(sign_detached(data, signer_of("E001"), WHEN))
    result = run_qujat("verify", str(other), "--ca", str(demo_dir / "ca.pem"))
    assert result.returncode == 1
    assert "QR mismatch   no signature by the certificate" in result.stdout
