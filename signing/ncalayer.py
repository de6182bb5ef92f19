"""Client of NCALayer, the NCA RK signing application on a user's PC (WebSocket, port 13579).

Speaks both message shapes in use:

* legacy ``kz.gov.pki.knca.commonUtils`` / ``createCAdESFromBase64``
  (``args: [storage, "SIGNATURE", base64 data, attach]`` -> ``{"code": "200", "responseObject": cms}``);
* current ``kz.gov.pki.knca.basics`` / ``sign`` with ``signingParams`` and ``signerParams``
  (-> ``{"status": true, "body": {"result": [cms]}}``), which can also sign a SHA-256 hash
  (``digested``) so large files never travel.

NCALayer listens on ``wss://127.0.0.1:13579`` with a self-signed certificate: pass that
certificate as ``trust_cert`` (``ws://`` is accepted for local tests). Use
:meth:`NCALayerClient.external_signer` to sign documents through it.
"""

from __future__ import annotations

import base64
import binascii
import json
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from websockets.exceptions import WebSocketException
from websockets.sync.client import connect

from pipeline.errors import SigningError
from signing.external import ExternalSigner

__all__ = ["DEFAULT_URL", "NCALayerClient", "NCALayerError", "SignerParams"]

DEFAULT_URL = "wss://127.0.0.1:13579"
LEGACY_MODULE = "kz.gov.pki.knca.commonUtils"
BASICS_MODULE = "kz.gov.pki.knca.basics"
SIGNING_EKU = "1.3.6.1.5.5.7.3.4"
Shape = Literal["basics", "legacy"]


class NCALayerError(SigningError):
    """NCALayer answered with an error (or the user cancelled); ``code`` is NCALayer's."""

    def __init__(self, message: str, code: str | None = None) -> None:
        self.code = code
        super().__init__(f"NCALayer: {message}" + (f" (code {code})" if code else ""))


@dataclass(frozen=True)
class SignerParams:
    """Which key NCALayer may offer: signing EKU, and optionally the IIN, BIN, certificate serial."""

    ext_key_usage_oids: tuple[str, ...] = (SIGNING_EKU,)
    iin: str | None = None
    bin: str | None = None
    serial_number: str | None = None
    chain: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        params: dict[str, Any] = {"extKeyUsageOids": list(self.ext_key_usage_oids)}
        for key, value in (("iin", self.iin), ("bin", self.bin), ("serialNumber", self.serial_number)):
            if value:
                params[key] = value
        params["chain"] = list(self.chain)
        return params


class NCALayerClient:
    """Asks NCALayer for CMS signatures, one WebSocket connection per request."""

    def __init__(self, url: str = DEFAULT_URL, *, shape: Shape = "basics", trust_cert: Path | str | None = None,
                 storages: tuple[str, ...] = ("PKCS12",), signer: SignerParams | None = None,
                 locale: str = "ru", timeout: float = 300.0) -> None:
        if not url.startswith(("ws://", "wss://")):
            raise SigningError(f"NCALayer URL must start with ws:// or wss://, got {url!r}")
        if shape not in ("basics", "legacy"):
            raise SigningError(f"unknown NCALayer message shape {shape!r}")
        self.url = url
        self.shape = shape
        self.trust_cert = Path(trust_cert) if trust_cert else None
        self.storages = storages
        self.signer = signer or SignerParams()
        self.locale = locale
        self.timeout = timeout

    def _ssl_context(self) -> ssl.SSLContext | None:
        if not self.url.startswith("wss://"):
            return None
        context = ssl.create_default_context()
        if self.trust_cert is not None:
            context.load_verify_locations(cafile=str(self.trust_cert))
        return context

    def request(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send one JSON message and return the first answer to it (greetings are skipped)."""
        try:
            with connect(self.url, ssl=self._ssl_context(), open_timeout=10, close_timeout=2,
                         max_size=None) as socket:
                socket.send(json.dumps(message))
                while True:
                    answer = json.loads(socket.recv(timeout=self.timeout))
                    if isinstance(answer, dict) and ("code" in answer or "status" in answer):
                        return answer
        except (OSError, TimeoutError, WebSocketException, ssl.SSLError) as exc:
            raise SigningError(f"cannot talk to NCALayer at {self.url}: {exc}") from None
        except ValueError as exc:
            raise SigningError(f"NCALayer sent something that is not JSON: {exc}") from None

    def legacy_message(self, data: bytes, *, attach: bool = False) -> dict[str, Any]:
        return {"module": LEGACY_MODULE, "method": "createCAdESFromBase64",
                "args": [self.storages[0], "SIGNATURE", base64.b64encode(data).decode("ascii"), attach]}

    def basics_message(self, data: bytes, *, digested: bool = False, encapsulate: bool = False) -> dict[str, Any]:
        return {"module": BASICS_MODULE, "method": "sign", "args": {
            "allowedStorages": list(self.storages),
            "format": "cms",
            "data": base64.b64encode(data).decode("ascii"),
            "signingParams": {"decode": True, "encapsulate": encapsulate, "digested": digested,
                              "tsaProfile": {}},
            "signerParams": self.signer.to_json(),
            "locale": self.locale,
        }}

    def sign(self, data: bytes, *, digested: bool = False, encapsulate: bool = False) -> bytes:
        """A CMS (DER) over ``data``, or over the content whose SHA-256 is ``data`` if ``digested``."""
        if self.shape == "legacy":
            if digested:
                raise SigningError("the legacy NCALayer module cannot sign a hash; use shape 'basics'")
            answer = self.request(self.legacy_message(data, attach=encapsulate))
            if str(answer.get("code")) != "200":
                raise NCALayerError(str(answer.get("message") or "signing failed"), str(answer.get("code")))
            return _decode(answer.get("responseObject"))
        answer = self.request(self.basics_message(data, digested=digested, encapsulate=encapsulate))
        if answer.get("status") is not True:
            raise NCALayerError(str(answer.get("message") or answer.get("details") or "signing failed"),
                                str(answer["code"]) if answer.get("code") is not None else None)
        result = (answer.get("body") or {}).get("result")
        if not isinstance(result, list) or len(result) != 1:
            raise NCALayerError("expected one signature in body.result")
        return _decode(result[0])

    def external_signer(self, *, digested: bool = False) -> ExternalSigner:
        """An :class:`ExternalSigner` that signs through this NCALayer."""
        return ExternalSigner(lambda payload, is_digest: self.sign(payload, digested=is_digest), digested=digested)


def _decode(value: object) -> bytes:
    if not isinstance(value, str) or not value:
        raise NCALayerError("no signature in the answer")
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        raise NCALayerError("the signature in the answer is not base64") from None
