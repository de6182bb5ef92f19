"""PDF conversion with the real LibreOffice (skipped where it is not installed)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.render import pdf as pdf_module
from pipeline.render.compile import CompiledTemplate
from pipeline.render.pdf import (
    PdfConversionError,
    close_pool,
    convert_to_pdf,
    find_uno_python,
    shared_pool,
)

KAZAKH_LETTERS = "ә ғ қ ң ө ұ ү һ і"

needs_libreoffice = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext")), reason="LibreOffice/poppler not installed")
needs_uno = pytest.mark.skipif(
    not shutil.which("soffice") or find_uno_python() is None, reason="LibreOffice or python3-uno not installed")


@pytest.fixture
def fresh_pool() -> Iterator[None]:
    """Each test starts and ends without soffice processes."""
    close_pool()
    yield
    close_pool()


@pytest.fixture
def letters(make_template, tmp_path: Path):
    """``letters(count)``: DOCX files in Times New Roman with Kazakh text, numbered."""
    def fill(document) -> None:
        document.styles["Normal"].font.name = "Times New Roman"
        document.add_paragraph("{{ text }}")

    template = CompiledTemplate.load(make_template("letter.docx", fill))

    def make(count: int, folder: str = "docs") -> list[Path]:
        (tmp_path / folder).mkdir(exist_ok=True)
        paths = []
        for index in range(count):
            path = tmp_path / folder / f"doc{index}.docx"
            path.write_bytes(template.render({"text": f"Құжат {index}: {KAZAKH_LETTERS} ӘҒҚҢӨҰҮҺІ"}))
            paths.append(path)
        return paths

    return make


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()


def soffice_bins(session: int | None) -> list[int]:
    """PIDs of the live soffice.bin processes in the session led by ``session`` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm = (entry / "comm").read_text().strip()
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if comm == "soffice.bin" and fields[0] != "Z" and int(fields[3]) == session:   # a zombie is gone
            found.append(int(entry.name))
    return found


def kill_soffice(session: int | None, sig: signal.Signals) -> None:
    pids = soffice_bins(session)
    assert pids, "the office has no running soffice.bin"
    for pid in pids:
        os.kill(pid, sig)


@pytest.mark.slow
@needs_uno
@needs_libreoffice
def test_many_documents_two_long_lived_workers_keep_kazakh_letters(letters, tmp_path: Path, fresh_pool) -> None:
    inputs = letters(14)
    pdfs = convert_to_pdf(inputs, jobs=2, out_dir=tmp_path / "pdf")
    pool = shared_pool()
    assert pool.started == 2
    pids = pool.pids
    assert all(len(soffice_bins(pid)) == 1 for pid in pids)
    assert [pdf.name for pdf in pdfs] == [f"doc{i}.pdf" for i in range(14)]
    for index, pdf in enumerate(pdfs):
        assert pdf.read_bytes().startswith(b"%PDF-")
        text = pdf_text(pdf)
        assert f"Құжат {index}:" in text
        for letter in KAZAKH_LETTERS.split():
            assert letter in text
    fonts = subprocess.run(["pdffonts", str(pdfs[0])], capture_output=True, check=True, text=True).stdout
    used = [line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:]]
    assert used and all(name.startswith("LiberationSerif") for name in used), fonts   # no fallback font

    again = convert_to_pdf(letters(6, "more"), jobs=2)     # next to the DOCX, same processes
    assert all(pdf.parent == tmp_path / "more" and pdf.is_file() for pdf in again)
    assert pool.started == 2 and pool.pids == pids
    assert not list((tmp_path / "pdf").glob(".*"))          # no temporary files left


@pytest.mark.slow
@needs_uno
@needs_libreoffice
def test_killed_soffice_mid_run_is_restarted_and_run_completes(letters, tmp_path: Path, fresh_pool) -> None:
    inputs = letters(30)
    out = tmp_path / "pdf"
    result: dict[str, object] = {}

    def run() -> None:
        try:
            result["pdfs"] = convert_to_pdf(inputs, jobs=2, out_dir=out)
        except BaseException as error:  # noqa: BLE001 - handed to the test thread
            result["error"] = error

    pool = shared_pool()        # the run holds the pool's lock: take the pool before it starts
    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 60
    while not (out.is_dir() and list(out.glob("*.pdf"))) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(list(out.glob("*.pdf"))) < 25, "the run finished before soffice could be killed"
    victim = pool.pids[0]
    kill_soffice(victim, signal.SIGKILL)
    thread.join(120)
    assert "error" not in result, result.get("error")
    assert len(result["pdfs"]) == 30 and all(pdf.read_bytes()[:5] == b"%PDF-" for pdf in result["pdfs"])
    assert pool.started == 3 and pool.pids[0] != victim and pool.pids[1] is not None
    assert not soffice_bins(victim)


