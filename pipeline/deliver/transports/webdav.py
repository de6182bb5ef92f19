"""``webdav(s)://[user:pass@]host[:port]/collection`` — WebDAV (Nextcloud, many EDMS).

Default mode: PUT to a hidden temp name, then ``MOVE`` with ``Overwrite: F`` to the final
name, so the collection never shows a half file. With ``?mode=put`` the payload is PUT
straight to its final name with ``If-None-Match: *``. Either way ``412`` means the name
exists: the transport downloads it and compares SHA-256 (same = already delivered).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING
from urllib.parse import quote

from pipeline.deliver.transports._http import (
    HttpClientTransport,
    map_errors,
    raise_for_status,
)
from pipeline.deliver.transports.base import Envelope, Receipt

if TYPE_CHECKING:
    import httpx

__all__ = ["WebDavTransport"]


class WebDavTransport(HttpClientTransport):
    """Deliver into a WebDAV collection."""

    scheme = "webdav"

    secure_prefix = "webdavs:"

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.base = self.endpoint
        self.mode = self.query.get("mode", ["move"])[0]
        self._collection_ready = False


    def _href(self, name: str) -> str:
        return f"{self.base}/{quote(name)}"

    def send(self, envelope: Envelope) -> Receipt:
        final = self._href(envelope.name)
        with map_errors(self, envelope):
            if self.mode == "put":
                response = self._put(envelope, final, {"If-None-Match": "*"})
            else:
                temp = self._href(f".{envelope.name}.{secrets.token_hex(6)}.part")
                raise_for_status(self, envelope, self._put(envelope, temp, {}), "PUT")
                moved: httpx.Response | None = None
                try:
                    moved = self.client.request("MOVE", temp, headers={
                        "Destination": final, "Overwrite": "F"})
                finally:
                    if moved is None or not moved.is_success:
                        self._discard(temp)
                response = moved
            if response.status_code == 412:
                return self._already(envelope, final)
            raise_for_status(self, envelope, response, "store")
        return Receipt(destination=self.destination, key=envelope.key, location=final)

    def _put(self, envelope: Envelope, href: str, headers: dict[str, str]) -> httpx.Response:
        headers = {"Content-Type": envelope.media_type, **headers}
        response = self.client.put(href, content=envelope.data, headers=headers)
        if response.status_code == 409 and not self._collection_ready:
            self.client.request("MKCOL", self.base)
            self._collection_ready = True
            response = self.client.put(href, content=envelope.data, headers=headers)
        return response

    def _discard(self, href: str) -> None:
        """Best-effort removal of a temp upload; a leftover is hidden and harmless."""
        import httpx

        try:
            self.client.delete(href)
        except httpx.TransportError:
            return

    def _already(self, envelope: Envelope, final: str) -> Receipt:
        response = self.client.get(final)
        raise_for_status(self, envelope, response, "GET existing")
        if hashlib.sha256(response.content).hexdigest() != envelope.sha256:
            raise self.permanent(envelope, f"{envelope.name} exists with different content")
        return Receipt(destination=self.destination, key=envelope.key, location=final, already=True)

