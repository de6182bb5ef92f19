"""Real servers on 127.0.0.1 for the transport tests, with switchable faults."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from cheroot import wsgi
from wsgidav.wsgidav_app import WsgiDAVApp


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Faults:
    """WSGI middleware: answer the next ``fail`` requests with 500, delay the next ``slow``."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.fail = 0
        self.slow = 0
        self.delay = 0.0
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        with self._lock:
            self.requests.append((environ["REQUEST_METHOD"], environ["PATH_INFO"]))
            fail, self.fail = self.fail > 0, max(self.fail - 1, 0)
            slow, self.slow = self.slow > 0, max(self.slow - 1, 0)
        if fail:
            environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            start_response("500 Internal Server Error", [("Content-Length", "0")])
            return [b""]
        if slow:
            time.sleep(self.delay)
        return self.app(environ, start_response)


class DavServer:
    """wsgidav over cheroot serving ``root``; can be stopped and started on the same port."""

    def __init__(self, root: Path, *, password: str | None = None, port: int | None = None) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        users: Any = {"*": True} if password is None else {"*": {"clerk": {"password": password}}}
        config = {"provider_mapping": {"/": str(root)}, "simple_dc": {"user_mapping": users},
                  "http_authenticator": {"accept_basic": True, "accept_digest": False,
                                         "default_to_digest": False},
                  "verbose": 0, "logging": {"enable": False}, "property_manager": None,
                  "lock_storage": True}
        self.faults = Faults(WsgiDAVApp(config))
        self.port = port or free_port()
        self._server: wsgi.Server | None = None
        self._thread: threading.Thread | None = None

    def url(self, scheme: str = "webdav", userinfo: str = "") -> str:
        at = f"{userinfo}@" if userinfo else ""
        return f"{scheme}://{at}127.0.0.1:{self.port}"

    def start(self) -> DavServer:
        self._server = wsgi.Server(("127.0.0.1", self.port), self.faults, numthreads=4)
        self._server.prepare()
        self._thread = threading.Thread(target=self._server.serve, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> DavServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class SmtpSink:
    """aiosmtpd handler: a registry mailbox that keeps one message per Message-ID."""

    def __init__(self) -> None:
        self.mailbox: dict[str, bytes] = {}
        self.transactions = 0
        self.refuse = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.transactions += 1
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 mailbox busy, try later"
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.content, policy=policy.default)
        self.mailbox.setdefault(message["Message-ID"], envelope.content)
        return "250 OK"


class SoapEndpoint:
    """A local ЕСЭДО-like SOAP endpoint: checks payloads against the shipped schema.

    Answers ``registered`` (with an incoming number) or ``accepted`` (``state``), rejects
    documents whose kind is in ``reject_kinds``, answers the next ``faults`` requests with
    a Server fault and the next ``garbage`` with a malformed body. Repeated MessageIds get
    the stored receipt.
    """

    def __init__(self) -> None:
        self.state = "registered"
        self.reject_kinds: set[str] = set()
        self.faults = 0
        self.garbage = 0
        self.received: dict[str, bytes] = {}
        self.requests = 0
        self.port = free_port()
        self._server: Any = None

    def answer(self, body: bytes) -> tuple[int, bytes]:
        from lxml import etree

        from pipeline.package.esedo import NAMESPACE, SOAP_NS, schema

        self.requests += 1
        if self.garbage > 0:
            self.garbage -= 1
            return 200, b"<html>gateway hiccup"
        if self.faults > 0:
            self.faults -= 1
            return 500, _fault("soap:Server", "bus temporarily unavailable")
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        try:
            root = etree.fromstring(body, parser)
        except etree.XMLSyntaxError:
            return 500, _fault("soap:Client", "not XML")
        send = root.find(f"{{{SOAP_NS}}}Body/{{{NAMESPACE}}}SendMessage")
        if send is None or not schema().validate(send):
            return 500, _fault("soap:Client", "payload does not match the schema")
        key = send.findtext(f"{{{NAMESPACE}}}RequestInfo/{{{NAMESPACE}}}MessageId")
        kind = send.findtext(f"{{{NAMESPACE}}}DocOutgoing/{{{NAMESPACE}}}DocKind")
        self.received.setdefault(key, body)
        number = f"IN-{list(self.received).index(key) + 1}"
        if kind in self.reject_kinds:
            return 200, _receipt(key, "rejected", reason=f"document kind {kind} is not accepted")
        return 200, _receipt(key, self.state, number=number if self.state == "registered" else "")

    def start(self) -> SoapEndpoint:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status, answer = endpoint.answer(body)
                self.send_response(status)
                self.send_header("Content-Type", "text/xml; charset=utf-8")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> SoapEndpoint:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _soap(inner: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><soap:Envelope '
            'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
            f'{inner}</soap:Body></soap:Envelope>').encode()


def _fault(code: str, text: str) -> bytes:
    return _soap(f"<soap:Fault><faultcode>{code}</faultcode><faultstring>{text}</faultstring>"
                 "</soap:Fault>")


def _receipt(key: str, state: str, number: str = "", reason: str = "") -> bytes:
    extra = (f"<IncomingNumber>{number}</IncomingNumber>" if number else "") + \
            (f"<Reason>{reason}</Reason>" if reason else "")
    return _soap(f'<Receipt xmlns="urn:qujat:esedo:1"><MessageId>{key}</MessageId>'
                 f"<State>{state}</State>{extra}</Receipt>")


class RestIntake:
    """A REST upload endpoint honouring ``Idempotency-Key`` (replays stored answers)."""

    def __init__(self) -> None:
        self.stored: dict[str, bytes] = {}
        self.posts = 0
        self.statuses: list[int] = []  # answers to force for the next requests
        self.port = free_port()
        self._server: Any = None

    def start(self) -> RestIntake:
        import hashlib
        import json
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        intake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                intake.posts += 1
                key = self.headers["Idempotency-Key"]
                forced = intake.statuses.pop(0) if intake.statuses else None
                replayed = key in intake.stored
                if forced is None and not replayed:
                    intake.stored[key] = body
                status = forced or (200 if replayed else 201)
                answer = json.dumps({"id": key[:8], "sha256": hashlib.sha256(body).hexdigest()})
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Location", f"/documents/{key[:8]}")
                if replayed and forced is None:
                    self.send_header("Idempotent-Replayed", "true")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer.encode())

            def log_message(self, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> RestIntake:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
