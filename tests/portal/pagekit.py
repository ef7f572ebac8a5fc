"""Helpers for driving portal pages over HTTP: read the CSRF field, post forms."""

from __future__ import annotations

import re

import httpx
import pyotp

from tests.accounts.fixtures import Outbox
from tests.accounts.helpers import FakeClock

PASSWORD = "a long and unusual passphrase 42"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_SECRET = re.compile(r'id="totp-secret">([A-Z2-7]+)<')


def csrf_of(html: str) -> str:
    """The CSRF token embedded in the first form of a page."""
    found = _CSRF.search(html)
    assert found is not None, "no CSRF field on the page"
    return found.group(1)


async def post_form(
    http: httpx.AsyncClient, page: str, action: str, data: dict[str, str]
) -> httpx.Response:
    """GET ``page`` for its CSRF token, then POST ``data`` to ``action``."""
    shown = await http.get(page)
    assert shown.status_code == 200, shown.text
    return await http.post(action, data={**data, "csrf_token": csrf_of(shown.text)})


async def sign_up_verify(http: httpx.AsyncClient, outbox: Outbox, email: str) -> None:
    """Sign up through the pages and confirm the email from the outbox link."""
    response = await post_form(
        http,
        "/signup",
        "/signup",
        {"email": email, "password": PASSWORD, "name": "Pat Doe", "company": "Acme Dental"},
    )
    assert response.status_code == 200, response.text
    token = outbox.token(email, "verify_email")
    response = await post_form(http, f"/verify?token={token}", "/verify", {"token": token})
    assert response.status_code == 303, response.text


async def sign_in(http: httpx.AsyncClient, email: str, password: str = PASSWORD) -> str:
    """Sign in through the page; returns where the portal sent the browser."""
    response = await post_form(
        http, "/signin", "/signin", {"email": email, "password": password, "next": ""}
    )
    assert response.status_code == 303, response.text
    return response.headers["location"]


async def enrol(http: httpx.AsyncClient, clock: FakeClock) -> str:
    """Enrol TOTP through the pages; returns the secret."""
    page = await http.get("/mfa/enrol")
    started = await http.post("/mfa/enrol/start", data={"csrf_token": csrf_of(page.text)})
    assert started.status_code == 200, started.text
    found = _SECRET.search(started.text)
    assert found is not None
    secret = found.group(1)
    code = pyotp.TOTP(secret).at(clock.now())
    done = await http.post(
        "/mfa/enrol/confirm", data={"code": code, "csrf_token": csrf_of(started.text)}
    )
    assert done.status_code == 200, done.text
    return secret
