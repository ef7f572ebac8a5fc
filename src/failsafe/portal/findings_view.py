"""What the findings pages show: list filters read from the query string, and the detail page.

The detail is rendered from here by both the GET route and the review forms (which re-render
it with the refusal and what was typed, so nothing is lost when a field is missing).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast
from urllib.parse import urlencode

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.charts.palette import FAMILY_LABELS
from failsafe.detections.metadata import load_rule_specs
from failsafe.detections.model import Family, RuleSpec, Severity
from failsafe.detections.store.reviews import MAX_ACCEPT
from failsafe.detections.store.schemas import FindingFilters, FindingStatus
from failsafe.engagements.models import Engagement
from failsafe.errors import NotFound, ValidationFailed
from failsafe.portal import findings_query as q
from failsafe.portal.posture_query import current_scans
from failsafe.portal.templating import render
from failsafe.reports.text import evidence_value

STATUSES = ("open", "accepted", "resolved")
PROVIDERS = {"microsoft": "Microsoft 365", "google": "Google Workspace"}
# Evidence keys the detail page shows in their own sections rather than in the facts list.
_SHOWN = frozenset({"users", "user", "user_count", "apps", "app_name", "app_id"})
NOTICES = {
    "accepted": "Risk accepted. It does not count against the score until the expiry date.",
    "resolved": "Marked as resolved. The next scan confirms it, or opens it again.",
    "reopened": "Reopened. It counts against the score again.",
}


@dataclass(frozen=True, slots=True)
class ListQuery:
    """The list's filters as the user chose them (empty string: any)."""

    family: str = ""
    severity: str = ""
    status: str = ""
    provider: str = ""
    control: str = ""

    @classmethod
    def of(cls, params: Mapping[str, str]) -> ListQuery:
        """Read and check the filters; an unknown value is refused, not silently widened."""
        chosen = cls(**{f.name: params.get(f.name, "").strip() for f in fields(cls)})
        allowed = {
            "family": {f.value for f in Family},
            "severity": {s.value for s in Severity},
            "status": set(STATUSES),
            "provider": set(PROVIDERS),
        }
        for name, values in allowed.items():
            value = getattr(chosen, name)
            if value and value not in values:
                raise ValidationFailed(f"unknown {name}")
        if len(chosen.control) > 100:
            raise ValidationFailed("unknown control")
        return chosen

    def filters(self) -> FindingFilters:
        return FindingFilters(
            family=self.family or None,
            severity=self.severity or None,
            status=cast("FindingStatus | None", self.status or None),  # checked in of()
            provider=self.provider or None,
            control=self.control or None,
        )

    def link(self, **extra: str) -> str:
        """The query string of this filter set (plus ``extra``), for pager links."""
        chosen = {f.name: getattr(self, f.name) for f in fields(self)}
        return urlencode({k: v for k, v in {**chosen, **extra}.items() if v})


def expiry_bounds(now: datetime) -> tuple[date, date]:
    """The first and last day an acceptance may run to (the store allows up to a year)."""
    return now.date(), (now + MAX_ACCEPT).date() - timedelta(days=1)


def expiry_of(value: str) -> datetime:
    """An acceptance "until" a date runs to the end of that day (UTC)."""
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed("give the expiry as a date") from exc
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def _affected(
    evidence: Mapping[str, Any], key: str, single: str, count_key: str = ""
) -> tuple[list[str], int]:
    """A sample of affected users or apps and how many there are in all."""
    listed = evidence.get(key)
    items = [str(v) for v in listed] if isinstance(listed, list) else []
    if not items and evidence.get(single):
        items = [str(evidence[single])]
    count = evidence.get(count_key)
    # Rules store a capped sample and the full count beside it.
    total = count if isinstance(count, int) and count >= len(items) else len(items)
    return items, total


def _remediation(spec: RuleSpec | None, provider: str) -> str:
    if spec is None:
        return ""
    return next((steps for p, steps in spec.remediation.items() if p == provider), "")


async def render_detail(
    request: Request,
    session: AsyncSession,
    engagement: Engagement,
    fingerprint: str,
    *,
    now: datetime,
    error: str | None = None,
    typed: Mapping[str, str] | None = None,
    status: int = 200,
) -> Response:
    """The finding's page: evidence, what to do, controls, history and the review forms."""
    found = await q.finding(session, engagement.id, fingerprint)
    if found is None:
        raise NotFound("finding not found")
    finding = found.finding
    spec = load_rule_specs().get(finding.rule_id)
    current = {scan.id for scan in await current_scans(session, engagement.id)}
    users = _affected(finding.evidence, "users", "user", "user_count")
    apps = _affected(finding.evidence, "apps", "app_name")
    facts = {
        key: evidence_value(value)
        for key, value in sorted(finding.evidence.items())
        if key not in _SHOWN and value not in (None, "", [], {})
    }
    earliest, latest = expiry_bounds(now)
    return render(
        request,
        "engagement/finding.html",
        status=status,
        engagement=engagement,
        tab="findings",
        f=finding,
        spec=spec,
        tenant=found.tenant,
        scanned_at=found.scanned_at,
        in_latest=finding.scan_id in current,
        family=FAMILY_LABELS.get(Family(finding.family), finding.family),
        provider=PROVIDERS.get(finding.provider, finding.provider),
        remediation=_remediation(spec, finding.provider),
        controls=q.controls_of(spec),
        users=users,
        apps=apps,
        facts=facts,
        reviews=await q.reviews(session, engagement.id, fingerprint),
        notice=NOTICES.get(request.query_params.get("done", "")),
        error=error,
        typed=typed or {},
        earliest=earliest.isoformat(),
        latest=latest.isoformat(),
    )


def detail_path(engagement_id: uuid.UUID, fingerprint: str, done: str | None = None) -> str:
    """The finding's page, with the notice of a decision just taken."""
    path = f"/engagements/{engagement_id}/findings/{fingerprint}"
    return f"{path}?done={done}" if done else path
