"""Package container, metadata XSD, and the ЕСЭДО SOAP hand-off to a local endpoint."""

from __future__ import annotations

import json
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from pipeline.archive.registry import Registry
from pipeline.deliver.worker import RetryPolicy, deliver_folder
from pipeline.errors import InputError
from pipeline.ooxml.xml import parse_xml
from pipeline.package import metadata as passport
from pipeline.package.container import build_container, read_container
from pipeline.package.esedo import EsedoReceipt, SoapFault, parse_answer
from tests.handoff.folders import make_folder
from tests.handoff.servers import SoapEndpoint

FAST = RetryPolicy(max_attempts=4, base_delay=0.05, factor=2.0, max_delay=0.2, jitter=0.0)


def test_container_is_complete_valid_and_deterministic(tmp_path: Path, registry: Registry) -> None:
    folder = make_folder(tmp_path / "out", 1, pdf=True)
    record = registry.register_folder(folder)[0]
    detail = registry.find(record.id)
    first = build_container(detail, ["webdav://edms"])
    assert build_container(registry.find(record.id), ["webdav://edms"]).data == first.data
    members = read_container(first.data)
    assert sorted(members) == ["document/kpi_sheet.kk.docx", "document/kpi_sheet.kk.docx.p7s",
                               "document/kpi_sheet.kk.pdf", "metadata.json", "metadata.xml"]
    xml = passport.schema()
    root = parse_xml(members["metadata.xml"])
    assert xml.validate(root)
    ns = {"p": passport.NAMESPACE}
    assert root.findtext("p:Registration/p:Number", namespaces=ns) == record.reg_number
    assert root.findtext("p:Organisation/p:Bin", namespaces=ns) == "123456789012"
    files = {f.get("name"): f for f in root.iterfind("p:Files/p:File", ns)}
    assert files["document/kpi_sheet.kk.docx"].get("sha256") == record.sha256
    assert files["document/kpi_sheet.kk.docx.p7s"].get("signs") == "document/kpi_sheet.kk.docx"
    twin = json.loads(members["metadata.json"])
    assert twin["reg_number"] == record.reg_number and len(twin["files"]) == 3
    with zipfile.ZipFile(BytesIO(first.data)) as archive:
        assert {i.date_time[:3] for i in archive.infolist()} == {
            tuple(int(x) for x in record.reg_date.split("-"))}


def test_invalid_metadata_is_refused_by_the_schema(tmp_path: Path, registry: Registry) -> None:
    folder = make_folder(tmp_path / "out", 1, bin_="12345")
    record = registry.register_folder(folder)[0]
    with pytest.raises(InputError) as info:
        build_container(registry.find(record.id), ["x"])
    assert info.value.issues[0].key == "handoff.metadata_invalid"
    assert "Bin" in info.value.issues[0].params["error"]


def test_esedo_registered_rejected_and_faults(tmp_path: Path) -> None:
    good = make_folder(tmp_path / "good", 3, pdf=True)
    with SoapEndpoint() as bus:
        bus.faults, bus.garbage = 1, 1
        url = f"esedo+http://127.0.0.1:{bus.port}/bip-sync/SyncChannel"
        summary = deliver_folder(good, url, policy=FAST)
        assert summary.stats.delivered == 3 and summary.stats.retried == 2 and not summary.dead
        assert len(bus.received) == 3
        with Registry.for_folder(good) as registry:
            detail = registry.find(registry.list_documents()[0].id)
        receipt = json.loads(detail.deliveries[0]["receipt"])
        assert receipt["status"] == "registered" and receipt["location"].startswith("IN-")
        assert detail.history[-1]["status"] == "delivered"
        assert detail.history[-1]["detail"].startswith("registered: IN-")
        outcomes = [a["detail"] for d in [detail] for a in d.attempts]
        assert outcomes[-1].startswith("IN-")

        bus.reject_kinds = {"kpi_sheet"}
        bad = make_folder(tmp_path / "bad", 1)
        rejected = deliver_folder(bad, url, policy=FAST)
        assert rejected.dead and "rejected: document kind kpi_sheet is not accepted" in rejected.dead[0][1]
        with Registry.for_folder(bad) as registry:
            dead = registry.list_documents(status="dead")
            assert [d.folder for d in dead] == [str(bad)]


def test_parse_answer_refuses_doctype_and_reads_faults() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    with pytest.raises(ValueError):
        parse_answer(bomb)
    fault = parse_answer(b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
                         b'<s:Fault><faultcode>s:Client</faultcode><faultstring>bad</faultstring>'
                         b'</s:Fault></s:Body></s:Envelope>')
    assert isinstance(fault, SoapFault) and fault.client
    assert not isinstance(fault, EsedoReceipt)


def test_pdf_named_by_the_manifest_is_packaged(tmp_path: Path, registry: Registry) -> None:
    folder = make_folder(tmp_path / "out", 1)
    (folder / "pdf").mkdir()
    (folder / "pdf/E0001-kpi.pdf").write_bytes(b"%PDF-1.7 rendition")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["documents"][0]["pdf"] = {"path": "pdf/E0001-kpi.pdf", "sha256": "0" * 64}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    record = registry.register_folder(folder)[0]
    members = read_container(build_container(registry.find(record.id), ["x"]).data)
    assert members["document/E0001-kpi.pdf"] == b"%PDF-1.7 rendition"


def test_every_handoff_message_key_is_translated() -> None:
    import re

    from pipeline.i18n import _catalogue

    root = Path(__file__).resolve().parents[2] / "pipeline"
    sources = [p for d in ("archive", "deliver", "package") for p in (root / d).rglob("*.py")]
    keys = {k for p in sources for k in re.findall(r'"(handoff\.[a-z_]+)"', p.read_text())}
    assert len(keys) >= 10
    for key in keys:
        assert set(_catalogue()[key]) >= {"en", "kk", "ru"}, key
