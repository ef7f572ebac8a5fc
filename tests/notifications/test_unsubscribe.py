"""The signed one-click unsubscribe link and route."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlsplit

import httpx
import psycopg

from failsafe.notifications.digest import unsubscribe_url, user_of_token
from failsafe.runtime import Runtime
from failsafe.secrets.keyring import KeyRing, generate_key
from failsafe.web.app import create_app


def _subscriber(conn: psycopg.Connection) -> uuid.UUID:
    with conn.transaction():
        conn.execute("SELECT set_config('failsafe.role', 'system', true)")
        account = conn.execute(
            "INSERT INTO accounts (kind, name) VALUES ('customer', 'A') RETURNING id"
        ).fetchone()
        assert account is not None
        user = conn.execute(
            "INSERT INTO users (account_id, email, role) VALUES (%s, 'u@example.test', 'client')"
            " RETURNING id",
            (account[0],),
        ).fetchone()
        assert user is not None
        conn.execute(
            "INSERT INTO digest_subscriptions (user_id, account_id, opted_in_at)"
            " VALUES (%s, %s, now())",
            (user[0], account[0]),
        )
    return uuid.UUID(str(user[0]))


def test_tokens_are_authenticated() -> None:
    ring = KeyRing.parse(f"a:{generate_key()}")
    other = KeyRing.parse(f"b:{generate_key()}")
    user = uuid.uuid4()
    token = parse_qs(urlsplit(unsubscribe_url("https://p.test", ring, user)).query)["token"][0]
    assert user_of_token(ring, token) == user
    assert user_of_token(other, token) is None
    assert user_of_token(ring, token[:-4] + "AAAA") is None


async def test_get_confirms_and_post_unsubscribes(
    runtime: Runtime, superuser: psycopg.Connection
) -> None:
    user = _subscriber(superuser)
    url = urlsplit(unsubscribe_url("https://portal.test", runtime.keyring, user))
    path = f"{url.path}?{url.query}"
    transport = httpx.ASGITransport(app=create_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="https://portal.test") as client:
        page = await client.get(path)
        assert page.status_code == 200 and "<form" in page.text
        assert superuser.execute("SELECT unsubscribed_at FROM digest_subscriptions").fetchone() == (
            None,
        )
        done = await client.post(path, data={"List-Unsubscribe": "One-Click"})
        assert done.status_code == 200
        forged = await client.post("/unsubscribe/digest?token=forged")
        assert forged.status_code == 400
    row = superuser.execute("SELECT unsubscribed_at FROM digest_subscriptions").fetchone()
    assert row is not None and row[0] is not None
