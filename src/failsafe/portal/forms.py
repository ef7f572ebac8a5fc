"""Small helpers shared by the form routes: safe redirects and re-rendering with a message."""

from __future__ import annotations

from fastapi.responses import RedirectResponse


def safe_next(target: str | None, default: str = "/home") -> str:
    """Only same-site paths: an open redirect would let a phishing link bounce off FailSafe."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def see_other(path: str) -> RedirectResponse:
    """Post/redirect/get: the browser re-requests with GET, so a reload never re-posts."""
    return RedirectResponse(path, status_code=303)
