"""A fake NCALayer for tests: same JSON on a free loopback port, real CMS from a demo key.

Speaks ``kz.gov.pki.knca.commonUtils``/``createCAdESFromBase64`` and
``kz.gov.pki.knca.basics``/``sign``, greets like NCALayer does on connect, and records the
requests it received so tests can check what the client sent.
"""

from __future__ import annotations

import base64
import hashlib
import json
import ssl
import threading
from typing import Any

from websockets.sync.server import ServerConnection, serve

from signing.cms import sign_detached, sign_digest
from signing.signer import Signer


class FakeNCALayer:
    """Serve on ``127.0.0.1:<free port>`` (``ws://`` or, with an SSL context, ``wss://``)."""

    def __init__(self, signer: Signer, ssl_context: ssl.SSLContext | None = None) -> None:
        self.signer = signer
        self.requests: list[dict[str, Any]] = []
        self._server = serve(self._handle, "127.0.0.1", 0, ssl=ssl_context)
        self.port = self._server.socket.getsockname()[1]
        self.url = f"{'wss' if ssl_context else 'ws'}://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeNCALayer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._thread.join(5)

    def _handle(self, connection: ServerConnection) -> None:
        connection.send(json.dumps({"result": {"version": "1.4"}}))
        for message in connection:
            request = json.loads(message)
            self.requests.append(request)
            connection.send(json.dumps(self._answer(request)))

    def make_cms(self, data: bytes, *, digested: bool, encapsulate: bool) -> bytes:
        """The CMS NCALayer answers with (subclasses may answer otherwise, e.g. with GOST)."""
        if digested:
            return sign_digest(data, self.signer)
        return sign_detached(data, self.signer, encapsulate=encapsulate)

    def _answer(self, request: dict[str, Any]) -> dict[str, Any]:
        module, method, args = request.get("module"), request.get("method"), request.get("args")
        if module == "kz.gov.pki.knca.commonUtils" and method == "createCAdESFromBase64":
            storage, kind, data, attach = args
            if storage != "PKCS12" or kind != "SIGNATURE":
                return {"code": "500", "message": "storage or key type not available"}
            cms = self.make_cms(base64.b64decode(data), digested=False, encapsulate=bool(attach))
            return {"code": "200", "responseObject": base64.b64encode(cms).decode()}
        if module == "kz.gov.pki.knca.basics" and method == "sign":
            params = args["signingParams"]
            wanted = args["signerParams"]
            if args.get("format") != "cms":
                return {"status": False, "code": "500", "message": "unsupported format"}
            if wanted.get("iin") and wanted["iin"] != str(self.signer.identity.iin):
                return {"status": False, "code": "500", "message": "no key for the requested IIN"}
            data = base64.b64decode(args["data"]) if params.get("decode", True) else args["data"].encode()
            if params.get("digested") and len(data) != hashlib.sha256().digest_size:
                return {"status": False, "code": "500", "message": "digest must be SHA-256"}
            cms = self.make_cms(data, digested=bool(params.get("digested")),
                                encapsulate=bool(params.get("encapsulate")))
            return {"status": True, "body": {"result": [base64.b64encode(cms).decode()]}}
        return {"status": False, "code": "404", "message": f"unknown module/method {module}/{method}"}
