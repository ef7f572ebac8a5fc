"""Email backends: console, file, SMTP, Postmark API and SendGrid API.

A backend either accepts a message (returning the provider's message id) or raises
:class:`TransientDeliveryError` (retry later: outage, timeout, throttling, 5xx) or
:class:`PermanentDeliveryError` (the provider refused this message for good, e.g. an invalid
address). Every message carries its outbox id to the provider (Message-ID, Postmark Metadata,
SendGrid custom_args) so a duplicate after a crash can be traced to one outbox row.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
import sys
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Protocol

import httpx

from failsafe.notifications.templates import RenderedEmail
from failsafe.settings import Settings


class DeliveryError(Exception):
    """A backend did not accept the message."""


class TransientDeliveryError(DeliveryError):
    """Try again later; the message stays queued."""


class PermanentDeliveryError(DeliveryError):
    """The provider will never accept this message."""


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    """A rendered message with its envelope."""

    outbox_id: str
    stream: str
    sender: str
    to: str
    content: RenderedEmail
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def message_id(self) -> str:
        return f"<{self.outbox_id}@outbox.failsafe>"


class EmailBackend(Protocol):
    name: str

    async def send(self, email: OutgoingEmail) -> str:
        """Hand ``email`` to the provider; return its message id."""
        ...


def mime_message(email: OutgoingEmail) -> EmailMessage:
    """The RFC 5322 message: text with an HTML alternative."""
    message = EmailMessage()
    message["From"] = email.sender
    message["To"] = email.to
    message["Subject"] = email.content.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = email.message_id
    for name, value in email.headers.items():
        message[name] = value
    message.set_content(email.content.text)
    message.add_alternative(email.content.html, subtype="html")
    return message


class ConsoleBackend:
    """Development: print the text part to standard output."""

    name = "console"

    async def send(self, email: OutgoingEmail) -> str:
        sys.stdout.write(
            f"--- email to {email.to}: {email.content.subject}\n{email.content.text}"
            "--- end of email\n"
        )
        sys.stdout.flush()
        return email.message_id


class FileBackend:
    """Write each message as ``<outbox id>.eml`` (re-sending overwrites: idempotent)."""

    name = "file"

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def send(self, email: OutgoingEmail) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{email.outbox_id}.eml"
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(bytes(mime_message(email)))
        temporary.replace(path)
        return email.message_id


class SmtpBackend:
    """SMTP through smtplib in a thread (one connection per message; fine at our volume)."""

    name = "smtp"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def send(self, email: OutgoingEmail) -> str:
        await asyncio.to_thread(self._send, mime_message(email))
        return email.message_id

    def _send(self, message: EmailMessage) -> None:
        s = self.settings
        try:
            with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.http_timeout_seconds) as smtp:
                if s.smtp_starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.smtp_username and s.smtp_password:
                    smtp.login(s.smtp_username, s.smtp_password.get_secret_value())
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = {code for code, _ in exc.recipients.values()}
            if all(500 <= code < 600 for code in codes):
                raise PermanentDeliveryError("smtp.recipient_refused") from exc
            raise TransientDeliveryError("smtp.recipient_deferred") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientDeliveryError(f"smtp.{type(exc).__name__}") from exc


def _classify(response: httpx.Response, provider: str) -> None:
    """Raise the right delivery error for a non-success response."""
    status = response.status_code
    if status == 429 or status >= 500 or status in (401, 403):
        # 401/403 are a configuration problem on our side: keep the mail until it is fixed.
        raise TransientDeliveryError(f"{provider}.http_{status}")
    raise PermanentDeliveryError(f"{provider}.http_{status}")


class PostmarkBackend:
    """Postmark's email API (transactional stream)."""

    name = "postmark"

    def __init__(self, settings: Settings, client: httpx.AsyncClient) -> None:
        if settings.postmark_token is None:
            raise ValueError("FAILSAFE_POSTMARK_TOKEN is not set")
        self.token = settings.postmark_token.get_secret_value()
        self.url = settings.postmark_base_url.rstrip("/") + "/email"
        self.client = client

    async def send(self, email: OutgoingEmail) -> str:
        headers = [{"Name": "Message-ID", "Value": email.message_id}]
        headers += [{"Name": k, "Value": v} for k, v in email.headers.items()]
        payload = {
            "From": email.sender,
            "To": email.to,
            "Subject": email.content.subject,
            "TextBody": email.content.text,
            "HtmlBody": email.content.html,
            "MessageStream": "outbound",
            "Headers": headers,
            # Searchable in Postmark's activity: finds the copy a crashed worker already sent.
            "Metadata": {"outbox_id": email.outbox_id},
        }
        try:
            response = await self.client.post(
                self.url,
                json=payload,
                headers={"X-Postmark-Server-Token": self.token, "Accept": "application/json"},
            )
        except httpx.HTTPError as exc:
            raise TransientDeliveryError(f"postmark.{type(exc).__name__}") from exc
        if response.status_code != 200:
            _classify(response, "postmark")
        body = response.json()
        if body.get("ErrorCode", 0) != 0:
            raise PermanentDeliveryError(f"postmark.error_{body.get('ErrorCode')}")
        return str(body.get("MessageID", email.message_id))


