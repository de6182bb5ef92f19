"""``s3://bucket/prefix[?endpoint_url=…&region=…&timeout=…]`` — S3-compatible object storage.

A conditional put (``If-None-Match: *``) creates the object only if its key is free;
``412 PreconditionFailed`` means it exists, and the transport downloads it and compares
SHA-256 (same = already delivered). The SHA-256 is sent as ``x-amz-checksum-sha256`` so
the store verifies the upload, and kept in the object's metadata. Credentials come from
the usual AWS sources (environment, profile, instance role), never from the URL.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pipeline.deliver.transports.base import Envelope, Receipt, Transport

__all__ = ["S3Transport"]

_TRANSIENT_CODES = {"ConditionalRequestConflict", "SlowDown", "RequestTimeout", "InternalError",
                    "ServiceUnavailable", "RequestTimeTooSkewed", "OperationAborted"}


class S3Transport(Transport):
    """Put each package as one object under ``prefix``."""

    scheme = "s3"

    def __init__(self, url: str) -> None:
        super().__init__(url)
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        self.bucket = parts.hostname or ""
        self.prefix = parts.path.strip("/")
        self.endpoint_url = query.get("endpoint_url", [None])[0]
        self.region = query.get("region", [None])[0]
        self.timeout = float(query.get("timeout", ["30"])[0])
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3
            from botocore.config import Config

            config = Config(retries={"max_attempts": 1, "mode": "standard"},
                            connect_timeout=self.timeout, read_timeout=self.timeout)
            self._client = boto3.client("s3", endpoint_url=self.endpoint_url,
                                        region_name=self.region, config=config)
        return self._client

    def _key(self, envelope: Envelope) -> str:
        return f"{self.prefix}/{envelope.name}" if self.prefix else envelope.name

    def send(self, envelope: Envelope) -> Receipt:
        from botocore.exceptions import BotoCoreError, ClientError

        key = self._key(envelope)
        location = f"s3://{self.bucket}/{key}"
        digest = base64.b64encode(hashlib.sha256(envelope.data).digest()).decode("ascii")
        try:
            self.client.put_object(
                Bucket=self.bucket, Key=key, Body=envelope.data, IfNoneMatch="*",
                ChecksumSHA256=digest, ContentType=envelope.media_type,
                Metadata={"sha256": envelope.sha256, "idempotency-key": envelope.key})
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = error.get("Code", "")
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            if code == "PreconditionFailed" or status == 412:
                return self._already(envelope, key, location)
            reason = f"S3 {status} {code}: {error.get('Message', '')}".strip()
            if code in _TRANSIENT_CODES or status >= 500 or status in (408, 429):
                raise self.transient(envelope, reason) from exc
            raise self.permanent(envelope, reason) from exc
        except BotoCoreError as exc:
            raise self.transient(envelope, f"{type(exc).__name__}: {exc}") from exc
        return Receipt(destination=self.destination, key=envelope.key, location=location)

    def _already(self, envelope: Envelope, key: str, location: str) -> Receipt:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except (ClientError, BotoCoreError) as exc:
            raise self.transient(envelope, f"cannot read existing {key}: {exc}") from exc
        if hashlib.sha256(body).hexdigest() != envelope.sha256:
            raise self.permanent(envelope, f"{key} exists with different content")
        return Receipt(destination=self.destination, key=envelope.key, location=location,
                       already=True)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
