"""QR codes: payloads, PNG encoding, the DOCX header, checks against signatures, LibreOffice round trip."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import timedelta, timezone

import docx
import pytest
from lxml import etree

from pipeline.ooxml.ns import qn
from pipeline.stamp.header import CAPTIONS, QrCodes, add_official_qr_codes, insert_qr_header
from pipeline.stamp.qr import qr_png, registry_url
from signing.ooxml import sign_package
from signing.ooxml.qr_payload import EdsQrData, document_digest16
from signing.verify.ooxml import verify_package
from signing.verify.qr import check_eds_qr, decode_image, header_qr_texts

try:
    from .test_ooxml_kit import NOW, compile_java_verifier, make_ca, make_docx, rezip, zip_members
except ImportError:
    from test_ooxml_kit import NOW, compile_java_verifier, make_ca, make_docx, rezip, zip_members

BASE_URL = "https://docs.example.kz/d"
ALMATY = timezone(timedelta(hours=5))


@pytest.fixture(scope="module")
def ca():
    return make_ca()


@pytest.fixture(scope="module")
def official(ca):
    return ca.issue("Әлиев Асқар Болатұлы", "900101300045")


@pytest.fixture(scope="module")
def with_qr(official):
    return add_official_qr_codes(make_docx(), registry_base_url=BASE_URL, document_id="ATY/2026 №123",
                                 certificate=official.certificate, signing_time=NOW, lang="kk")


@pytest.fixture(scope="module")
def signed(with_qr, official):
    return sign_package(with_qr, official, signing_time=NOW)


def test_eds_payload_round_trip_and_format(official):
    data = EdsQrData.for_signer(official.certificate, NOW.astimezone(ALMATY), b"<w:document/>")
    text = data.to_text()
    assert text.splitlines() == [
        "QUJAT-EDS/1", "name=ӘЛИЕВ АСҚАР БОЛАТҰЛЫ", "iin=9001******45",
        f"serial={official.certificate.serial_number:x}", "time=2026-11-28T17:00:00+05:00",
        f"sha256={document_digest16(b'<w:document/>')}"]
    assert EdsQrData.parse(text) == data


@pytest.mark.parametrize("broken", [
    "QUJAT-EDS/2\nname=A\niin=9001******45\nserial=ab\ntime=2026-11-28T17:00:00+05:00\nsha256=0123456789abcdef",
    "QUJAT-EDS/1\nname=A\niin=900101300045\nserial=ab\ntime=2026-11-28T17:00:00+05:00\nsha256=0123456789abcdef",
    "QUJAT-EDS/1\nname=A\niin=9001******45\nserial=ab\ntime=2026-11-28T17:00:00\nsha256=0123456789abcdef",
    "QUJAT-EDS/1\niin=9001******45\nname=A\nserial=ab\ntime=2026-11-28T17:00:00+05:00\nsha256=0123456789abcdef",
    "https://docs.example.kz/d/1",
])
def test_eds_payload_parser_is_strict(broken):
    with pytest.raises(ValueError):
        EdsQrData.parse(broken)


def test_registry_url_quotes_the_id():
    assert registry_url(BASE_URL + "/", "ATY/2026 №1") == BASE_URL + "/ATY%2F2026%20%E2%84%961"
    with pytest.raises(ValueError):
        registry_url(BASE_URL, " ")


def test_qr_png_decodes_back_with_kazakh_text():
    text = "Құжат ЭЦҚ-мен қол қойылған; Документ подписан ЭЦП & <ok>"
    png = qr_png(text)
    assert png.startswith(b"\x89PNG") and decode_image(png) == [text]


def test_header_holds_both_codes_with_captions(with_qr):
    members = zip_members(with_qr)
    header = etree.fromstring(members["word/header_qr.xml"])
    texts = "".join(header.itertext())
    assert all(caption in texts for caption in CAPTIONS["kk"])
    assert len(header.findall(f".//{qn('a:blip')}")) == 2
    assert b'Extension="png"' in members["[Content_Types].xml"]
    assert b"/word/header_qr.xml" in members["[Content_Types].xml"]
    body_sect = etree.fromstring(members["word/document.xml"]).find(f"{qn('w:body')}/{qn('w:sectPr')}")
    assert body_sect.find(qn("w:headerReference")) is not None
    assert docx.Document(io.BytesIO(with_qr)).sections[0].header.tables  # python-docx sees it
    texts = header_qr_texts(with_qr)
    assert texts[0] == BASE_URL + "/ATY%2F2026%20%E2%84%96123"
    assert EdsQrData.parse(texts[1]).iin_masked == "9001******45"


def test_existing_default_and_first_page_headers_are_stamped_in_place():
    document = docx.Document()
    section = document.sections[0]
    section.different_first_page_header_footer = True
    section.header.paragraphs[0].text = "Жалпы тақырып"
    section.first_page_header.paragraphs[0].text = "Бірінші бет"
    document.add_paragraph("мәтін")
    out = io.BytesIO()
    document.save(out)
    stamped = insert_qr_header(out.getvalue(), QrCodes("https://x/1", "EDS", lang="ru"))
    reopened = docx.Document(io.BytesIO(stamped)).sections[0]
    for header, text in ((reopened.header, "Жалпы тақырып"), (reopened.first_page_header, "Бірінші бет")):
        assert header.paragraphs[-1].text == text
        assert CAPTIONS["ru"][1] in "".join(c.text for c in header.tables[0].rows[0].cells)
    members = zip_members(stamped)
    assert sum(name.startswith("word/header") and name.endswith(".xml") for name in members) == 2


def test_signed_package_with_qr_verifies_and_matches_the_qr(tmp_path, ca, signed, official):
    java = compile_java_verifier(tmp_path / "classes")
    path = tmp_path / "signed.docx"
    path.write_bytes(signed)
    result = java.run(path)
    assert result.returncode == 0, result.stdout
    sig = zip_members(signed)["_xmlsignatures/sig1.xml"].decode()
    assert "/word/header_qr.xml?" in sig and "/word/media/qr_eds.png?" in sig
    check = check_eds_qr(signed, trusted_roots=[ca.certificate])
    assert check.ok, check.problems
    assert check.signature.passed


def test_replaced_qr_image_breaks_the_signature(ca, signed):
    members = zip_members(signed)
    members["word/media/qr_eds.png"] = qr_png("QUJAT-EDS/1 forged")
    [status] = verify_package(rezip(members), [ca.certificate])
    assert not status.intact and "qr_eds.png" in status.reason


def test_qr_of_another_signer_or_time_is_reported(ca, with_qr, official):
    other = ca.issue("Иванова Мария", "850505400012")
    by_other = sign_package(with_qr, other, signing_time=NOW)
    assert "no signature by the certificate" in check_eds_qr(by_other).problems[0]
    late = sign_package(with_qr, official, signing_time=NOW + timedelta(seconds=1))
    assert any("signing time differs" in p for p in check_eds_qr(late).problems)


@pytest.mark.slow
def test_libreoffice_pdf_page_image_decodes_to_the_payloads(tmp_path, signed):
    if shutil.which("soffice") is None or shutil.which("pdftoppm") is None:
        pytest.skip("LibreOffice or poppler-utils is not installed")
    source = tmp_path / "signed.docx"
    source.write_bytes(signed)
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=180)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(tmp_path / "signed.pdf"),
                    str(tmp_path / "page")], check=True, capture_output=True, timeout=60)
    [page] = sorted(tmp_path.glob("page*.png"))
    texts = decode_image(page.read_bytes())
    assert texts == header_qr_texts(signed)
    assert check_eds_qr(signed, texts=texts).ok
