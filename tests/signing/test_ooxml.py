"""DOCX package signatures: structure, the independent JDK verifier, our strict verifier, tampering."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.x509.oid import NameOID

from pipeline.errors import SigningError
from pipeline.ooxml.opc import parse_rels
from signing.ooxml import sign_package
from signing.verify.ooxml import verify_package
from signing.verify.status import Indication

try:
    from .test_ooxml_kit import (
        JAVA_SOURCES,
        NOW,
        TestSigner,
        compile_java_verifier,
        make_ca,
        make_docx,
        rezip,
        zip_members,
    )
except ImportError:
    from test_ooxml_kit import (
        JAVA_SOURCES,
        NOW,
        TestSigner,
        compile_java_verifier,
        make_ca,
        make_docx,
        rezip,
        zip_members,
    )

SAMPLES = sorted((JAVA_SOURCES / "word-samples").glob("*.docx"))
HEADER_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"


@pytest.fixture(scope="module")
def ca():
    return make_ca()


@pytest.fixture(scope="module")
def signers(ca):
    return [ca.issue("Әлиев Асқар Болатұлы", "900101300045"),
            ca.issue("Иванова Мария Петровна", "850505400012", algorithm="ec"),
            ca.issue("Сейітов Нұрлан", "780303300021")]


@pytest.fixture(scope="module")
def java(tmp_path_factory):
    return compile_java_verifier(tmp_path_factory.mktemp("java-classes"))


@pytest.fixture(scope="module")
def unsigned():
    return make_docx(hyperlink=True)


@pytest.fixture(scope="module")
def signed_once(unsigned, signers):
    return sign_package(unsigned, signers[0], signing_time=NOW, comments="Жеке жоспар бекітілді")


@pytest.fixture(scope="module")
def signed_thrice(signed_once, signers):
    data = sign_package(signed_once, signers[1], signing_time=NOW + timedelta(minutes=5))
    return sign_package(data, signers[2], signing_time=NOW + timedelta(minutes=9))


def _java_ok(java, tmp_path: Path, data: bytes, name: str = "doc.docx") -> tuple[bool, str]:
    path = tmp_path / name
    path.write_bytes(data)
    result = java.run(path)
    return result.returncode == 0, result.stdout + result.stderr


def test_package_layout_is_what_word_writes(unsigned, signed_thrice):
    before, after = zip_members(unsigned), zip_members(signed_thrice)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"[Content_Types].xml", "_rels/.rels"}
    assert after["_xmlsignatures/origin.sigs"] == b""
    types = after["[Content_Types].xml"].decode()
    assert ('<Default Extension="sigs" ContentType='
            '"application/vnd.openxmlformats-package.digital-signature-origin"/>') in types
    for n in (1, 2, 3):
        assert (f'<Override PartName="/_xmlsignatures/sig{n}.xml" ContentType='
                '"application/vnd.openxmlformats-package.digital-signature-xmlsignature+xml"/>') in types
    origin = [r for r in parse_rels(after["_rels/.rels"]) if r.type.endswith("digital-signature/origin")]
    assert [r.target for r in origin] == ["_xmlsignatures/origin.sigs"]
    sig_rels = after["_xmlsignatures/_rels/origin.sigs.rels"]
    assert [r.target for r in parse_rels(sig_rels)] == ["sig1.xml", "sig2.xml", "sig3.xml"]
    for rels in (sig_rels, after["_rels/.rels"]):
        body = rels[rels.index(b"<Relationships"):]
        assert not re.search(rb">\s+<", body)  # compact, as Word writes .rels


def test_signature_xml_holds_manifest_office_info_and_xades(signed_once, signers):
    sig = zip_members(signed_once)["_xmlsignatures/sig1.xml"].decode()
    for needle in ('URI="#idPackageObject"', 'URI="#idOfficeObject"', 'URI="#idSignedProperties"',
                   "rsa-sha256", "/word/document.xml?ContentType=application/vnd.openxmlformats-"
                   "officedocument.wordprocessingml.document.main+xml",
                   "http://schemas.openxmlformats.org/package/2006/RelationshipTransform",
                   "<mdssi:Format>YYYY-MM-DDThh:mm:ssTZD</mdssi:Format>",
                   "<mdssi:Value>2026-11-28T12:00:00Z</mdssi:Value>", "<xd:SigningTime>2026-11-28T12:00:00Z",
                   "<xd:SignaturePolicyImplied/>", "<SignatureComments>Жеке жоспар бекітілді</SignatureComments>",
                   f"<X509SerialNumber>{signers[0].certificate.serial_number}</X509SerialNumber>"):
        assert needle in sig, needle
    for unsigned_part in ("/docProps/", "[Content_Types]", "/_xmlsignatures/", "thumbnail"):
        assert f'URI="{unsigned_part}' not in sig and "thumbnail.jpeg?" not in sig


def test_java_verifier_accepts_one_signer(java, tmp_path, signed_once):
    ok, out = _java_ok(java, tmp_path, signed_once)
    assert ok, out
    assert out.count("OK ") == 1 and "manifest=" in out


def test_java_verifier_accepts_three_signers_rsa_and_ecdsa(java, tmp_path, signed_thrice):
    ok, out = _java_ok(java, tmp_path, signed_thrice)
    assert ok, out
    assert [line.split()[1] for line in out.splitlines()] == [
        "_xmlsignatures/sig1.xml", "_xmlsignatures/sig2.xml", "_xmlsignatures/sig3.xml"]
    assert "ИВАНОВА" in out


def test_own_verifier_passes_trusted_signatures(ca, signed_thrice, signers):
    statuses = verify_package(signed_thrice, [ca.certificate])
    assert [s.indication for s in statuses] == [Indication.PASSED] * 3, [s.reason for s in statuses]
    assert [s.signer.cert_serial for s in statuses] == [format(s.certificate.serial_number, "x") for s in signers]
    assert statuses[2].signing_time == NOW + timedelta(minutes=9)


def test_own_verifier_untrusted_root_is_indeterminate(signed_once):
    other = make_ca("Other Root")
    [status] = verify_package(signed_once, [other.certificate])
    assert status.intact and not status.trusted
    assert status.indication is Indication.INDETERMINATE and "untrusted" in status.reason


def _flip_document_byte(data: bytes) -> bytes:
    members = zip_members(data)
    members["word/document.xml"] = members["word/document.xml"].replace("Жеке".encode(), "Жека".encode(), 1)
    return rezip(members)


def _retarget_rels(data: bytes) -> bytes:
    members = zip_members(data)
    rels = members["word/_rels/document.xml.rels"]
    members["word/_rels/document.xml.rels"] = rels.replace(b'Target="styles.xml"', b'Target="settings.xml"', 1)
    return rezip(members)


def _add_header_relationship(data: bytes) -> bytes:
    members = zip_members(data)
    members["word/header9.xml"] = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                                   b'<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                                   b'<w:p><w:r><w:t>forged</w:t></w:r></w:p></w:hdr>')
    members["word/_rels/document.xml.rels"] = members["word/_rels/document.xml.rels"].replace(
        b"</Relationships>", f'<Relationship Id="rId99" Type="{HEADER_TYPE}" Target="header9.xml"/>'
        "</Relationships>".encode())
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/word/header9.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.wordprocessingml.header+xml"/></Types>')
    return rezip(members)


@pytest.mark.parametrize("tamper", [_flip_document_byte, _retarget_rels], ids=["document-byte", "rels-entry"])
def test_digest_tampering_fails_both_verifiers(java, tmp_path, ca, signed_thrice, tamper):
    forged = tamper(signed_thrice)
    ok, out = _java_ok(java, tmp_path, forged)
    assert not ok and out.count("FAIL ") == 3, out
    statuses = verify_package(forged, [ca.certificate])
    assert all(s.indication is Indication.FAILED and not s.intact for s in statuses)
    assert all("digest mismatch" in s.reason for s in statuses)


def test_added_relationship_passes_digests_but_fails_coverage(java, tmp_path, ca, signed_once):
    forged = _add_header_relationship(signed_once)
    ok, out = _java_ok(java, tmp_path, forged)
    assert ok, out  # no digest changed: only a coverage check can see the addition
    [status] = verify_package(forged, [ca.certificate])
    assert status.indication is Indication.FAILED
    assert "rId99" in status.reason and "not covered" in status.reason


def test_unsigned_parts_may_change(java, tmp_path, ca, signed_once):
    members = zip_members(signed_once)
    members["docProps/core.xml"] = members["docProps/core.xml"].replace(b"</cp:coreProperties>",
                                                                        b"<dc:title>x</dc:title></cp:coreProperties>")
    changed = rezip(members)
    assert _java_ok(java, tmp_path, changed)[0]
    assert verify_package(changed, [ca.certificate])[0].passed


def test_removed_origin_relationship_leaves_no_signature(ca, signed_once):
    members = zip_members(signed_once)
    members["_rels/.rels"] = re.sub(rb'<Relationship Id="[^"]+" Type="[^"]+/origin"[^>]*/>', b"",
                                    members["_rels/.rels"])
    [status] = verify_package(rezip(members), [ca.certificate])
    assert status.indication is Indication.FAILED and "no signature" in status.reason


def test_verifier_never_raises_on_garbage():
    [status] = verify_package(b"not a zip")
    assert status.indication is Indication.FAILED and "not a readable package" in status.reason


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.name for p in SAMPLES])
def test_word_made_signatures_are_intact_for_both_verifiers(java, sample):
    result = java.run_legacy(sample)
    assert result.returncode == 0, result.stdout
    statuses = verify_package(sample.read_bytes())
    assert statuses and all(s.intact for s in statuses), [s.reason for s in statuses]


def test_unsupported_key_algorithm_is_refused(ca, unsigned):
    key = ed25519.Ed25519PrivateKey.generate()
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Ed")]))
            .issuer_name(ca.certificate.subject).public_key(key.public_key()).serial_number(7)
            .not_valid_before(NOW - timedelta(days=1)).not_valid_after(NOW + timedelta(days=1))
            .sign(ca.key, hashes.SHA256()))
    with pytest.raises(SigningError, match="cannot sign DOCX"):
        sign_package(unsigned, TestSigner(key, cert), signing_time=NOW)


def test_naive_signing_time_is_refused(unsigned, signers):
    with pytest.raises(SigningError, match="time zone"):
        sign_package(unsigned, signers[0], signing_time=NOW.replace(tzinfo=None))


def test_relationship_transform_keeps_sorts_and_defaults():
    from signing.ooxml.manifest import relationship_transform

    rels = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/'
            b'package/2006/relationships">\n  <Relationship Id="rId3" Type="t3" Target="c.xml"/>\n'
            b'  <Relationship Id="rId1" Type="t1" Target="a.xml"/>\n'
            b'  <Relationship Id="rId2" Type="t2" Target="https://x" TargetMode="External"/>\n</Relationships>')
    assert relationship_transform(rels, {"rId3", "rId2"}) == (
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId2" Target="https://x" TargetMode="External" Type="t2"></Relationship>'
        b'<Relationship Id="rId3" Target="c.xml" TargetMode="Internal" Type="t3"></Relationship>'
        b"</Relationships>")


def test_pretty_printed_rels_are_signed_correctly(java, tmp_path, ca, signers):
    members = zip_members(make_docx())
    members["word/_rels/document.xml.rels"] = members["word/_rels/document.xml.rels"].replace(
        b"><Relationship ", b">\n  <Relationship ").replace(b"</Relationships>", b"\n</Relationships>")
    signed = sign_package(rezip(members), signers[0], signing_time=NOW)
    assert _java_ok(java, tmp_path, signed)[0]
    assert verify_package(signed, [ca.certificate])[0].passed