@pytest.mark.slow
@needs_uno
@needs_libreoffice
def test_hung_soffice_times_out_and_is_replaced(letters, fresh_pool) -> None:
    first, second = letters(2)
    convert_to_pdf([first], jobs=1)
    pool = shared_pool()
    pool.document_seconds = 4
    hung = pool.pids[0]
    kill_soffice(hung, signal.SIGSTOP)
    started = time.monotonic()
    (pdf,) = convert_to_pdf([second], jobs=1)
    assert time.monotonic() - started >= 4
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert pool.started == 2 and pool.pids[0] != hung and not soffice_bins(hung)


def broken_xml_copy(source: Path, target: Path) -> Path:
    """A ZIP-valid DOCX whose document.xml is cut in half."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as damaged:
        for item in original.infolist():
            data = original.read(item)
            damaged.writestr(item, data[: len(data) // 2] if item.filename == "word/document.xml" else data)
    return target


@pytest.mark.slow
@needs_uno
@needs_libreoffice
def test_corrupt_docx_is_named_and_the_pool_survives(letters, tmp_path: Path, fresh_pool) -> None:
    good = letters(4)
    broken = broken_xml_copy(good[0], tmp_path / "docs" / "broken.docx")
    garbage = tmp_path / "docs" / "garbage.docx"
    garbage.write_bytes(b"this is not a zip")
    convert_to_pdf(good[:2], jobs=2)
    pool = shared_pool()
    pids = pool.pids
    with pytest.raises(PdfConversionError) as caught:
        convert_to_pdf([good[2], broken, garbage, good[3]], jobs=2, out_dir=tmp_path / "pdf")
    message = caught.value.render("en")
    assert "broken.docx" in message and "garbage.docx" in message and "doc2" not in message
    assert [issue.location for issue in caught.value.issues] == [str(broken), str(garbage)]
    assert "broken.docx" in caught.value.render("kk")
    assert sorted(path.name for path in (tmp_path / "pdf").iterdir()) == ["doc2.pdf", "doc3.pdf"]
    assert pool.pids == pids and pool.started == 2
    assert convert_to_pdf(good[:2], jobs=2, out_dir=tmp_path / "after")[1].is_file()
    assert pool.pids == pids


@pytest.mark.slow
@needs_libreoffice
def test_without_uno_falls_back_to_batches_and_says_so_once(make_template, tmp_path: Path, monkeypatch,
                                                            capsys) -> None:
    monkeypatch.setenv("QUJAT_UNO_PYTHON", "/bin/false")     # an interpreter without uno
    monkeypatch.setattr(pdf_module, "_FALLBACK_SAID", threading.Event())
    find_uno_python.cache_clear()
    try:
        assert find_uno_python() is None
        source = make_template("same.docx", lambda d: d.add_paragraph("Бір"))
        inputs = []
        for folder in ("a", "b"):
            (tmp_path / folder).mkdir()
            inputs.append(Path(shutil.copy(source, tmp_path / folder / "same.docx")))
        pdfs = convert_to_pdf(inputs, jobs=1)
        assert pdfs == [tmp_path / "a" / "same.pdf", tmp_path / "b" / "same.pdf"]
        assert all(pdf.read_bytes()[:5] == b"%PDF-" for pdf in pdfs)
        convert_to_pdf(inputs[:1], jobs=1)
    finally:
        find_uno_python.cache_clear()
    assert capsys.readouterr().err.count("python3-uno is not available") == 1


def test_missing_libreoffice_is_a_clean_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("QUJAT_SOFFICE", raising=False)
    with pytest.raises(PdfConversionError) as caught:
        convert_to_pdf([tmp_path / "x.docx"])
    assert "LibreOffice" in caught.value.render("en")
    assert "LibreOffice" in caught.value.render("kk")


@pytest.mark.slow
@needs_libreoffice
def test_missing_input_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.docx"
    with pytest.raises(PdfConversionError) as caught:
        convert_to_pdf([broken], jobs=1)
    assert "broken.docx" in caught.value.render("en")
