"""WebDAV transport against a real wsgidav server on loopback."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from pipeline.archive.registry import Registry
from pipeline.deliver.transports.base import Envelope, PermanentDeliveryError
from pipeline.deliver.transports.webdav import WebDavTransport
from pipeline.deliver.worker import RetryPolicy, deliver_folder
from pipeline.package.container import read_container
from tests.handoff.folders import make_folder
from tests.handoff.servers import DavServer

FAST = RetryPolicy(max_attempts=5, base_delay=0.05, factor=2.0, max_delay=0.3, jitter=0.0)


def _zips(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.suffix == ".zip")


def test_deliver_then_repeat_is_idempotent(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "out", 5, pdf=True)
    with DavServer(tmp_path / "dav") as dav:
        summary = deliver_folder(folder, dav.url() + "/inbox", policy=FAST)
        assert summary.stats.delivered == 5 and not summary.dead
        files = _zips(tmp_path / "dav" / "inbox")
        assert len(files) == 5 and not [p for p in (tmp_path / "dav" / "inbox").iterdir()
                                         if p.name.startswith(".")]
        members = read_container(files[0].read_bytes())
        assert {"metadata.xml", "metadata.json"} <= set(members)
        assert any(name.endswith(".docx.p7s") for name in members)
        assert any(name.endswith(".pdf") for name in members)
        # the registry is lost (or another registry sends the same folder): nothing is doubled
        other = Registry(tmp_path / "other.sqlite")
        again = deliver_folder(folder, dav.url() + "/inbox", other, policy=FAST)
        other.close()
        assert again.stats.already == 5 and again.stats.delivered == 0
        assert _zips(tmp_path / "dav" / "inbox") == files


@pytest.mark.parametrize("mode", ["move", "put"])
def test_412_on_duplicate_and_conflict(tmp_path: Path, mode: str) -> None:
    with DavServer(tmp_path / "dav") as dav:
        transport = WebDavTransport(dav.url() + f"/?mode={mode}")
        envelope = Envelope(key="a" * 64, name="doc.zip", data=b"bytes")
        assert not transport.send(envelope).already
        assert transport.send(envelope).already
        methods = [m for m, _ in dav.faults.requests]
        assert methods.count("GET") == 1
        with pytest.raises(PermanentDeliveryError, match="different content"):
            transport.send(Envelope(key="a" * 64, name="doc.zip", data=b"other"))
        transport.close()
    assert (tmp_path / "dav" / "doc.zip").read_bytes() == b"bytes"


def test_500s_are_retried(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "out", 2)
    with DavServer(tmp_path / "dav") as dav:
        dav.faults.fail = 3
        summary = deliver_folder(folder, dav.url(), policy=FAST)
    assert summary.stats.delivered == 2 and summary.stats.retried >= 2 and not summary.dead
    with Registry.for_folder(folder) as registry:
        attempts = [a for d in registry.list_documents() for a in registry.find(d.id).attempts]
    assert any("HTTP 500" in (a["detail"] or "") for a in attempts)


def test_timeout_is_retried(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "out", 1)
    with DavServer(tmp_path / "dav") as dav:
        dav.faults.slow, dav.faults.delay = 1, 1.0
        summary = deliver_folder(folder, dav.url() + "/?timeout=0.3", policy=FAST)
    assert summary.stats.delivered == 1 and summary.stats.retried == 1
    with Registry.for_folder(folder) as registry:
        attempt = registry.find(registry.list_documents()[0].id).attempts[0]
    assert attempt["outcome"] == "retry" and "timed out" in attempt["detail"]


def test_server_down_then_up(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "out", 3)
    dav = DavServer(tmp_path / "dav")
    starter = threading.Timer(0.4, dav.start)
    starter.start()
    try:
        started = time.monotonic()
        summary = deliver_folder(folder, dav.url(), policy=FAST)
    finally:
        starter.join()
        dav.stop()
    assert time.monotonic() - started >= 0.4
    assert summary.stats.delivered == 3 and summary.stats.retried >= 1 and not summary.dead
    assert len(_zips(tmp_path / "dav")) == 3


def test_wrong_password_is_dead_and_no_password_is_stored(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "out", 1)
    with DavServer(tmp_path / "dav", password="s3cr3t-pw") as dav:
        bad = deliver_folder(folder, dav.url(userinfo="clerk:wrong-pw"), policy=FAST)
        assert len(bad.dead) == 1 and "401" in bad.dead[0][1]
        same = deliver_folder(folder, dav.url(userinfo="clerk:s3cr3t-pw"), policy=FAST)
        assert same.stats.delivered == 0 and len(same.dead) == 1  # dead stays dead...
        good = deliver_folder(folder, dav.url(userinfo="clerk:s3cr3t-pw"), policy=FAST,
                              retry_dead=True)  # ...until asked
        assert good.stats.delivered == 1
    blob = b"".join(p.read_bytes() for p in tmp_path.glob("qujat-registry.sqlite*"))
    assert b"s3cr3t-pw" not in blob and b"wrong-pw" not in blob
    with Registry.for_folder(folder) as registry:
        detail = registry.find(registry.list_documents()[0].id)
    receipt = json.loads(next(d for d in detail.deliveries if d["status"] == "delivered")["receipt"])
    assert "pw" not in receipt["destination"] and "pw" not in receipt["location"]
    assert [h["status"] for h in detail.history][-3:] == ["dead", "queued", "delivered"]
