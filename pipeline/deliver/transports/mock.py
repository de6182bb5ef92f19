"""``MockTransport(handler)`` — a function decides each receipt; for outbox tests."""

from __future__ import annotations

from collections.abc import Callable

from pipeline.deliver.transports.base import Envelope, Receipt, Transport

__all__ = ["MockTransport"]


class MockTransport(Transport):
    """Calls ``handler(envelope)``; it returns a receipt or raises a delivery error."""

    scheme = "mock"

    def __init__(self, handler: Callable[[Envelope], Receipt], url: str = "mock://") -> None:
        super().__init__(url)
        self.handler = handler

    def send(self, envelope: Envelope) -> Receipt:
        return self.handler(envelope)
