"""The session cookie: ``__Host-`` prefixed, Secure, HttpOnly, SameSite=Strict, path ``/``."""

from __future__ import annotations

from datetime import datetime

from fastapi import Response

from failsafe.accounts.sessions import COOKIE_NAME, NewSession


def set_session_cookie(response: Response, new: NewSession, now: datetime) -> None:
    """Hand the browser its session token (the only place the raw token ever goes)."""
    response.set_cookie(
        COOKIE_NAME,
        new.token,
        max_age=max(0, int((new.expires_at - now).total_seconds())),
        path="/",
        secure=True,
        httponly=True,
        samesite="strict",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE_NAME, path="/", secure=True, httponly=True, samesite="strict")
