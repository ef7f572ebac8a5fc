"""Read a stored scan's findings as report rows, with their rule's metadata beside them.

Findings come from the detections store (``findings`` table, read under the actor's RLS);
severity, title and evidence are what the rule stored, remediation and control ids come from the
rule catalog. Accepted and resolved findings are left out of the report's findings and counted
separately: the report shows what is still open.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.detections.model import Family, RuleSpec, Severity
from failsafe.detections.store.listing import MAX_LIMIT, list_findings
from failsafe.detections.store.schemas import StoredFinding
from failsafe.inventory.model import Provider
from failsafe.reports.view import FindingChange, FindingView


@dataclass(frozen=True, slots=True)
class ScanFindings:
    open: list[FindingView]
    stored: list[StoredFinding]  # every stored finding, open or not (for the score)

    @property
    def closed(self) -> int:
        """Accepted or resolved findings (not listed in the report)."""
        return len(self.stored) - len(self.open)


async def stored_findings(session: AsyncSession, scan_id: uuid.UUID) -> list[StoredFinding]:
    """Every stored finding of ``scan_id`` visible to the actor, worst first."""
    found: list[StoredFinding] = []
    cursor: str | None = None
    while True:
        page = await list_findings(session, [scan_id], cursor=cursor, limit=MAX_LIMIT)
        found.extend(page.items)
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


def finding_view(
    stored: StoredFinding, spec: RuleSpec | None, provider: Provider, tenant: str
) -> FindingView:
    """One stored finding as a report row."""
    change: FindingChange = "unchanged" if stored.change == "unchanged" else "new"
    return FindingView(
        rule_id=stored.rule_id,
        title=stored.title,
        subject=stored.subject,
        severity=Severity(stored.severity),
        family=Family(stored.family),
        fingerprint=stored.fingerprint,
        tenant=tenant,
        description=spec.description if spec else "",
        remediation=spec.remediation.get(provider, "") if spec else "",
        controls=dict(spec.controls) if spec else {},
        evidence=stored.evidence,
        monthly_cost=stored.monthly_cost,
        change=change,
    )


async def load_findings(
    session: AsyncSession,
    scan_id: uuid.UUID,
    specs: Mapping[str, RuleSpec],
    provider: Provider,
    tenant: str,
) -> ScanFindings:
    """The scan's findings: open ones as report rows, and every stored one."""
    stored = await stored_findings(session, scan_id)
    rows = [
        finding_view(item, specs.get(item.rule_id), provider, tenant)
        for item in stored
        if item.status == "open"
    ]
    return ScanFindings(rows, stored)
