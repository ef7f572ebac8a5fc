"""CSRF for the forms shown before anyone is signed in (sign-up, sign-in, reset).

A signed-in form uses the session's token (``failsafe.web.deps``). Before a session exists
there is nothing to bind to, so these forms use a double-submit cookie: a random value in a
``__Host-`` cookie (SameSite=Strict, HttpOnly) that the form must echo. A cross-site page can
neither read the cookie nor make the browser send it.
"""

from __future__ import annotations

import secrets

from fastapi import Request, Response

from failsafe.accounts.crypto import same
from failsafe.accounts.errors import CsrfRejected

COOKIE = "__Host-fs_pre"


def issue(request: Request) -> str:
    """The token for this browser (reused while the cookie lives); remembered on the request."""
    token = request.cookies.get(COOKIE) or secrets.token_urlsafe(32)
    request.state.anon_csrf = token
    return token


def attach(request: Request, response: Response) -> Response:
    """Set the cookie on a response that renders a pre-sign-in form."""
    token = getattr(request.state, "anon_csrf", None)
    if token:
        response.set_cookie(
            COOKIE, token, max_age=3600, path="/", secure=True, httponly=True, samesite="strict"
        )
    return response


def check(request: Request, sent: str) -> None:
    """Refuse the form unless its token matches the cookie."""
    expected = request.cookies.get(COOKIE)
    if not expected or not sent or not same(sent, expected):
        raise CsrfRejected("the form expired; reload the page and try again")
    request.state.anon_csrf = expected