class SendGridBackend:
    """SendGrid's v3 mail send API (digest stream)."""

    name = "sendgrid"

    def __init__(self, settings: Settings, client: httpx.AsyncClient) -> None:
        if settings.sendgrid_api_key is None:
            raise ValueError("FAILSAFE_SENDGRID_API_KEY is not set")
        self.key = settings.sendgrid_api_key.get_secret_value()
        self.url = settings.sendgrid_base_url.rstrip("/") + "/v3/mail/send"
        self.client = client

    async def send(self, email: OutgoingEmail) -> str:
        name, _, address = email.sender.rpartition("<")
        sender = {"email": address.rstrip(">").strip() or email.sender, "name": name.strip()}
        payload = {
            "personalizations": [{"to": [{"email": email.to}]}],
            "from": sender,
            "subject": email.content.subject,
            "content": [
                {"type": "text/plain", "value": email.content.text},
                {"type": "text/html", "value": email.content.html},
            ],
            "headers": {"Message-ID": email.message_id, **email.headers},
            "custom_args": {"outbox_id": email.outbox_id},
        }
        try:
            response = await self.client.post(
                self.url, json=payload, headers={"Authorization": f"Bearer {self.key}"}
            )
        except httpx.HTTPError as exc:
            raise TransientDeliveryError(f"sendgrid.{type(exc).__name__}") from exc
        if response.status_code not in (200, 202):
            _classify(response, "sendgrid")
        return str(response.headers.get("X-Message-Id", email.message_id))


@dataclass
class Backends:
    """The backend of each stream, built from the settings."""

    transactional: EmailBackend
    digest: EmailBackend

    def for_stream(self, stream: str) -> EmailBackend:
        return self.digest if stream == "digest" else self.transactional


def build_backends(settings: Settings, client: httpx.AsyncClient) -> Backends:
    """Choose backends from ``email_backend``.

    console, file and smtp serve both streams. ``postmark`` or ``sendgrid`` select the API
    mode: transactional mail goes to Postmark and the digest to SendGrid, each falling back to
    the other provider when only one is configured.
    """
    kind = settings.email_backend
    if kind == "console":
        backend: EmailBackend = ConsoleBackend()
        return Backends(backend, backend)
    if kind == "file":
        backend = FileBackend(settings.data_dir / "mail")
        return Backends(backend, backend)
    if kind == "smtp":
        backend = SmtpBackend(settings)
        return Backends(backend, backend)
    postmark = PostmarkBackend(settings, client) if settings.postmark_token else None
    sendgrid = SendGridBackend(settings, client) if settings.sendgrid_api_key else None
    transactional = postmark or sendgrid
    digest = sendgrid or postmark
    if transactional is None or digest is None:
        raise ValueError("set FAILSAFE_POSTMARK_TOKEN and/or FAILSAFE_SENDGRID_API_KEY")
    return Backends(transactional, digest)
