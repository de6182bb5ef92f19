"""Transports by URL scheme; each module imports its heavy client lazily.

``transport_for(url)`` picks the class from the scheme, as httpx picks a mount.
"""

from __future__ import annotations

import importlib
from urllib.parse import urlsplit

from pipeline.deliver.transports.base import (
    Envelope,
    PermanentDeliveryError,
    Receipt,
    TransientDeliveryError,
    Transport,
)

__all__ = [
    "SCHEMES",
    "Envelope",
    "PermanentDeliveryError",
    "Receipt",
    "TransientDeliveryError",
    "Transport",
    "transport_for",
]

SCHEMES: dict[str, str] = {
    "file": "pipeline.deliver.transports.file:FileTransport",
    "webdav": "pipeline.deliver.transports.webdav:WebDavTransport",
    "webdavs": "pipeline.deliver.transports.webdav:WebDavTransport",
    "smtp": "pipeline.deliver.transports.smtp:SmtpTransport",
    "smtps": "pipeline.deliver.transports.smtp:SmtpTransport",
    "s3": "pipeline.deliver.transports.s3:S3Transport",
    "http": "pipeline.deliver.transports.http:HttpTransport",
    "https": "pipeline.deliver.transports.http:HttpTransport",
    "esedo+http": "pipeline.package.esedo:EsedoTransport",
    "esedo+https": "pipeline.package.esedo:EsedoTransport",
}


def transport_class(url: str) -> type[Transport]:
    """The transport class registered for the scheme of ``url``."""
    scheme = urlsplit(url).scheme.lower()
    target = SCHEMES.get(scheme)
    if target is None:
        from pipeline.errors import InputError, Issue

        raise InputError(issues=[Issue(location="--to", key="handoff.unknown_scheme",
                                       params={"schemes": ", ".join(sorted(SCHEMES))},
                                       value=scheme or url)])
    module, name = target.split(":")
    return getattr(importlib.import_module(module), name)


def transport_for(url: str) -> Transport:
    """A new transport for ``url`` (``file://``, ``webdav://``, ``smtp://``, ``s3://``, …)."""
    return transport_class(url)(url)
