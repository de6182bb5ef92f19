"""The printable EDS-stamped copy of a signed DOCX."""

from __future__ import annotations

import io
from datetime import timedelta

import docx
import pytest

from pipeline.errors import SigningError
from pipeline.stamp.eds_stamp import LABELS, make_stamped_copy, stamped_path, write_stamped_copy
from signing.ooxml import sign_package
from signing.verify.ooxml import verify_package

try:
    from .test_ooxml_kit import NOW, make_ca, make_docx, rezip, zip_members
except ImportError:
    from test_ooxml_kit import NOW, make_ca, make_docx, rezip, zip_members


@pytest.fixture(scope="module")
def ca():
    return make_ca()


@pytest.fixture(scope="module")
def signers(ca):
    return [ca.issue("Әлиев Асқар Болатұлы", "900101300045"), ca.issue("Иванова Мария", "850505400012")]


@pytest.fixture(scope="module")
def signed(signers):
    data = sign_package(make_docx(), signers[0], signing_time=NOW)
    return sign_package(data, signers[1], signing_time=NOW + timedelta(minutes=3))


def _stamp_texts(data: bytes) -> list[str]:
    document = docx.Document(io.BytesIO(data))
    return ["\n".join(p.text for p in table.rows[0].cells[0].paragraphs) for table in document.tables[1:]]


def test_one_stamp_block_per_signer_kazakh(signed, signers):
    copy = make_stamped_copy(signed, lang="kk")
    first, second = _stamp_texts(copy)
    assert first.splitlines() == [
        "Құжат ЭЦҚ-мен қол қойылған",
        "Қол қойған: ӘЛИЕВ АСҚАР БОЛАТҰЛЫ",
        "ЖСН: 9001******45",
        f"Сертификаттың сериялық нөмірі: {signers[0].certificate.serial_number:x}",
        "Сертификаттың жарамдылық мерзімі: 29.10.2026 – 29.10.2027",
        "Қол қойылған уақыты: 28.11.2026 17:00:00 (UTC+05:00)",
    ]
    assert "ИВАНОВА МАРИЯ" in second and "8505******12" in second and "17:03:00" in second


def test_russian_labels_and_signed_file_untouched(tmp_path, signed):
    source = tmp_path / "plan.docx"
    source.write_bytes(signed)
    target = write_stamped_copy(source, lang="ru")
    assert target == stamped_path(source) == tmp_path / "plan.stamped.docx"
    assert source.read_bytes() == signed
    texts = _stamp_texts(target.read_bytes())
    assert texts[0].startswith(LABELS["ru"]["title"]) and "ИИН: 9001******45" in texts[0]
    members = zip_members(target.read_bytes())
    assert not any(name.startswith("_xmlsignatures/") for name in members)
    assert b"digital-signature" not in members["_rels/.rels"] + members["[Content_Types].xml"]
    assert "no signature" in verify_package(target.read_bytes())[0].reason


def test_broken_or_untrusted_signature_is_not_stamped(signed):
    members = zip_members(signed)
    members["word/document.xml"] = members["word/document.xml"].replace(b"</w:body>", b"<w:p/></w:body>")
    with pytest.raises(SigningError, match="digest mismatch"):
        make_stamped_copy(rezip(members))
    with pytest.raises(SigningError, match="untrusted"):
        make_stamped_copy(signed, trusted_roots=[make_ca("Other").certificate])
    with pytest.raises(SigningError, match="no signature"):
        make_stamped_copy(make_docx())
