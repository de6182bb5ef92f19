"""SMTP (aiosmtpd), S3 (moto server) and REST transports against real loopback servers."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from pipeline.deliver.transports import transport_for
from pipeline.deliver.transports.base import (
    Envelope,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from pipeline.deliver.transports.smtp import message_id
from pipeline.deliver.worker import RetryPolicy, deliver_folder
from pipeline.package.container import read_container
from tests.handoff.folders import make_folder
from tests.handoff.servers import RestIntake, SmtpSink, free_port

FAST = RetryPolicy(max_attempts=4, base_delay=0.05, factor=2.0, max_delay=0.2, jitter=0.0)


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpSink, int]]:
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


def test_smtp_attaches_package_and_derives_message_id(tmp_path: Path, smtp: tuple[SmtpSink, int]) -> None:
    sink, port = smtp
    sink.refuse = 1
    folder = make_folder(tmp_path / "out", 3)
    url = f"smtp://127.0.0.1:{port}?to=registry@org.kz&from=hr@org.kz"
    summary = deliver_folder(folder, url, policy=FAST)
    assert summary.stats.delivered == 3 and summary.stats.retried == 1 and not summary.dead
    assert len(sink.mailbox) == 3
    message = message_from_bytes(next(iter(sink.mailbox.values())), policy=policy.default)
    key = message["X-Qujat-Idempotency-Key"]
    assert message["Message-ID"] == message_id(key) and message["To"] == "registry@org.kz"
    attachment = next(part for part in message.walk() if part.get_filename())
    assert attachment.get_filename().endswith(f".{key[:16]}.zip")
    assert "metadata.xml" in read_container(attachment.get_payload(decode=True))
    # a re-send carries the same Message-ID: the mailbox keeps one message
    transport = transport_for(url)
    envelope = Envelope(key=key, name="x.zip", data=b"zip", metadata={"reg_number": "N"})
    transport.send(envelope)
    transport.send(envelope)
    assert len(sink.mailbox) == 3 and sink.transactions == 6


def test_smtp_server_down_is_transient_and_no_recipient_is_permanent() -> None:
    envelope = Envelope(key="k" * 64, name="x.zip", data=b"zip")
    with pytest.raises(TransientDeliveryError, match="ConnectionRefused"):
        transport_for(f"smtp://127.0.0.1:{free_port()}?to=a@b.kz&timeout=2").send(envelope)
    with pytest.raises(PermanentDeliveryError, match="no recipient"):
        transport_for("smtp://127.0.0.1:1").send(envelope)


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


def test_s3_conditional_put_and_repeat(tmp_path: Path, s3_endpoint: str, aws_env: None) -> None:
    import boto3

    client = boto3.client("s3", endpoint_url=s3_endpoint)
    client.create_bucket(Bucket="qujat-archive")
    folder = make_folder(tmp_path / "out", 4, pdf=True)
    url = f"s3://qujat-archive/2024/hr?endpoint_url={s3_endpoint}"
    first = deliver_folder(folder, url, policy=FAST)
    assert first.stats.delivered == 4 and not first.dead
    objects = client.list_objects_v2(Bucket="qujat-archive", Prefix="2024/hr/")["Contents"]
    assert len(objects) == 4
    body = client.get_object(Bucket="qujat-archive", Key=objects[0]["Key"])
    assert body["Metadata"]["sha256"] == hashlib.sha256(body["Body"].read()).hexdigest()
    transport = transport_for(url)
    envelope = Envelope(key="e" * 64, name="same.zip", data=b"one")
    assert not transport.send(envelope).already
    assert transport.send(envelope).already  # 412 PreconditionFailed, same bytes
    with pytest.raises(PermanentDeliveryError, match="different content"):
        transport.send(Envelope(key="e" * 64, name="same.zip", data=b"two"))
    with pytest.raises(PermanentDeliveryError, match="NoSuchBucket"):
        transport_for(f"s3://no-such-bucket?endpoint_url={s3_endpoint}").send(envelope)
    transport.close()


def test_s3_endpoint_down_is_transient(aws_env: None) -> None:
    transport = transport_for(f"s3://b?endpoint_url=http://127.0.0.1:{free_port()}&timeout=1")
    with pytest.raises(TransientDeliveryError, match="EndpointConnectionError"):
        transport.send(Envelope(key="k" * 64, name="x.zip", data=b"x"))


def test_rest_intake_idempotency_key_and_statuses(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "out", 2)
    with RestIntake() as intake:
        intake.statuses = [503, 429]
        url = f"http://127.0.0.1:{intake.port}/api/upload"
        summary = deliver_folder(folder, url, policy=FAST)
        assert summary.stats.delivered == 2 and summary.stats.retried == 2
        assert len(intake.stored) == 2
        transport = transport_for(url)
        envelope = Envelope(key=next(iter(intake.stored)), name="x.zip", data=b"zip")
        receipt = transport.send(envelope)
        assert receipt.already and receipt.location.startswith("/documents/")
        intake.statuses = [422]
        with pytest.raises(PermanentDeliveryError, match="422"):
            transport.send(envelope)
        transport.close()
    with pytest.raises(TransientDeliveryError, match="network error"):
        transport_for(f"http://127.0.0.1:{free_port()}/x").send(envelope)
