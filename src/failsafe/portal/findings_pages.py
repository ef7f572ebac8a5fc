"""Findings: the list of the engagement's current scans with filters and cursor paging, and
one finding's page (evidence, what to do, controls in the four frameworks, its history).

The current scans are the newest complete scan of each tenant, the ones the overview scores
and the inventory pages read. The list itself is the findings store's
(:func:`~failsafe.detections.store.listing.list_findings`, worst first, keyset-paginated), the
same the JSON API serves. Accept, resolve and reopen are in :mod:`failsafe.portal.finding_reviews`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request, Response

from failsafe.charts.palette import FAMILY_LABELS
from failsafe.detections.metadata import load_rule_specs
from failsafe.detections.model import Family, Severity
from failsafe.detections.store import service
from failsafe.portal import finding_reviews
from failsafe.portal import findings_query as q
from failsafe.portal.findings_view import PROVIDERS, STATUSES, ListQuery, render_detail
from failsafe.portal.pages import page_router
from failsafe.portal.posture_query import current_scans
from failsafe.portal.templating import render
from failsafe.web.context import clock_of
from failsafe.web.deps import DbSession, VisibleEngagement

router = page_router()
PREFIX = "/engagements/{engagement_id}/findings"
PAGE_SIZE = 50
Fingerprint = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]


@router.get(PREFIX)
async def findings(request: Request, engagement: VisibleEngagement, session: DbSession) -> Response:
    """One page of findings, worst first, narrowed by the filters in the query string."""
    chosen = ListQuery.of(request.query_params)
    cursor = request.query_params.get("cursor") or None
    scans = await current_scans(session, engagement.id)
    scan_ids = [scan.id for scan in scans]
    page = await service.list_findings(
        session, scan_ids, chosen.filters(), cursor=cursor, limit=PAGE_SIZE
    )
    return render(
        request,
        "engagement/findings.html",
        engagement=engagement,
        tab="findings",
        scanned=bool(scans),
        chosen=chosen,
        items=page.items,
        first_page=cursor is None,
        next_link=chosen.link(cursor=page.next_cursor) if page.next_cursor else None,
        first_link=chosen.link(),
        tenants=await q.tenants(session, scan_ids) if len(scan_ids) > 1 else {},
        families=[(f.value, FAMILY_LABELS[f]) for f in Family],
        severities=[(s.value, s.value.capitalize()) for s in Severity],
        statuses=[(s, s.capitalize()) for s in STATUSES],
        providers=PROVIDERS,
        controls=q.control_options(load_rule_specs()),
        family_labels={f.value: FAMILY_LABELS[f] for f in Family},
    )


@router.get(PREFIX + "/{fingerprint}")
async def finding(
    request: Request, engagement: VisibleEngagement, session: DbSession, fingerprint: Fingerprint
) -> Response:
    """One finding, with the accept, resolve or reopen form its status allows."""
    return await render_detail(
        request, session, engagement, fingerprint, now=clock_of(request).now()
    )


router.include_router(finding_reviews.router)
