"""Read a stored scan's findings as report rows, with their rule's metadata beside them.

Findings come from the detections store (``findings`` table, read under the actor's RLS);
severity, title and evidence are what the rule stored, remediation and control ids come from the
rule catalog. Accepted and resolved findings are left out of the report's findings and counted
separately: the report shows what is still open.

:func:`appendix_groups` arranges the numbered findings for the report's appendix: one group per
rule (and severity), whose title, description and fix print once, then one compact row per
finding with a short evidence summary.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.detections.model import Family, RuleSpec, Severity
from failsafe.detections.store.listing import MAX_LIMIT, list_findings
from failsafe.detections.store.schemas import StoredFinding
from failsafe.inventory.model import Provider
from failsafe.reports import text
from failsafe.reports.derive import NumberedFinding
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
        rule_title=spec.title if spec else "",
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


@dataclass(frozen=True, slots=True)
class AppendixRow:
    """One finding in the appendix: reference, title, subject when the title lacks it, evidence."""

    ref: str
    title: str
    subject: str | None
    change: FindingChange
    evidence: str  # plain text (text.evidence_summary); escaped by the template


@dataclass(frozen=True, slots=True)
class AppendixGroup:
    """One rule's findings of one severity, in report order (their references are contiguous)."""

    rule_id: str
    title: str  # the rule's title; a lone finding's own title when the view has none
    severity: Severity
    family: Family
    description: str
    remediations: tuple[str, ...]  # one per provider that has its own text
    rows: tuple[AppendixRow, ...]

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def refs(self) -> str:
        """``F-0001`` or ``F-0001 to F-0040``."""
        first, last = self.rows[0].ref, self.rows[-1].ref
        return first if first == last else f"{first} to {last}"


def appendix_row(item: NumberedFinding, *, money: str | None, tenant: bool) -> AppendixRow:
    """``item`` as an appendix row; ``money`` is its formatted monthly cost, if it has one."""
    finding = item.finding
    subject = finding.subject if finding.subject not in finding.title else None
    lead = []
    if tenant and finding.tenant:
        lead.append(f"Tenant: {text.isolate(text.clip(text.plain(finding.tenant), 60))}")
    if money is not None:
        lead.append(f"Monthly cost: {money}")
    evidence = text.evidence_summary(finding.evidence, lead=lead, skip=finding.subject)
    return AppendixRow(item.ref, finding.title, subject, finding.change, evidence)


def appendix_groups(
    numbered: Sequence[NumberedFinding], currency: str = "USD"
) -> list[AppendixGroup]:
    """The appendix: consecutive findings of the same rule and severity form one group.

    ``numbered`` is in report order (severity, family, rule, subject), so each group's findings
    are contiguous and the groups come most severe first. A rule whose findings carry different
    severities forms one group per severity.
    """
    tenants = {item.finding.tenant for item in numbered}
    runs: list[list[NumberedFinding]] = []
    for item in numbered:
        last = runs[-1][0].finding if runs else None
        if (
            last is not None
            and last.rule_id == item.finding.rule_id
            and last.severity is item.finding.severity
        ):
            runs[-1].append(item)
        else:
            runs.append([item])
    groups = []
    for run in runs:
        first = run[0].finding
        remediations = tuple(
            dict.fromkeys(i.finding.remediation for i in run if i.finding.remediation)
        )
        rows = tuple(
            appendix_row(
                item,
                money=None
                if item.finding.monthly_cost is None
                else text.money(item.finding.monthly_cost, currency),
                tenant=len(tenants) > 1,
            )
            for item in run
        )
        groups.append(
            AppendixGroup(
                rule_id=first.rule_id,
                title=first.rule_title or (first.title if len(run) == 1 else ""),
                severity=first.severity,
                family=first.family,
                description=first.description,
                remediations=remediations,
                rows=rows,
            )
        )
    return groups
