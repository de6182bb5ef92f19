"""``qujat stamp DIR``: a printable stamped copy of every signed DOCX of a folder."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import docx
from cms_kit import run_qujat

from pipeline.stamp.eds_stamp import LABELS
from pipeline.stamp.folder import lang_of, signed_docx_files
from signing.cms import cosign, sign_detached
from signing.ooxml import sign_package

try:
    from .test_ooxml_kit import make_docx
except ImportError:
    from test_ooxml_kit import make_docx

WHEN = datetime(2026, 11, 28, 12, 0, 0, tzinfo=timezone.utc)


def _stamp_texts(data: bytes) -> list[str]:
    document = docx.Document(io.BytesIO(data))
    return ["\n".join(p.text for p in table.rows[0].cells[0].paragraphs) for table in document.tables[1:]]


def _folder(root: Path, signer_of) -> Path:
    (root / "e1").mkdir(parents=True)
    detached = make_docx()
    (root / "e1" / "plan.ru.docx").write_bytes(detached)
    p7s = cosign(sign_detached(detached, signer_of("E001"), WHEN), detached, signer_of("M001"), WHEN)
    (root / "e1" / "plan.ru.docx.p7s").write_bytes(p7s)
    (root / "e1" / "sheet.kk.docx").write_bytes(sign_package(make_docx(), signer_of("C001"), signing_time=WHEN))
    (root / "unsigned.kk.docx").write_bytes(make_docx())
    return root


def test_every_signed_docx_gets_a_copy_in_its_language(tmp_path: Path, demo_dir: Path, signer_of) -> None:
    folder = _folder(tmp_path / "out", signer_of)
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert [p.name for p in signed_docx_files(folder)] == ["plan.ru.docx", "sheet.kk.docx"]
    result = run_qujat("stamp", str(folder), "--ca", str(demo_dir / "ca.pem"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("Wrote") == 2
    plan = _stamp_texts((folder / "e1" / "plan.ru.stamped.docx").read_bytes())
    assert [t.splitlines()[0] for t in plan] == [LABELS["ru"]["title"]] * 2
    assert any("ӘБЕНОВ" in text for text in plan)
    [sheet] = _stamp_texts((folder / "e1" / "sheet.kk.stamped.docx").read_bytes())
    assert sheet.startswith(LABELS["kk"]["title"])
    assert not (folder / "unsigned.kk.stamped.docx").exists()
    assert all(p.read_bytes() == data for p, data in before.items())  # signed files untouched
    with zipfile.ZipFile(folder / "e1" / "sheet.kk.stamped.docx") as archive:
        assert not any(name.startswith("_xmlsignatures/") for name in archive.namelist())
    again = run_qujat("stamp", str(folder))  # stamped copies are not stamped again
    assert again.returncode == 0 and again.stdout.count("Wrote") == 2
    assert not list(folder.rglob("*.stamped.stamped.docx"))


def test_a_broken_document_is_reported_and_the_others_still_stamped(tmp_path: Path, demo_dir: Path,
                                                                     signer_of) -> None:
    folder = _folder(tmp_path / "out", signer_of)
    plan = folder / "e1" / "plan.ru.docx"
    plan.write_bytes(make_docx("changed after signing"))
    result = run_qujat("stamp", str(folder), "--lang", "kk")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "not stamped" in result.stderr and "digest mismatch" in result.stderr and str(plan) in result.stderr
    assert not (folder / "e1" / "plan.ru.stamped.docx").exists()
    [sheet] = _stamp_texts((folder / "e1" / "sheet.kk.stamped.docx").read_bytes())
    assert sheet.startswith(LABELS["kk"]["title"])
    untrusted = run_qujat("stamp", str(folder / "e1" / "sheet.kk.docx"), "--ca", str(demo_dir / "other-ca.pem"))
    assert untrusted.returncode == 1 and "untrusted" in untrusted.stderr


def test_empty_folder_and_language_from_name(tmp_path: Path) -> None:
    result = run_qujat("stamp", str(tmp_path))
    assert result.returncode == 1 and "no signed DOCX" in result.stderr
    assert (lang_of(Path("a.ru.docx")), lang_of(Path("a.KK.docx")), lang_of(Path("a.docx"))) == ("ru", "kk", "kk")
