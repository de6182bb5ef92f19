"""PDF conversion with the real LibreOffice (skipped where it is not installed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.render.compile import CompiledTemplate
from pipeline.render.pdf import PdfConversionError, convert_to_pdf

KAZAKH_LETTERS = "ә ғ қ ң ө ұ ү һ і"

needs_libreoffice = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext")), reason="LibreOffice/poppler not installed")


@pytest.mark.slow
@needs_libreoffice
def test_batch_conversion_keeps_kazakh_letters(make_template, tmp_path: Path) -> None:
    template = CompiledTemplate.load(make_template("letter.docx", lambda d: d.add_paragraph("{{ text }}")))
    inputs = []
    for index in range(4):
        path = tmp_path / "docs" / f"doc{index}.docx"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(template.render({"text": f"Құжат {index}: {KAZAKH_LETTERS} ӘҒҚҢӨҰҮҺІ"}))
        inputs.append(path)
    pdfs = convert_to_pdf(inputs, jobs=2, out_dir=tmp_path / "pdf")
    assert [pdf.name for pdf in pdfs] == [f"doc{i}.pdf" for i in range(4)]
    for index, pdf in enumerate(pdfs):
        assert pdf.read_bytes().startswith(b"%PDF-")
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
        assert f"Құжат {index}:" in text
        for letter in KAZAKH_LETTERS.split():
            assert letter in text


@pytest.mark.slow
@needs_libreoffice
def test_same_stem_from_two_directories_next_to_inputs(make_template, tmp_path: Path) -> None:
    source = make_template("same.docx", lambda d: d.add_paragraph("Бір"))
    inputs = []
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        inputs.append(shutil.copy(source, tmp_path / folder / "same.docx"))
    pdfs = convert_to_pdf([Path(p) for p in inputs], jobs=1)
    assert pdfs == [tmp_path / "a" / "same.pdf", tmp_path / "b" / "same.pdf"]
    assert all(pdf.is_file() for pdf in pdfs)


def test_missing_libreoffice_is_a_clean_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("QUJAT_SOFFICE", raising=False)
    with pytest.raises(PdfConversionError) as caught:
        convert_to_pdf([tmp_path / "x.docx"])
    assert "LibreOffice" in caught.value.render("en")
    assert "LibreOffice" in caught.value.render("kk")


@pytest.mark.slow
@needs_libreoffice
def test_unloadable_input_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.docx"
    with pytest.raises(PdfConversionError) as caught:
        convert_to_pdf([broken], jobs=1)
    assert "broken.docx" in caught.value.render("en")
