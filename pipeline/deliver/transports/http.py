"""``http(s)://host/path[?timeout=…]`` — a generic REST intake (EDMS upload endpoint).

``POST`` of the package with an ``Idempotency-Key`` header (IETF httpapi draft): a server
that has seen the key answers with the stored result and ``Idempotent-Replayed: true``,
which becomes ``already=True``. ``409`` (the same key still in progress), ``408``, ``429``
and ``5xx`` are transient; other ``4xx`` are permanent.
"""

from __future__ import annotations

import json

from pipeline.deliver.transports._http import (
    HttpClientTransport,
    map_errors,
    raise_for_status,
)
from pipeline.deliver.transports.base import Envelope, Receipt

__all__ = ["HttpTransport"]


class HttpTransport(HttpClientTransport):
    """POST each package to one endpoint."""

    scheme = "https"


    def send(self, envelope: Envelope) -> Receipt:
        headers = {"Content-Type": envelope.media_type, "Idempotency-Key": envelope.key,
                   "X-Qujat-Name": envelope.name, "X-Qujat-Sha256": envelope.sha256,
                   "X-Qujat-Metadata": json.dumps(envelope.metadata, sort_keys=True)}
        with map_errors(self, envelope):
            response = self.client.post(self.endpoint, content=envelope.data, headers=headers)
        if response.status_code == 409:
            raise self.transient(envelope, "HTTP 409: the same key is still being processed")
        raise_for_status(self, envelope, response, "POST")
        location = response.headers.get("Location", self.endpoint)
        try:
            detail = response.json() if response.content else {}
        except ValueError:
            raise self.transient(envelope, "malformed answer: not JSON") from None
        replayed = response.headers.get("Idempotent-Replayed", "").lower() == "true"
        return Receipt(destination=self.destination, key=envelope.key, location=location,
                       already=replayed, detail=detail if isinstance(detail, dict) else {})

