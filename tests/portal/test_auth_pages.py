"""The sign-up, verification, sign-in, MFA and reset pages over HTTP."""

from __future__ import annotations

import httpx
import psycopg

from tests.accounts.fixtures import Outbox
from tests.accounts.helpers import FakeClock
from tests.portal.pagekit import PASSWORD, csrf_of, enrol, post_form, sign_in, sign_up_verify


async def test_sign_up_verify_sign_in_reaches_home(
    client: httpx.AsyncClient, outbox: Outbox
) -> None:
    await sign_up_verify(client, outbox, "pat@acme.test")
    assert await sign_in(client, "pat@acme.test") == "/home"
    home = await client.get("/home")
    assert home.status_code == 200
    assert "Acme Dental assessment" in home.text


async def test_unverified_email_cannot_sign_in(client: httpx.AsyncClient) -> None:
    await post_form(
        client,
        "/signup",
        "/signup",
        {"email": "new@acme.test", "password": PASSWORD, "name": "N", "company": "Acme"},
    )
    response = await post_form(
        client, "/signin", "/signin", {"email": "new@acme.test", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert "confirm your email" in response.text


async def test_forms_without_csrf_are_refused(client: httpx.AsyncClient) -> None:
    await client.get("/signin")
    response = await client.post("/signin", data={"email": "a@b.test", "password": "x"})
    assert response.status_code == 403


async def test_pages_redirect_to_sign_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/account")
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=/account"


async def test_mfa_enrolment_then_challenge(
    client: httpx.AsyncClient,
    new_client,
    outbox: Outbox,
    clock: FakeClock,  # type: ignore[no-untyped-def]
) -> None:
    await sign_up_verify(client, outbox, "mfa@acme.test")
    await sign_in(client, "mfa@acme.test")
    secret = await enrol(client, clock)
    account = await client.get("/account")
    assert "On (authenticator app)" in account.text

    other: httpx.AsyncClient = new_client()
    assert (await sign_in(other, "mfa@acme.test")).startswith("/mfa")
    assert (await other.get("/home")).headers["location"] == "/mfa"
    clock.advance(seconds=31)
    import pyotp

    page = await other.get("/mfa")
    done = await other.post(
        "/mfa", data={"code": pyotp.TOTP(secret).at(clock.now()), "csrf_token": csrf_of(page.text)}
    )
    assert done.status_code == 303
    assert (await other.get("/home")).status_code == 200


async def test_reset_request_answers_the_same(client: httpx.AsyncClient) -> None:
    response = await post_form(client, "/reset", "/reset/request", {"email": "nobody@x.test"})
    assert response.status_code == 200
    assert "If that address has an active account" in response.text


async def test_digest_opt_in_and_out_from_the_account_page(
    client: httpx.AsyncClient, outbox: Outbox, superuser: psycopg.Connection
) -> None:
    await sign_up_verify(client, outbox, "digest.reader@example.test")
    await sign_in(client, "digest.reader@example.test")
    state = (
        "SELECT s.unsubscribed_at IS NULL FROM digest_subscriptions s"
        " JOIN users u ON u.id = s.user_id WHERE u.email = 'digest.reader@example.test'"
    )
    assert superuser.execute(state).fetchone() is None

    opted_in = await post_form(client, "/account", "/account/digest", {"subscribed": "yes"})
    assert opted_in.status_code == 303
    assert superuser.execute(state).fetchone() == (True,)
    assert 'value="yes" checked' in (await client.get("/account")).text

    opted_out = await post_form(client, "/account", "/account/digest", {"subscribed": "no"})
    assert opted_out.status_code == 303
    assert superuser.execute(state).fetchone() == (False,)
    assert 'value="no" checked' in (await client.get("/account")).text
