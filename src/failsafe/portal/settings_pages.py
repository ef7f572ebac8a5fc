"""Engagement settings from the portal: sanction a vendor from the apps pages, set or clear a
negotiated licence price from the licences page, and the Settings tab that lists both.

Each change is a read-modify-write of the engagement's one settings row through
:mod:`failsafe.engagements.settings`, which validates, writes under RLS and records the audit
row. A refusal re-renders the page with the message and status 422 (nothing is saved); a change
sends the browser back with a notice (post/redirect/get). The CSRF token and the engagement
(404 for what the actor may not see) are checked by the shared dependencies first.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Annotated, Literal
from urllib.parse import urlsplit

from fastapi import Form, Request, Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.db.actor import Actor
from failsafe.engagements.models import Engagement
from failsafe.engagements.settings import (
    EngagementSettings,
    get_settings,
    save_settings,
    validated,
)
from failsafe.errors import ValidationFailed
from failsafe.portal import settings_view as sv
from failsafe.portal.forms import safe_next, see_other
from failsafe.portal.inventory_pages import render_licences
from failsafe.portal.pages import page_router
from failsafe.portal.templating import render
from failsafe.web.context import client_ip
from failsafe.web.deps import CurrentActor, DbSession, VisibleEngagement

router = page_router(prefix="/engagements/{engagement_id}")
Entry = Annotated[str, Form(max_length=300)]
Entries = Annotated[list[str] | None, Form()]
Back = Annotated[str, Form(max_length=2000)]
MAX_REMOVED = 50  # a row is covered by a handful of aliases, never by hundreds

# Two people sanctioning different vendors at the same moment must not undo each other: the
# read-modify-write holds a per-engagement lock until the request's transaction ends.
_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")


async def _current(session: AsyncSession, engagement_id: uuid.UUID) -> EngagementSettings:
    await session.execute(_LOCK, {"key": f"engagement_settings:{engagement_id}"})
    return await get_settings(session, engagement_id)


async def _save(
    request: Request,
    session: AsyncSession,
    actor: Actor,
    engagement_id: uuid.UUID,
    current: EngagementSettings,
    changed: EngagementSettings,
) -> None:
    """Save and audit, unless nothing changes (a double click is not a second decision)."""
    if changed == current:
        return
    await save_settings(session, actor, engagement_id, changed, ip=client_ip(request))


def _back(engagement: Engagement, back: str, done: str) -> Response:
    """Back to the engagement page the form was on (never elsewhere), with the notice."""
    default = f"/engagements/{engagement.id}/settings"
    path = urlsplit(safe_next(back, default)).path
    if not path.startswith(f"/engagements/{engagement.id}/"):
        path = default
    return see_other(f"{path}?done={done}")


async def render_settings(
    request: Request,
    session: AsyncSession,
    engagement: Engagement,
    *,
    error: str | None = None,
    typed: Mapping[str, str] | None = None,
    status: int = 200,
) -> Response:
    """The Settings tab: sanctioned vendors and apps, negotiated prices, and an add form."""
    current = await get_settings(session, engagement.id)
    return render(
        request,
        "engagement/settings.html",
        status=status,
        engagement=engagement,
        tab="settings",
        sanctioned=[(entry, sv.entry_label(entry)) for entry in current.sanctioned],
        prices=[
            (key, sv.sku_price(key, None, current.sku_prices)) for key in sorted(current.sku_prices)
        ],
        notice=sv.NOTICES.get(request.query_params.get("done", "")),
        error=error,
        typed=typed or {},
    )


@router.get("/settings")
async def settings_page(
    request: Request, engagement: VisibleEngagement, session: DbSession
) -> Response:
    """What the engagement has sanctioned and the prices it negotiated."""
    return await render_settings(request, session, engagement)


@router.post("/settings/sanctioned")
async def sanction(
    request: Request,
    engagement: VisibleEngagement,
    actor: CurrentActor,
    session: DbSession,
    entry: Entry = "",
    back: Back = "",
) -> Response:
    """Add a vendor id, domain or app id to the sanctioned list."""
    current = await _current(session, engagement.id)
    try:
        if not entry.strip():
            raise ValidationFailed("Enter a vendor id, a domain or an app id to sanction.")
        changed = validated(sv.with_entry(current, entry), current.sku_prices)
    except ValidationFailed as exc:
        return await render_settings(
            request,
            session,
            engagement,
            error=_sentence(exc.detail),
            typed={"entry": entry},
            status=exc.status,
        )
    await _save(request, session, actor, engagement.id, current, changed)
    return _back(engagement, back, "sanctioned")


@router.post("/settings/sanctioned/remove")
async def unsanction(
    request: Request,
    engagement: VisibleEngagement,
    actor: CurrentActor,
    session: DbSession,
    entry: Entries = None,
    back: Back = "",
) -> Response:
    """Take entries off the sanctioned list (a row sends every alias that covers it)."""
    if len(entry or ()) > MAX_REMOVED:
        raise ValidationFailed(f"at most {MAX_REMOVED} entries can be removed at once")
    current = await _current(session, engagement.id)
    kept = sv.without_entries(current, entry or ())
    changed = validated(kept, current.sku_prices)
    await _save(request, session, actor, engagement.id, current, changed)
    return _back(engagement, back, "unsanctioned")


@router.post("/licences/prices")
async def set_price(
    request: Request,
    engagement: VisibleEngagement,
    actor: CurrentActor,
    session: DbSession,
    sku: Annotated[str, Form(max_length=200)] = "",
    name: Annotated[str, Form(max_length=300)] = "",
    price: Annotated[str, Form(max_length=40)] = "",
    action: Annotated[Literal["save", "clear"], Form()] = "save",
    back: Back = "",
) -> Response:
    """Set the negotiated price per user-month of one SKU, or clear it (list price again)."""
    current = await _current(session, engagement.id)
    label = sv.sku_price(sku, name or None, current.sku_prices).label
    try:
        if not sku:
            raise ValidationFailed("Choose the licence whose price to change.")
        value = None if action == "clear" else sv.parse_price(price, label)
        prices = sv.with_price(current, sku, name or None, value)
        changed = validated(current.sanctioned, prices)
    except ValidationFailed as exc:
        typed = {"sku": sku, "price": price, "error": _sentence(exc.detail)}
        if urlsplit(back).path.endswith("/settings"):
            return await render_settings(
                request, session, engagement, error=typed["error"], status=exc.status
            )
        return await render_licences(request, session, engagement, typed=typed, status=exc.status)
    await _save(request, session, actor, engagement.id, current, changed)
    done = "price-cleared" if value is None else "price-set"
    return _back(engagement, back or f"/engagements/{engagement.id}/licences", done)


def _sentence(detail: str) -> str:
    """The service's short messages ("price of x must be ...") as a sentence for the page."""
    return detail[:1].upper() + detail[1:] + ("" if detail.endswith(".") else ".")
