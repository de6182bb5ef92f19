"""Real LibreOffice: a few generated forms to PDF, Kazakh letters survive, page counts are sane."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from pipeline.render.pdf import convert_to_pdf

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                                 reason="LibreOffice / poppler not installed")]

KAZAKH = "әғқңөұүі"


def test_forms_convert_with_kazakh_letters(generated, tmp_path):
    profile_id, out, _ = generated
    picks = {"udp-2018": ["E001/kpi_sheet.kk.docx", "commission/commission_protocol.kk.docx",
                          "E001/competency_sheet.ru.docx"],
             "alatau-2024": ["H1/kpi_sheet_head.kk.docx", "S1/ranking_sheet.kk.docx"]}[profile_id]
    sources = []
    for rel in picks:
        target = tmp_path / rel.replace("/", "_")
        shutil.copy(out / rel, target)
        sources.append(target)
    pdfs = convert_to_pdf(sources, jobs=2)
    for source, pdf in zip(sources, pdfs):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        if ".kk." in source.name:
            assert all(letter in text.lower() for letter in KAZAKH), (source.name, set(KAZAKH) - set(text.lower()))
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
        assert 1 <= pages <= 6, (source.name, pages)
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", str(pdfs[0]), str(tmp_path / "page")],
                   capture_output=True, check=True)
    assert (tmp_path / "page.png").stat().st_size > 1000
