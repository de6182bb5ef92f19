"""End to end: ``qujat run`` on a real example with demo keys, checked by independent verifiers.

``openssl cms -verify`` for every ``.p7s``, the JDK XML-DSig verifier for ``--embed``,
LibreOffice + poppler + zxing-cpp for the QR code on a printed page, and ``qujat verify``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cms_kit import ROOT, openssl_verify

from signing.verify.cms import load_roots
from signing.verify.qr import check_eds_qr, decode_image, header_qr_texts

try:
    from .test_ooxml_kit import compile_java_verifier
except ImportError:
    from test_ooxml_kit import compile_java_verifier

EXAMPLE = ROOT / "examples" / "udp-2018" / "evaluation.yaml"
EMPLOYEE = "e1"


def qujat(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m pipeline ARGS`` in a fresh process, without any inherited key password."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("QUJAT_KEY_PASSWORD")}
    full_env["PYTHONPATH"] = str(ROOT) + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=ROOT,
                          env=full_env, check=False, stdin=subprocess.DEVNULL, timeout=600)


def _run(root: Path, *extra: str) -> tuple[Path, Path]:
    out, keys = root / "out", root / "keys"
    result = qujat("run", str(EXAMPLE), "--out", str(out), "--demo-keys", str(keys), *extra)
    assert result.returncode == 0, result.stderr
    assert "0 required signatures still missing" in result.stdout, result.stdout
    return out, keys


@pytest.fixture(scope="module")
def detached(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return _run(tmp_path_factory.mktemp("run"))


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return _run(tmp_path_factory.mktemp("run-embed"), "--embed", "--lang", "kk", "--no-stamped")


def _documents(out: Path) -> list[dict]:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))["documents"]


def test_every_signature_passes_openssl(detached: tuple[Path, Path]) -> None:
    out, keys = detached
    signed = [doc for doc in _documents(out) if doc["signers"]]
    p7s_files = sorted(out.rglob("*.p7s"))
    assert len(p7s_files) == len(signed) >= 30
    mine = [p for p in p7s_files if p.relative_to(out).parts[0] == EMPLOYEE]
    assert len(mine) >= 6  # every document of one employee, and a sample of the rest
    for p7s in mine + p7s_files[:: max(1, len(p7s_files) // 6)]:
        result = openssl_verify(p7s, p7s.with_suffix(""), keys / "ca.pem")
        assert result.returncode == 0, f"{p7s}: {result.stderr}"
    for doc in signed:  # one SignerInfo per required signature
        assert {(s["iin"], s["role"]) for s in doc["signatures"]} == {(s["iin"], s["role"]) for s in doc["signers"]}


def test_verify_passes_with_matching_qr_codes(detached: tuple[Path, Path]) -> None:
    out, keys = detached
    result = qujat("verify", str(out), "--ca", str(keys / "ca.pem"), "--json")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True
    by_path = {doc["document"]: doc for doc in report["documents"]}
    for doc in _documents(out):
        entry = by_path[doc["path"]]
        assert len(entry["signatures"]) == len(doc["signers"])
        assert all(s["verdict"] == "valid" for s in entry["signatures"])
        assert entry["qr"]["state"] == ("match" if doc["signers"] else "no QR"), entry["qr"]
    untrusted = qujat("verify", str(out), "--ca", str(keys / "other-ca.pem"))
    assert untrusted.returncode == 1 and "untrusted root" in untrusted.stdout


def test_one_flipped_byte_fails_verify_naming_the_file(detached: tuple[Path, Path], tmp_path: Path) -> None:
    out, keys = detached
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    victim = f"{EMPLOYEE}/kpi_sheet.ru.docx"
    data = bytearray((copy / victim).read_bytes())
    data[len(data) // 2] ^= 0x01
    (copy / victim).write_bytes(bytes(data))
    result = qujat("verify", str(copy), "--ca", str(keys / "ca.pem"))
    assert result.returncode == 1
    assert f"FAIL {victim}" in result.stdout and victim in result.stderr
    assert [line for line in result.stdout.splitlines() if line.startswith("FAIL")] == [f"FAIL {victim}"]
    assert "digest mismatch" in result.stdout


def test_stamped_copies_are_listed_and_the_signed_files_untouched(detached: tuple[Path, Path]) -> None:
    out, _ = detached
    for doc in _documents(out):
        if not doc["signers"]:
            assert "stamped" not in doc
            continue
        stamped = out / doc["stamped"]["path"]
        assert stamped.name == Path(doc["path"]).name.replace(".docx", ".stamped.docx")
        assert hashlib.sha256(stamped.read_bytes()).hexdigest() == doc["stamped"]["sha256"]
        assert hashlib.sha256((out / doc["path"]).read_bytes()).hexdigest() == doc["sha256"]
    plan = out / EMPLOYEE / "work_plan.kk.stamped.docx"
    assert "Құжат ЭЦҚ-мен қол қойылған".encode() in _document_xml(plan)


def _document_xml(path: Path) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return archive.read("word/document.xml")


def test_embedded_run_passes_the_jdk_verifier_and_qujat_verify(embedded: tuple[Path, Path],
                                                               tmp_path: Path) -> None:
    out, keys = embedded
    assert not list(out.rglob("*.p7s")) and not list(out.rglob("*.stamped.docx"))
    docs = [doc for doc in _documents(out) if doc["signers"]]
    assert not any("stamped" in doc for doc in docs)
    assert {s["kind"] for doc in docs for s in doc["signatures"]} == {"ooxml"}
    java = compile_java_verifier(tmp_path / "classes")
    most = max(docs, key=lambda doc: len(doc["signers"]))
    for doc in [most, *[d for d in docs if d.get("employee") == EMPLOYEE][:2]]:
        result = java.run(out / doc["path"])
        assert result.returncode == 0, f"{doc['path']}: {result.stdout}{result.stderr}"
        lines = result.stdout.splitlines()
        assert len(lines) == len(doc["signers"]) and all(line.startswith("OK _xmlsignatures/") for line in lines)
    verify = qujat("verify", str(out), "--ca", str(keys / "ca.pem"), "--json")
    assert verify.returncode == 0, verify.stdout[-3000:]
    states = {doc["document"]: doc["qr"]["state"] for doc in json.loads(verify.stdout)["documents"]}
    assert all(states[doc["path"]] == "match" for doc in docs)


def test_wrong_key_password_fails_cleanly_and_leaves_no_folder(detached: tuple[Path, Path], tmp_path: Path) -> None:
    _, keys = detached
    password = "not-the-password-" + os.urandom(4).hex()
    out = tmp_path / "out"
    result = qujat("run", str(EXAMPLE), "--out", str(out), "--keys", str(keys),
                   env={"QUJAT_KEY_PASSWORD": password})
    assert result.returncode == 1
    assert "wrong password" in result.stderr and "Traceback" not in result.stderr
    assert password not in result.stdout + result.stderr
    assert not out.exists() and not list(tmp_path.iterdir())


@pytest.mark.slow
def test_qr_on_a_libreoffice_page_matches_the_signature(detached: tuple[Path, Path], tmp_path: Path) -> None:
    if shutil.which("soffice") is None or shutil.which("pdftoppm") is None:
        pytest.skip("LibreOffice or poppler-utils is not installed")
    out, keys = detached
    source = out / EMPLOYEE / "kpi_sheet.kk.docx"
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=180)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(tmp_path / "kpi_sheet.kk.pdf"),
                    str(tmp_path / "page")], check=True, capture_output=True, timeout=60)
    [page] = sorted(tmp_path.glob("page*.png"))
    texts = decode_image(page.read_bytes())
    docx = source.read_bytes()
    assert texts == header_qr_texts(docx) and any(t.startswith("QUJAT-EDS/1") for t in texts)
    p7s = source.with_name(source.name + ".p7s").read_bytes()
    check = check_eds_qr(docx, texts, load_roots(keys / "ca.pem"), detached=p7s)
    assert check.ok, check.problems
    assert check.signature is not None and check.signature.passed
