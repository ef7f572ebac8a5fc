"""The portal's Jinja2 environment (autoescape on) and the one render helper.

Every page gets ``actor``, ``csrf`` and ``nav`` from :func:`page_context`; templates never read
the request directly. Charts come from :mod:`failsafe.charts` as ``Markup`` (already escaped).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from failsafe.accounts.principal import Principal


def _when(value: datetime | None) -> str:
    """A timestamp as ``2026-12-04 04:48 UTC`` (or an em dash when absent)."""
    if value is None:
        return "\u2014"
    return value.strftime("%Y-%m-%d %H:%M UTC")


def _day(value: datetime | None) -> str:
    """A date as ``2026-12-04`` (tables with many dates stay narrow on a phone)."""
    return value.strftime("%Y-%m-%d") if value is not None else "\u2014"


def _scope(value: str) -> str:
    """A Google scope without its long common prefix (Graph scopes are short already)."""
    return value.removeprefix("https://www.googleapis.com/auth/")


def _money(value: float | None) -> str:
    if value is None:
        return "\u2014"
    return f"${value:,.0f}"


def _price(value: float | None) -> str:
    """A price per user-month keeps its cents (``$12.50``); totals are rounded by ``money``."""
    if value is None:
        return "\u2014"
    return f"${value:,.2f}"


ENV = Environment(
    loader=PackageLoader("failsafe.portal", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.filters["when"] = _when
ENV.filters["money"] = _money
ENV.filters["price"] = _price
ENV.filters["day"] = _day
ENV.filters["scope"] = _scope


def page_context(request: Request) -> dict[str, Any]:
    """What the layout needs: who is signed in (if anyone) and the CSRF token for forms."""
    principal: Principal | None = getattr(request.state, "principal", None)
    signed_in = principal is not None and principal.fully_authenticated
    # A route that rotated the session sets csrf_override: the old token is dead already.
    csrf = getattr(request.state, "csrf_override", None) or (
        principal.csrf_token if principal is not None else None
    )
    return {
        "principal": principal if signed_in else None,
        "role": principal.actor.role.value if signed_in and principal else None,
        "csrf": csrf or getattr(request.state, "anon_csrf", ""),
        "path": request.url.path,
    }


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` with the page context; never cached (pages hold tenant data)."""
    html = ENV.get_template(template).render(**page_context(request), **context)
    response = HTMLResponse(html, status_code=status)
    response.headers["cache-control"] = "no-store"
    return response
