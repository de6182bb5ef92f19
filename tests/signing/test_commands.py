"""``qujat keys demo``, ``qujat sign`` and ``qujat verify`` run as a user runs them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from cms_kit import KEY_PASSWORD, make_folder, openssl_verify, run_qujat

ENV = {"QUJAT_KEY_PASSWORD": KEY_PASSWORD}
KPI = ["E001", "M001"]
PROTOCOL = ["C001", "CM01", "CM02", "CM03", "CM04", "SEC1"]


@pytest.fixture()
def folder(tmp_path: Path, demo_dir: Path) -> Path:
    return make_folder(tmp_path / "eval", demo_dir, {"kpi_sheet.kk.docx": KPI, "protocol.ru.docx": PROTOCOL})


def _sign(folder: Path, demo_dir: Path, person: str, *extra: str):
    return run_qujat("sign", str(folder), "--key", str(demo_dir / f"{person}.p12"), *extra, env=ENV)


def test_keys_demo_with_people_file(tmp_path: Path) -> None:
    people = tmp_path / "people.yaml"
    people.write_text(
        "- {id: P1, full_name: Серікова Әсел Қанатқызы, iin: '900101300045', role: employee,"
        " organisation: ГУ Тест, bin: '120240000017'}\n"
        "- {id: P2, full_name: Ли Олег, iin: '850202350011', role: [commission_chair, direct_manager],"
        " algorithm: ec}\n", encoding="utf-8")
    out = tmp_path / "keys"
    result = run_qujat("keys", "demo", str(out), "--people", str(people))
    assert result.returncode == 0, result.stderr
    assert "qujat-demo" in result.stdout and "qujat-demo" in (out / "README.txt").read_text(encoding="utf-8")
    index = json.loads((out / "people.json").read_text(encoding="utf-8"))
    assert index["P1"]["file"] == "P1.p12" and index["P1"]["iin"] == "900101300045"
    assert index["P2"]["roles"] == ["commission_chair", "direct_manager"] and index["P2"]["algorithm"] == "ecdsa-p256"
    for name in ("ca.pem", "P1.p12", "P2.p12", "expired.p12", "other-root.p12", "auth-only.p12"):
        assert (out / name).is_file()
    bad = tmp_path / "bad.json"
    bad.write_text('[{"id": "X", "full_name": "A B", "iin": "12"}]', encoding="utf-8")
    result = run_qujat("keys", "demo", str(tmp_path / "k2"), "--people", str(bad))
    assert result.returncode == 1 and "12 digits" in result.stderr and "Traceback" not in result.stderr


def test_sign_cosign_and_verify(folder: Path, demo_dir: Path) -> None:
    first = _sign(folder, demo_dir, "E001")
    assert first.returncode == 0, first.stderr
    assert "signed" in first.stdout and "kpi_sheet.kk.docx" in first.stdout
    p7s = folder / "E001" / "kpi_sheet.kk.docx.p7s"
    before = p7s.read_bytes()
    again = _sign(folder, demo_dir, "E001")
    assert again.returncode == 0 and "already signed" in again.stdout and p7s.read_bytes() == before

    result = run_qujat("verify", str(folder), "--ca", str(demo_dir / "ca.pem"))
    assert result.returncode == 1 and "missing required signer: direct_manager" in result.stdout

    assert _sign(folder, demo_dir, "M001").returncode == 0
    for person in PROTOCOL:
        assert _sign(folder, demo_dir, person).returncode == 0
    for doc in ("kpi_sheet.kk.docx", "protocol.ru.docx"):
        check = openssl_verify(folder / "E001" / f"{doc}.p7s", folder / "E001" / doc, demo_dir / "ca.pem")
        assert check.returncode == 0, check.stderr
    result = run_qujat("verify", str(folder), "--ca", str(demo_dir / "ca.pem"), "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True and len(report["documents"]) == 2
    assert sorted(len(d["signatures"]) for d in report["documents"]) == [2, 6]

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    kpi = manifest["documents"][0]
    assert [s["role"] for s in kpi["signatures"]] == ["employee", "direct_manager"]
    assert all(s["cert_serial"] and s["signed_at"] and s["file"] == "E001/kpi_sheet.kk.docx.p7s"
               for s in kpi["signatures"])

    single = run_qujat("verify", str(folder / "E001" / "kpi_sheet.kk.docx.p7s"), "--ca", str(demo_dir / "ca.pem"))
    assert single.returncode == 0 and single.stdout.startswith("OK")
    untrusted = run_qujat("verify", str(folder), "--ca", str(demo_dir / "other-ca.pem"))
    assert untrusted.returncode == 1 and "untrusted root" in untrusted.stdout

    doc = folder / "E001" / "protocol.ru.docx"
    data = bytearray(doc.read_bytes())
    data[777] ^= 0x10
    doc.write_bytes(bytes(data))
    result = run_qujat("verify", str(folder), "--ca", str(demo_dir / "ca.pem"))
    assert result.returncode == 1 and "digest mismatch" in result.stdout


def test_wrong_person_and_wrong_role_are_refused(folder: Path, demo_dir: Path) -> None:
    result = _sign(folder, demo_dir, "HR01")
    assert result.returncode == 1 and "wrong person" in result.stderr and "Traceback" not in result.stderr
    result = _sign(folder, demo_dir, "M001", "--role", "employee")
    assert result.returncode == 1 and "only as direct_manager" in result.stderr
    assert not list(folder.rglob("*.p7s"))
    assert all(not d["signatures"] for d in json.loads((folder / "manifest.json").read_text())["documents"])


@pytest.mark.parametrize(("key", "message"), [
    ("expired.p12", "expired"),
    ("auth-only.p12", "authentication key"),
])
def test_refused_keys_exit_1(folder: Path, demo_dir: Path, key: str, message: str) -> None:
    result = run_qujat("sign", str(folder), "--key", str(demo_dir / key), env=ENV)
    assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr


def test_changed_document_is_not_signed(folder: Path, demo_dir: Path) -> None:
    (folder / "E001" / "kpi_sheet.kk.docx").write_bytes(b"edited after generation")
    result = _sign(folder, demo_dir, "E001")
    assert result.returncode == 1 and "changed after it was generated" in result.stderr
    assert not list(folder.rglob("*.p7s"))


def test_signature_by_a_stranger_fails_verify(folder: Path, demo_dir: Path) -> None:
    """A valid signature by someone who is not a required signer does not count."""
    from signing.cms import sign_detached
    from signing.software import SoftwareSigner

    doc = folder / "E001" / "kpi_sheet.kk.docx"
    stranger = SoftwareSigner.from_p12(demo_dir / "HR01.p12", KEY_PASSWORD.encode())
    (folder / "E001" / "kpi_sheet.kk.docx.p7s").write_bytes(sign_detached(doc.read_bytes(), stranger))
    result = run_qujat("verify", str(folder), "--ca", str(demo_dir / "ca.pem"), "--json")
    report = {d["document"]: d for d in json.loads(result.stdout)["documents"]}
    kpi = report["E001/kpi_sheet.kk.docx"]
    assert result.returncode == 1 and kpi["signatures"][0]["role_ok"] is False
    assert kpi["signatures"][0]["indication"] == "FAILED" and len(kpi["missing"]) == 2


def test_password_never_leaks(folder: Path, demo_dir: Path) -> None:
    outputs = [
        _sign(folder, demo_dir, "E001"),
        _sign(folder, demo_dir, "HR01"),
        run_qujat("sign", str(folder), "--key", str(demo_dir / "expired.p12"), env=ENV),
        run_qujat("verify", str(folder), "--ca", str(demo_dir / "ca.pem"), "--json"),
    ]
    attempt = "wrong-" + KEY_PASSWORD
    outputs.append(run_qujat("sign", str(folder), "--key", str(demo_dir / "M001.p12"),
                             env={"QUJAT_KEY_PASSWORD": attempt}))
    outputs.append(run_qujat("sign", str(folder), "--key", str(demo_dir / "M001.p12")))  # no password at all
    assert outputs[0].returncode == 0 and outputs[4].returncode == 1 and outputs[5].returncode == 1
    assert "wrong password" in outputs[4].stderr and "QUJAT_KEY_PASSWORD_M001" in outputs[5].stderr
    for result in outputs:
        assert KEY_PASSWORD not in result.stdout + result.stderr
    for path in folder.rglob("*"):
        if path.is_file():
            assert KEY_PASSWORD.encode() not in path.read_bytes(), path


def _docx_folder(root: Path, demo_dir: Path) -> Path:
    import docx

    people = json.loads((demo_dir / "people.json").read_text(encoding="utf-8"))
    (root / "E001").mkdir(parents=True)
    document = docx.Document()
    document.add_paragraph("Бағалау парағы / Оценочный лист")
    document.save(root / "E001" / "kpi.kk.docx")
    data = (root / "E001" / "kpi.kk.docx").read_bytes()
    signers = [{"role": people[p]["roles"][0], "person": p, "name": people[p]["name"], "iin": people[p]["iin"]}
               for p in KPI]
    (root / "manifest.json").write_text(json.dumps({"profile": "udp-2018", "documents": [
        {"path": "E001/kpi.kk.docx", "sha256": hashlib.sha256(data).hexdigest(), "signers": signers,
         "signatures": []}]}), encoding="utf-8")
    return root


def test_embed_signs_inside_the_docx(tmp_path: Path, demo_dir: Path) -> None:
    pytest.importorskip("signing.ooxml")
    pytest.importorskip("signing.verify.ooxml")
    folder = _docx_folder(tmp_path / "eval", demo_dir)
    for person in KPI:
        result = _sign(folder, demo_dir, person, "--embed")
        assert result.returncode == 0 and "embedded" in result.stdout, result.stderr
    assert not list(folder.rglob("*.p7s"))
    result = run_qujat("verify", str(folder), "--ca", str(demo_dir / "ca.pem"), "--json")
    assert result.returncode == 0, result.stdout
    [doc] = json.loads(result.stdout)["documents"]
    assert [s["kind"] for s in doc["signatures"]] == ["ooxml", "ooxml"]
    kinds = {s["kind"] for s in json.loads((folder / "manifest.json").read_text())["documents"][0]["signatures"]}
    assert kinds == {"ooxml"}


def test_embed_without_the_ooxml_module_falls_back_to_p7s(tmp_path: Path, demo_dir: Path, signer_of,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from signing.documents import SignatureSpec, sign_folder

    folder = _docx_folder(tmp_path / "eval", demo_dir)
    monkeypatch.setitem(sys.modules, "signing.ooxml", None)  # import now fails
    notes: list[str] = []
    [outcome] = sign_folder(folder, signer_of("E001"), SignatureSpec(embed=True), notify=notes.append)
    assert outcome.action == "signed" and outcome.output == "kpi.kk.docx.p7s"
    assert notes and "not available" in notes[0]
