"""Discovered apps (shadow IT), identities and licences, read from the latest inventory.

These pages show what the scans collected. Judgements come from the same scans' open findings
(:mod:`failsafe.portal.findings_query`): an app's risk is its worst open finding, linked to
it, and a licence's waste is what its open licence findings cost a month at the prices that
scan used. Each app row carries the form that sanctions its vendor, each licence the form that
sets its negotiated price (:mod:`failsafe.portal.settings_pages` handles both).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.engagements.models import Engagement
from failsafe.engagements.settings import get_settings
from failsafe.errors import NotFound
from failsafe.portal import findings_query as fq
from failsafe.portal import inventory_query as q
from failsafe.portal import settings_view as sv
from failsafe.portal.pages import page_router
from failsafe.portal.posture_query import current_scans
from failsafe.portal.templating import render
from failsafe.web.deps import DbSession, VisibleEngagement

router = page_router(prefix="/engagements/{engagement_id}")


async def _sanctions(
    session: AsyncSession, engagement_id: uuid.UUID, found: list[Any]
) -> dict[str, sv.RowSanction]:
    """The sanction control of each listed app row, by row key."""
    facts = await q.app_facts(session, engagement_id, [app.key for app in found])
    sanctioned = (await get_settings(session, engagement_id)).sanctioned
    return {app.key: sv.row_sanction(app, facts.get(app.key), sanctioned) for app in found}


@router.get("/apps")
async def apps(request: Request, engagement: VisibleEngagement, session: DbSession) -> Response:
    """Every app found by grant, sign-in or email, most users first, with its risk."""
    found = await q.apps(session, engagement.id)
    scans = [scan.id for scan in await current_scans(session, engagement.id)]
    risks = await fq.app_risks(session, scans, [app.key for app in found])
    return render(
        request,
        "engagement/apps.html",
        engagement=engagement,
        tab="apps",
        scanned=await q.has_inventory(session, engagement.id),
        apps=found,
        risks={app.key: fq.risk_of(app.key, risks) for app in found},
        sanctions=await _sanctions(session, engagement.id, found),
        notice=sv.NOTICES.get(request.query_params.get("done", "")),
    )


@router.get("/apps/{key:path}")
async def app_detail(
    request: Request, engagement: VisibleEngagement, session: DbSession, key: str
) -> Response:
    """One app: how it was found, its scopes and who uses it."""
    found = await q.apps(session, engagement.id, key=key, limit=1)
    if not found:
        raise NotFound("app not found")
    return render(
        request,
        "engagement/app.html",
        engagement=engagement,
        tab="apps",
        app=found[0],
        sanction=(await _sanctions(session, engagement.id, found))[found[0].key],
        users=await q.app_users(session, engagement.id, key),
        notice=sv.NOTICES.get(request.query_params.get("done", "")),
    )


@router.get("/identities")
async def identities(
    request: Request, engagement: VisibleEngagement, session: DbSession
) -> Response:
    """Admins, MFA coverage, stale and guest accounts."""
    summary = await q.identity_summary(session, engagement.id)
    members = int(summary.members or 0)
    coverage = round(100 * int(summary.mfa_on or 0) / members) if members else None
    return render(
        request,
        "engagement/identities.html",
        engagement=engagement,
        tab="identities",
        scanned=await q.has_inventory(session, engagement.id),
        summary=summary,
        coverage=coverage,
        people=await q.risky_identities(session, engagement.id),
        stale_days=q.STALE_DAYS,
    )


@router.get("/licences")
async def licences(request: Request, engagement: VisibleEngagement, session: DbSession) -> Response:
    """Seats bought, assigned and active per SKU, the price used, and what idle seats cost."""
    return await render_licences(request, session, engagement)


async def render_licences(
    request: Request,
    session: AsyncSession,
    engagement: Engagement,
    *,
    typed: Mapping[str, str] | None = None,
    status: int = 200,
) -> Response:
    """The licences page; ``typed`` keeps a refused price (``sku``, ``price``, ``error``)."""
    scans = [scan.id for scan in await current_scans(session, engagement.id)]
    skus = await q.licences(session, engagement.id)
    return render(
        request,
        "engagement/licences.html",
        status=status,
        engagement=engagement,
        tab="licences",
        scanned=await q.has_inventory(session, engagement.id),
        skus=skus,
        prices=sv.priced_skus(skus, await get_settings(session, engagement.id)),
        waste=await fq.waste_by_sku(session, scans),
        active_days=q.ACTIVE_DAYS,
        notice=sv.NOTICES.get(request.query_params.get("done", "")),
        typed=typed or {},
    )
