"""Outbox delivery through real backends: SMTP on loopback, fake Postmark and SendGrid APIs."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from aiosmtpd.controller import Controller

from failsafe.db.actor import SystemActor
from failsafe.db.engine import Database
from failsafe.notifications.backends import Backends, build_backends
from failsafe.notifications.delivery import deliver_due
from failsafe.notifications.outbox import enqueue_email
from failsafe.settings import Settings
from tests.notifications.fakes import FakeProvider, postmark_app, sendgrid_app
from tests.operations.servers import serve

SENDER = "FailSafe <no-reply@failsafe.test>"
VERIFY = {"link": "https://portal.test/verify?t=abc", "hours": 24}


def settings(tmp_path: Path, **values: Any) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, http_timeout_seconds=0.5, **values)  # type: ignore[call-arg]


async def queue(db: Database, n: int = 1, **kwargs: Any) -> None:
    async with db.transaction(SystemActor("test")) as session:
        for i in range(n):
            await enqueue_email(
                session,
                to=f"user{i}@example.test",
                template=kwargs.get("template", "verify_email"),
                context=kwargs.get("context", VERIFY),
                stream=kwargs.get("stream", "transactional"),
            )


def outbox(conn: psycopg.Connection) -> list[tuple[Any, ...]]:
    return conn.execute(
        "SELECT status, attempts, next_attempt_at, last_error, context FROM email_outbox"
        " ORDER BY to_address"
    ).fetchall()


class Sink:
    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Sink, int]]:
    sink = Sink()
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


async def test_smtp_delivers_text_and_html(
    db: Database, superuser: psycopg.Connection, smtp_server: tuple[Sink, int], tmp_path: Path
) -> None:
    sink, port = smtp_server
    await queue(db, 2)
    config = settings(tmp_path, email_backend="smtp", smtp_port=port)
    async with httpx.AsyncClient() as client:
        report = await deliver_due(db, build_backends(config, client), sender=SENDER)
    assert report.sent == 2 and len(sink.messages) == 2
    message = email.message_from_bytes(sink.messages[0], policy=email.policy.default)
    assert message["Subject"] == "Confirm your email for FailSafe"
    assert message["Message-ID"].endswith("@outbox.failsafe>")
    parts = {part.get_content_type() for part in message.walk()}
    assert {"text/plain", "text/html"} <= parts
    rows = outbox(superuser)
    assert [r[0] for r in rows] == ["sent", "sent"]
    assert all(r[4] == {} for r in rows), "one-time links are dropped once sent"


async def test_file_backend_is_idempotent(db: Database, tmp_path: Path) -> None:
    await queue(db)
    config = settings(tmp_path, email_backend="file")
    async with httpx.AsyncClient() as client:
        await deliver_due(db, build_backends(config, client), sender=SENDER)
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1


@pytest.mark.parametrize("outage", ["5xx", "timeout"])
async def test_postmark_outage_keeps_mail_queued_then_sends_once(
    db: Database, superuser: psycopg.Connection, tmp_path: Path, outage: str
) -> None:
    fake = FakeProvider("X-Postmark-Server-Token", "pm-token", mode=outage)
    await queue(db, 2)
    with serve(postmark_app(fake)) as url:
        config = settings(
            tmp_path, email_backend="postmark", postmark_base_url=url, postmark_token="pm-token"
        )
        async with httpx.AsyncClient(timeout=0.5) as client:
            backends = build_backends(config, client)
            now = dt.datetime.now(dt.UTC)
            report = await deliver_due(db, backends, sender=SENDER, now=now)
            assert report.retried == 2 and report.sent == 0
            rows = outbox(superuser)
            assert [(r[0], r[1]) for r in rows] == [("queued", 1), ("queued", 1)]
            assert all(r[2] > now for r in rows) and all(r[3] for r in rows)

            # Not due yet: nothing is attempted.
            calls = fake.calls
            assert (await deliver_due(db, backends, sender=SENDER, now=now)).retried == 0
            assert fake.calls == calls

            fake.mode = "ok"
            later = now + dt.timedelta(minutes=5)
            assert (await deliver_due(db, backends, sender=SENDER, now=later)).sent == 2
            assert (await deliver_due(db, backends, sender=SENDER, now=later)).sent == 0
    assert len(fake.accepted) == 2
    assert {m["To"] for m in fake.accepted} == {"user0@example.test", "user1@example.test"}
    assert all(m["Metadata"]["outbox_id"] for m in fake.accepted)
    assert [(r[0], r[1]) for r in outbox(superuser)] == [("sent", 2), ("sent", 2)]


async def test_permanent_rejection_is_not_retried(
    db: Database, superuser: psycopg.Connection, tmp_path: Path
) -> None:
    fake = FakeProvider("X-Postmark-Server-Token", "pm-token")
    await queue(db)
    with serve(postmark_app(fake)) as url:
        # A 4xx other than auth/throttling is permanent; simulate with a wrong path.
        config = settings(
            tmp_path,
            email_backend="postmark",
            postmark_base_url=url + "/missing",
            postmark_token="pm-token",
        )
        async with httpx.AsyncClient() as client:
            report = await deliver_due(db, build_backends(config, client), sender=SENDER)
    assert report.failed == 1
    assert outbox(superuser)[0][0] == "failed"


async def _opt_in(superuser: psycopg.Connection) -> str:
    with superuser.transaction():
        superuser.execute("SELECT set_config('failsafe.role', 'system', true)")
        account = superuser.execute(
            "INSERT INTO accounts (kind, name) VALUES ('customer', 'Acme') RETURNING id"
        ).fetchone()
        assert account is not None
        user = superuser.execute(
            "INSERT INTO users (account_id, email, role, email_verified_at)"
            " VALUES (%s, 'digest@example.test', 'client', now()) RETURNING id",
            (account[0],),
        ).fetchone()
        assert user is not None
        superuser.execute(
            "INSERT INTO digest_subscriptions (user_id, account_id, opted_in_at)"
            " VALUES (%s, %s, now())",
            (user[0], account[0]),
        )
    return str(user[0])


async def test_digest_goes_to_sendgrid_with_one_click_unsubscribe(
    db: Database, superuser: psycopg.Connection, tmp_path: Path
) -> None:
    user_id = await _opt_in(superuser)
    postmark = FakeProvider("X-Postmark-Server-Token", "pm")
    sendgrid = FakeProvider("Authorization", "sg")
    context = {
        "user_id": user_id,
        "open_findings": 2,
        "engagements": [{"name": "Acme <prod>", "open_findings": 2, "last_scan": "2026-12-01"}],
        "portal_link": "https://portal.test/",
        "unsubscribe_url": "https://portal.test/unsubscribe/digest?token=t",
    }
    await queue(db, template="weekly_digest", context=context, stream="digest")
    await queue(db)  # a transactional one goes to Postmark
    with serve(postmark_app(postmark)) as pm_url, serve(sendgrid_app(sendgrid)) as sg_url:
        config = settings(
            tmp_path,
            email_backend="postmark",
            postmark_base_url=pm_url,
            postmark_token="pm",
            sendgrid_base_url=sg_url,
            sendgrid_api_key="sg",
        )
        async with httpx.AsyncClient() as client:
            backends: Backends = build_backends(config, client)
            assert (await deliver_due(db, backends, sender=SENDER)).sent == 2
    assert len(postmark.accepted) == 1 and len(sendgrid.accepted) == 1
    digest = sendgrid.accepted[0]
    assert digest["headers"]["List-Unsubscribe"] == f"<{context['unsubscribe_url']}>"
    assert digest["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = digest["content"][1]["value"]
    assert "Acme &lt;prod&gt;" in html, "HTML is autoescaped"


async def test_digest_to_an_unsubscribed_user_is_dropped(
    db: Database, superuser: psycopg.Connection, tmp_path: Path
) -> None:
    user_id = await _opt_in(superuser)
    superuser.execute("UPDATE digest_subscriptions SET unsubscribed_at = now()")
    context = {
        "user_id": user_id,
        "open_findings": 0,
        "engagements": [],
        "portal_link": "p",
        "unsubscribe_url": "u",
    }
    await queue(db, template="weekly_digest", context=context, stream="digest")
    async with httpx.AsyncClient() as client:
        report = await deliver_due(
            db, build_backends(settings(tmp_path, email_backend="file"), client), sender=SENDER
        )
    assert report.failed == 1 and not list((tmp_path / "mail").glob("*.eml"))
