"""``sign_folder_with``: every key of a folder in one pass, checked by ``openssl cms -verify``."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from asn1crypto import cms
from cms_kit import make_folder, openssl_verify

from pipeline.errors import SigningError
from pipeline.fsio import atomic_write_bytes
from signing.documents import WrongSignerError, sign_folder, sign_folder_with

WHEN = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
KPI = ["E001", "M001", "S001"]          # RSA, RSA, ECDSA
PROTOCOL = ["C001", "CM01", "CM02", "SEC1"]


@pytest.fixture()
def folder(tmp_path: Path, demo_dir: Path) -> Path:
    return make_folder(tmp_path / "eval", demo_dir, {"kpi_sheet.kk.docx": KPI, "protocol.ru.docx": PROTOCOL})


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def _signer_serials(p7s: Path) -> list[int]:
    signed = cms.ContentInfo.load(p7s.read_bytes())["content"]
    return [si["sid"].chosen["serial_number"].native for si in signed["signer_infos"]]


def test_three_signers_in_one_p7s_pass_openssl(folder: Path, demo_dir: Path, signer_of) -> None:
    signers = [signer_of(p) for p in KPI]
    outcomes = sign_folder_with(folder, signers, now=WHEN)
    document = folder / "E001" / "kpi_sheet.kk.docx"
    p7s = document.with_name(document.name + ".p7s")
    assert [o.action for o in outcomes] == ["signed", "co-signed", "co-signed"]
    assert sorted(_signer_serials(p7s)) == sorted(s.asn1_certificate.serial_number for s in signers)  # a DER SET OF
    check = openssl_verify(p7s, document, demo_dir / "ca.pem")
    assert check.returncode == 0, check.stderr
    tampered = folder / "tampered"
    tampered.write_bytes(document.read_bytes() + b"x")
    assert openssl_verify(p7s, tampered, demo_dir / "ca.pem").returncode != 0
    recorded = _manifest(folder)["documents"][0]["signatures"]
    assert [(s["iin"], s["kind"], s["signed_at"]) for s in recorded] == [
        (str(s.identity.iin), "cades-bes", WHEN.isoformat()) for s in signers]


def test_batch_and_one_key_at_a_time_give_the_same_manifest(folder: Path, demo_dir: Path, signer_of) -> None:
    one_by_one = folder.with_name("one-by-one")
    shutil.copytree(folder, one_by_one)
    people = [*KPI, *PROTOCOL, "HR01"]        # HR01 signs nothing here: skipped by the batch
    batch = sign_folder_with(folder, [signer_of(p) for p in people], now=WHEN)
    single = []
    for person in people:
        try:
            single += sign_folder(one_by_one, signer_of(person), now=WHEN)
        except WrongSignerError:
            assert person == "HR01"
    assert _manifest(folder) == _manifest(one_by_one)
    assert len(batch) == len(single) and set(batch) == set(single)
    for doc in _manifest(folder)["documents"]:
        for root in (folder, one_by_one):
            p7s = root / (doc["path"] + ".p7s")
            assert len(_signer_serials(p7s)) == len(doc["signers"])
            check = openssl_verify(p7s, root / doc["path"], demo_dir / "ca.pem")
            assert check.returncode == 0, check.stderr


def test_adding_to_an_existing_p7s_and_signing_again(folder: Path, demo_dir: Path, signer_of) -> None:
    sign_folder(folder, signer_of("E001"), now=WHEN)
    outcomes = sign_folder_with(folder, [signer_of(p) for p in KPI], now=WHEN)
    assert [o.action for o in outcomes] == ["already signed", "co-signed", "co-signed"]
    document = folder / "E001" / "kpi_sheet.kk.docx"
    p7s = document.with_name(document.name + ".p7s")
    assert len(_signer_serials(p7s)) == 3
    assert openssl_verify(p7s, document, demo_dir / "ca.pem").returncode == 0
    before = p7s.read_bytes()
    again = sign_folder_with(folder, [signer_of(p) for p in KPI], now=WHEN)
    assert {o.action for o in again} == {"already signed"}
    assert p7s.read_bytes() == before
    assert len(_manifest(folder)["documents"][0]["signatures"]) == 3


def test_a_p7s_over_other_content_is_refused(folder: Path, signer_of) -> None:
    sign_folder(folder, signer_of("E001"), now=WHEN)
    manifest = _manifest(folder)
    data = b"other content"
    (folder / "E001" / "kpi_sheet.kk.docx").write_bytes(data)
    manifest["documents"][0]["sha256"] = hashlib.sha256(data).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(SigningError, match="over other content"):
        sign_folder_with(folder, [signer_of("M001"), signer_of("S001")], now=WHEN)
    assert len(_manifest(folder)["documents"][0]["signatures"]) == 1


def test_no_key_signs_anything(folder: Path, signer_of) -> None:
    with pytest.raises(WrongSignerError, match="not a required signer"):
        sign_folder_with(folder, [signer_of("HR01"), signer_of("AUTH1")], now=WHEN)
    assert _manifest(folder)["documents"][0]["signatures"] == []


def test_prepare_changes_unsigned_documents_before_signing(folder: Path, demo_dir: Path, signer_of) -> None:
    sign_folder(folder, signer_of("C001"), now=WHEN)     # the protocol is signed already: left as it is
    protocol = (folder / "E001" / "protocol.ru.docx").read_bytes()
    seen: list[str] = []

    def stamp(doc: dict, data: bytes) -> bytes:
        seen.append(doc["path"])
        return data + b"-stamped"

    sign_folder_with(folder, [signer_of(p) for p in [*KPI, "CM01"]], now=WHEN, prepare=stamp, durable=False)
    assert seen == ["E001/kpi_sheet.kk.docx"]
    document = folder / "E001" / "kpi_sheet.kk.docx"
    data = document.read_bytes()
    assert data.endswith(b"-stamped")
    assert (folder / "E001" / "protocol.ru.docx").read_bytes() == protocol
    assert _manifest(folder)["documents"][0]["sha256"] == hashlib.sha256(data).hexdigest()
    for name in ("kpi_sheet.kk.docx", "protocol.ru.docx"):
        check = openssl_verify(folder / "E001" / f"{name}.p7s", folder / "E001" / name, demo_dir / "ca.pem")
        assert check.returncode == 0, check.stderr


@pytest.mark.parametrize("durable", [True, False])
def test_atomic_write_with_and_without_fsync(tmp_path: Path, durable: bool) -> None:
    target = tmp_path / "sub" / "file.bin"
    atomic_write_bytes(target, b"one", durable=durable)
    atomic_write_bytes(target, b"two", durable=durable)
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["file.bin"]
