"""Shared httpx helpers: client construction and error mapping for HTTP-based transports."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit, urlunsplit

from pipeline.deliver.transports.base import Envelope, Transport

if TYPE_CHECKING:
    import httpx

__all__ = ["TRANSIENT_STATUS", "HttpClientTransport", "client_for", "http_url", "map_errors", "raise_for_status"]

TRANSIENT_STATUS = frozenset({408, 423, 425, 429, 500, 502, 503, 504, 507})


def http_url(url: str, scheme: str) -> tuple[str, dict[str, list[str]]]:
    """``url`` rewritten to ``scheme`` without user info or query, plus the query."""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), "", "")), parse_qs(parts.query)


def client_for(url: str, query: dict[str, list[str]]) -> httpx.Client:
    """An httpx client with basic auth from the URL and ``?timeout=`` (seconds, default 30)."""
    import httpx

    parts = urlsplit(url)
    auth = httpx.BasicAuth(parts.username, parts.password or "") if parts.username else None
    timeout = float(query.get("timeout", ["30"])[0])
    return httpx.Client(auth=auth, timeout=httpx.Timeout(timeout), follow_redirects=False)


@contextmanager
def map_errors(transport: Transport, envelope: Envelope) -> Iterator[None]:
    """Turn httpx exceptions into transient delivery errors (every one may pass)."""
    import httpx

    try:
        yield
    except httpx.TimeoutException as exc:
        raise transport.transient(envelope, f"timed out: {type(exc).__name__}") from exc
    except httpx.TransportError as exc:
        raise transport.transient(envelope, f"network error: {type(exc).__name__}: {exc}") from exc


def raise_for_status(transport: Transport, envelope: Envelope, response: httpx.Response,
                     action: str) -> None:
    """Transient for 5xx/408/423/429, permanent for other 4xx, nothing for success."""
    if response.is_success:
        return
    reason = f"{action}: HTTP {response.status_code} {response.reason_phrase}"
    if response.status_code in TRANSIENT_STATUS or response.status_code >= 500:
        raise transport.transient(envelope, reason)
    raise transport.permanent(envelope, reason)


class HttpClientTransport(Transport):
    """A transport that speaks HTTP through one lazily made httpx client.

    ``secure_prefix`` is the URL scheme that means HTTPS (``https:``, ``webdavs:``,
    ``esedo+https:``); ``endpoint`` is the URL without user info or query.
    """

    secure_prefix = "https:"

    def __init__(self, url: str) -> None:
        super().__init__(url)
        http_scheme = "https" if url.lower().startswith(self.secure_prefix) else "http"
        self.endpoint, self.query = http_url(url, http_scheme)
        self._client: httpx.Client | None = None

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = client_for(self.url, self.query)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
