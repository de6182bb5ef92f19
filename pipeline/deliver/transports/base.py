"""What a transport is: ``send(envelope) -> Receipt`` and ``close()``.

    DeliveryError (pipeline.errors)
    ├── TransientDeliveryError   retry later: server down, timeout, 5xx, disk full
    └── PermanentDeliveryError   will never work: refused, conflict, bad address

Both carry the destination and the idempotency key. A transport must be idempotent on
the key: sending an envelope whose key is already at the destination with the same
bytes returns a receipt with ``already=True`` and writes nothing.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pipeline.errors import DeliveryError

__all__ = [
    "Envelope",
    "PermanentDeliveryError",
    "Receipt",
    "TransientDeliveryError",
    "Transport",
    "redact",
]


def redact(url: str) -> str:
    """``url`` without user info (no password may reach a message or a log)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


class TransientDeliveryError(DeliveryError):
    """A failure that may go away: the outbox retries with backoff."""

    def __init__(self, message: str, *, destination: str, key: str) -> None:
        self.destination = redact(destination)
        self.key = key
        super().__init__(f"{message} [{self.destination}, key {key[:16]}]")
        self.reason = message


class PermanentDeliveryError(DeliveryError):
    """A failure that retrying cannot fix: the message goes to the dead letters."""

    def __init__(self, message: str, *, destination: str, key: str) -> None:
        self.destination = redact(destination)
        self.key = key
        super().__init__(f"{message} [{self.destination}, key {key[:16]}]")
        self.reason = message


@dataclass(frozen=True)
class Envelope:
    """One payload for one destination.

    ``name`` is the object name at the destination and contains the key, so a repeated
    send lands on the same name. ``metadata`` is small text (registration number, form…).
    """

    key: str
    name: str
    data: bytes
    media_type: str = "application/zip"
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Receipt:
    """What the destination said: where the payload is, and whether it was already there."""

    destination: str
    key: str
    location: str
    already: bool = False
    status: str = "delivered"
    detail: dict[str, Any] = field(default_factory=dict)


class Transport(ABC):
    """Base of every transport; subclasses implement :meth:`send` (and :meth:`close`)."""

    scheme: str = ""

    def __init__(self, url: str) -> None:
        self.url = url

    @property
    def destination(self) -> str:
        return redact(self.url)

    @abstractmethod
    def send(self, envelope: Envelope) -> Receipt:
        """Deliver ``envelope`` once; raise a Transient/PermanentDeliveryError on failure."""

    def close(self) -> None:  # noqa: B027 (optional hook, like httpx BaseTransport.close)
        """Release connections; the default transport holds none."""

    def transient(self, envelope: Envelope, message: str) -> TransientDeliveryError:
        return TransientDeliveryError(message, destination=self.url, key=envelope.key)

    def permanent(self, envelope: Envelope, message: str) -> PermanentDeliveryError:
        return PermanentDeliveryError(message, destination=self.url, key=envelope.key)

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
