"""``smtp(s)://[user:pass@]host[:port]?to=registry@org.kz[&from=…][&starttls=1][&timeout=30]``.

The package travels as an attachment to a registry mailbox. SMTP has no conditional
create, so idempotency lives in the message: its ``Message-ID`` is derived from the key
(``<key[:40]@qujat>``) and the key is repeated in ``X-Qujat-Idempotency-Key``; a registry
mailbox (or its intake rule) drops a second message with a Message-ID it has seen.
Reply codes 4xx are transient, 5xx permanent.
"""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from pipeline.deliver.transports.base import Envelope, Receipt, Transport

__all__ = ["SmtpTransport", "message_id"]


def message_id(key: str) -> str:
    """The Message-ID of every message carrying ``key`` (160 bits of it: one header line)."""
    return f"<{key[:40]}@qujat>"


class SmtpTransport(Transport):
    """Mail each package to a registry mailbox."""

    scheme = "smtp"

    def __init__(self, url: str) -> None:
        super().__init__(url)
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        self.ssl = parts.scheme.lower() == "smtps"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.ssl else 25)
        self.username = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else ""
        self.recipients = [a for v in query.get("to", []) for a in v.split(",") if a]
        self.sender = query.get("from", ["qujat@localhost"])[0]
        self.starttls = query.get("starttls", ["0"])[0] in ("1", "true", "yes")
        self.timeout = float(query.get("timeout", ["30"])[0])

    def build(self, envelope: Envelope) -> EmailMessage:
        """The e-mail for ``envelope``: metadata in the body, the package attached."""
        message = EmailMessage(policy=policy.SMTP.clone(max_line_length=998))
        meta = envelope.metadata
        message["Subject"] = " ".join(filter(None, (meta.get("reg_number"), meta.get("form"),
                                                    meta.get("employee"))))
        message["From"] = self.sender
        message["To"] = ", ".join(self.recipients)
        message["Message-ID"] = message_id(envelope.key)
        message["X-Qujat-Idempotency-Key"] = envelope.key
        message.set_content("\n".join(f"{k}: {v}" for k, v in sorted(meta.items())) +
                            f"\nsha256: {envelope.sha256}\n")
        maintype, _, subtype = envelope.media_type.partition("/")
        message.add_attachment(envelope.data, maintype=maintype, subtype=subtype,
                               filename=envelope.name)
        return message

    def send(self, envelope: Envelope) -> Receipt:
        import smtplib

        if not self.recipients:
            raise self.permanent(envelope, "no recipient: add ?to=mailbox@example.kz to the URL")
        message = self.build(envelope)
        factory = smtplib.SMTP_SSL if self.ssl else smtplib.SMTP
        try:
            with factory(self.host, self.port, timeout=self.timeout) as client:
                if self.starttls and not self.ssl:
                    client.starttls()
                if self.username:
                    client.login(self.username, self._password)
                refused = client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            reason = f"recipients refused: {sorted(set(codes))}"
            if all(400 <= code < 500 for code in codes):
                raise self.transient(envelope, reason) from exc
            raise self.permanent(envelope, reason) from exc
        except smtplib.SMTPResponseException as exc:
            reason = f"SMTP {exc.smtp_code} {_text(exc.smtp_error)}"
            if 400 <= exc.smtp_code < 500:
                raise self.transient(envelope, reason) from exc
            raise self.permanent(envelope, reason) from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise self.transient(envelope, f"{type(exc).__name__}: {exc}") from exc
        if refused:
            raise self.permanent(envelope, f"recipients refused: {sorted(refused)}")
        return Receipt(destination=self.destination, key=envelope.key,
                       location=f"mailto:{','.join(self.recipients)}",
                       detail={"message_id": message["Message-ID"]})


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
