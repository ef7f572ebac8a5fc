"""Stored scan summaries: equal to recomputing from the stored findings, written with the
findings or not at all, kept current by reviews, filled lazily, and isolated per tenant."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.db.actor import Role, SystemActor, UserActor
from failsafe.detections.metadata import load_rule_specs
from failsafe.detections.model import Finding, Severity, fingerprint
from failsafe.detections.scores import PostureScore
from failsafe.detections.store.persist import persist_findings
from failsafe.detections.store.reviews import accept_finding, reopen_finding, resolve_finding
from failsafe.inventory.model import (
    Inventory,
    Provider,
    Section,
    SectionResult,
    SectionStatus,
    TenantInfo,
)
from failsafe.portal.posture_query import postures
from failsafe.reports import posture
from failsafe.runtime import Runtime
from failsafe.scans.persistence import persist_inventory
from failsafe.scans.runner import ScanHooks, execute_scan
from failsafe.scans.summaries import compute_summaries, load_summaries
from tests.connectors.conftest import SleepRecorder
from tests.connectors.fake_graph import FakeGraph
from tests.db.catalog import engagement_scoped_tables
from tests.portal.findings_seed import add_scan, fixed_inventory, small_inventory
from tests.scans.test_scan_pipeline import Crash, _queued_scan
from tests.world import World, as_system

SPECS = load_rule_specs()
RULES: dict[Provider, list[str]] = {
    provider: sorted(s.id for s in SPECS.values() if provider in s.providers)
    for provider in ("microsoft", "google")
}
BASE = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
STATUSES = ("open", "open", "accepted", "resolved")  # open findings dominate, as in real scans


@dataclass(frozen=True)
class FindingCase:
    rule_id: str
    subject: int  # a small range, so later scans of a tenant find the same subjects again
    severity: Severity
    cost: Decimal | None
    status: str


@dataclass(frozen=True)
class ScanCase:
    sections: frozenset[Section] | None  # None: the scan has no stored inventory
    findings: tuple[FindingCase, ...]


@dataclass(frozen=True)
class TenantCase:
    provider: Provider
    scans: tuple[ScanCase, ...]


@st.composite
def tenants(draw: st.DrawFn) -> tuple[TenantCase, ...]:
    """One or two tenants, each with one to three scans of random findings and sections."""
    result = []
    for _ in range(draw(st.integers(1, 2))):
        provider: Provider = draw(st.sampled_from(["microsoft", "google"]))
        finding = st.builds(
            FindingCase,
            rule_id=st.sampled_from(RULES[provider]),
            subject=st.integers(0, 5),
            severity=st.sampled_from(list(Severity)),
            cost=st.none() | st.decimals(0, 500, places=2),
            status=st.sampled_from(STATUSES),
        )
        sections = st.none() | st.frozensets(st.sampled_from(list(Section)))
        # Mostly a full inventory, so most examples have scores to compare.
        sections = st.just(frozenset(Section)) | sections
        scan = st.builds(ScanCase, sections, st.lists(finding, max_size=12).map(tuple))
        result.append(TenantCase(provider, tuple(draw(st.lists(scan, min_size=1, max_size=3)))))
    return tuple(result)


def _new_engagement(owner: psycopg.Connection) -> uuid.UUID:
    with owner.transaction():
        as_system(owner)
        row = owner.execute(
            "WITH a AS (INSERT INTO accounts (kind, name) VALUES ('customer', 'Prop')"
            " RETURNING id) INSERT INTO engagements (customer_account_id, name)"
            " SELECT id, 'Prop' FROM a RETURNING id"
        ).fetchone()
    assert row is not None
    return uuid.UUID(str(row[0]))


@dataclass
class Stored:
    scans: list[tuple[uuid.UUID, uuid.UUID, datetime]]  # (scan, connection, finished), in order
    reviews: dict[str, str]  # fingerprint -> the status the last review gave it


async def _store(runtime: Runtime, engagement: uuid.UUID, case: Sequence[TenantCase]) -> Stored:
    """Write the case through the scan pipeline's persistence, then review through the service."""
    actor = SystemActor("test.seed", engagement)
    stored = Stored([], {})
    order = [(k, i) for i, tenant in enumerate(case) for k in range(len(tenant.scans))]
    connections = [uuid.uuid4() for _ in case]
    async with runtime.database.transaction(actor) as session:
        for i, tenant in enumerate(case):
            await session.execute(
                text(
                    "INSERT INTO connections (id, engagement_id, provider, tenant_ref, status)"
                    " VALUES (:id, :e, :p, :t, 'active')"
                ),
                {"id": connections[i], "e": engagement, "p": tenant.provider, "t": f"t-{i}"},
            )
    for step, (k, i) in enumerate(sorted(order)):
        tenant, scan = case[i], case[i].scans[k]
        scan_id, finished = uuid.uuid4(), BASE + timedelta(days=step)
        async with runtime.database.transaction(actor) as session:
            await session.execute(
                text(
                    "INSERT INTO scans (id, engagement_id, connection_id, status, queued_at,"
                    " started_at, finished_at) VALUES (:id, :e, :c, 'succeeded', :f, :f, :f)"
                ),
                {"id": scan_id, "e": engagement, "c": connections[i], "f": finished},
            )
            if scan.sections is not None:
                await persist_inventory(session, scan_id, engagement, _inventory(tenant, scan))
            await persist_findings(
                session, scan_id, [_finding(tenant, i, f) for f in scan.findings], now=finished
            )
        stored.scans.append((scan_id, connections[i], finished))
        for f in scan.findings:
            stored.reviews[fingerprint(f.rule_id, f"t-{i}", f"s{f.subject}")] = f.status
    async with runtime.database.transaction(actor) as session:
        for fp, status in stored.reviews.items():
            if status == "accepted":
                await accept_finding(
                    session, actor, engagement, fp, reason="test", expires_at=BASE + timedelta(90),
                    now=BASE,
                )  # fmt: skip
            elif status == "resolved":
                await resolve_finding(session, actor, engagement, fp)
    return stored


def _inventory(tenant: TenantCase, scan: ScanCase) -> Inventory:
    assert scan.sections is not None
    sections = {
        s: SectionResult(
            s,
            SectionStatus.COLLECTED if s in scan.sections else SectionStatus.NOT_ASSESSED,
            0,
            None if s in scan.sections else "not granted",
        )
        for s in Section
    }
    return Inventory(TenantInfo(tenant.provider, "t", "Tenant", ()), BASE, sections)


def _finding(tenant: TenantCase, index: int, case: FindingCase) -> Finding:
    spec = SPECS[case.rule_id]
    return Finding(
        case.rule_id,
        f"s{case.subject}",
        "A finding",
        case.severity,
        spec.family,
        fingerprint(case.rule_id, f"t-{index}", f"s{case.subject}"),
        monthly_cost=float(case.cost) if case.cost is not None else None,
    )


Snapshot = tuple[PostureScore | None, dict[Severity, int], float]


@dataclass(frozen=True)
class Recomputed:
    score: PostureScore | None
    trend: list[tuple[datetime, int]]
    counts: dict[Severity, int]
    waste: float
    per_scan: dict[uuid.UUID, PostureScore]


async def _recomputed(session: AsyncSession, stored: Stored) -> Recomputed:
    """What the portal computed on every request before summaries existed: the report's formula
    over each scan's rebuilt outcomes, and a GROUP BY over the current scans' open findings."""
    outcomes = await posture.scan_outcomes(session, [s for s, _, _ in stored.scans], SPECS)
    latest: dict[uuid.UUID, uuid.UUID] = {}
    trend = []
    for scan_id, connection, finished in stored.scans:
        latest[connection] = scan_id
        state = [outcomes[s] for s in latest.values() if s in outcomes]
        overall = posture.combined(state, SPECS).overall if state else None
        if overall is not None:
            trend.append((finished, overall))
    state = [outcomes[s] for s in latest.values() if s in outcomes]
    counts: dict[Severity, int] = defaultdict(int)
    waste = 0.0
    rows = await session.execute(
        text(
            "SELECT severity, count(*) AS n, sum(monthly_cost) AS cost FROM findings"
            " WHERE scan_id = ANY(:scans) AND status = 'open' GROUP BY severity"
        ),
        {"scans": list(latest.values())},
    )
    for row in rows:
        counts[Severity(row.severity)] += int(row.n)
        waste += float(row.cost or 0)
    return Recomputed(
        score=posture.combined(state, SPECS) if state else None,
        trend=trend,
        counts=dict(counts),
        waste=round(waste, 2),
        per_scan={s: posture.combined([o], SPECS) for s, o in outcomes.items()},
    )


async def _summary_rows(
    session: AsyncSession, engagement: uuid.UUID
) -> dict[uuid.UUID, tuple[object, ...]]:
    rows = await session.execute(
        text(
            "SELECT scan_id, score_overall, score_shadow_it, score_app_permissions,"
            " score_identity, score_licenses FROM scan_summaries WHERE engagement_id = :e"
        ),
        {"e": engagement},
    )
    return {row[0]: tuple(row[1:]) for row in rows}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=tenants())
async def test_summaries_equal_the_per_request_computation(
    runtime: Runtime, owner: psycopg.Connection, case: tuple[TenantCase, ...]
) -> None:
    engagement = _new_engagement(owner)
    stored = await _store(runtime, engagement, case)

    async with runtime.database.transaction(SystemActor("test", engagement)) as session:
        # Written by persistence and reviews, not by the lazy fallback below.
        rows = await _summary_rows(session, engagement)
        expected = await _recomputed(session, stored)
        found = (await postures(session, [engagement])).get(engagement)

    assert set(rows) == {scan_id for scan_id, _, _ in stored.scans}
    for scan_id, columns in rows.items():
        score = expected.per_scan.get(scan_id)
        families = list(score.families.values()) if score else [None] * 4
        assert columns == (score.overall if score else None, *families)
    assert found is not None
    assert found.score == expected.score
    assert found.trend == expected.trend[-12:]
    assert found.found.by_severity == expected.counts
    assert found.found.monthly_waste == expected.waste


async def test_a_failed_persist_leaves_no_summary(
    scan_runtime: Runtime, world: World, sleeps: SleepRecorder
) -> None:
    engagement = world.engagements["eng_a1"]
    scan_id, _ = await _queued_scan(scan_runtime, engagement)

    async def crash() -> None:
        raise Crash("worker died after the findings were written")

    hooks = ScanHooks(transport=FakeGraph(users=10).transport(), sleep=sleeps, before_commit=crash)
    with pytest.raises(Crash):
        await execute_scan(scan_runtime, scan_id, engagement, last_attempt=False, hooks=hooks)
    async with scan_runtime.database.transaction(SystemActor("test", engagement)) as session:
        assert await _summary_rows(session, engagement) == {}

    hooks = ScanHooks(transport=FakeGraph(users=10).transport(), sleep=sleeps)
    assert await execute_scan(scan_runtime, scan_id, engagement, hooks=hooks) == "succeeded"
    async with scan_runtime.database.transaction(SystemActor("test", engagement)) as session:
        rows = await _summary_rows(session, engagement)
        expected = await _recomputed(session, Stored([(scan_id, uuid.uuid4(), BASE)], {}))
    score = expected.per_scan[scan_id]
    assert rows == {scan_id: (score.overall, *score.families.values())}


async def _summaries(runtime: Runtime, engagement: uuid.UUID, *scans: uuid.UUID) -> list[Snapshot]:
    async with runtime.database.transaction(SystemActor("test", engagement)) as session:
        found = await load_summaries(session, scans)
    return [(found[s].score, found[s].open_counts, found[s].monthly_waste) for s in scans]


async def test_a_review_updates_every_scan_holding_the_finding(
    runtime: Runtime, world: World
) -> None:
    engagement = world.engagements["eng_a1"]
    connection, first = await add_scan(runtime, engagement)
    _, second = await add_scan(
        runtime, engagement, small_inventory(), connection_id=connection, after=timedelta(days=7)
    )
    before = await _summaries(runtime, engagement, first, second)
    assert before[0][1][Severity.CRITICAL] == 1 and before[1] == before[0]
    actor = SystemActor("test", engagement)
    async with runtime.database.transaction(actor) as session:
        critical = await session.scalar(
            text("SELECT fingerprint FROM findings WHERE scan_id = :s AND severity = 'critical'"),
            {"s": second},
        )
        await accept_finding(
            session, actor, engagement, str(critical), reason="Break-glass account",
            expires_at=datetime.now(UTC) + timedelta(days=30),
        )  # fmt: skip

    accepted = await _summaries(runtime, engagement, first, second)
    for score, counts, _ in accepted:
        assert Severity.CRITICAL not in counts
        assert score is not None and before[0][0] is not None
        assert score.overall is not None and before[0][0].overall is not None
        assert score.overall > before[0][0].overall
    async with runtime.database.transaction(actor) as session:
        recomputed = await compute_summaries(session, [first, second])
    assert [(s.score, s.open_counts, s.monthly_waste) for s in recomputed.values()] == accepted

    async with runtime.database.transaction(actor) as session:
        await reopen_finding(session, actor, engagement, str(critical))
    assert await _summaries(runtime, engagement, first, second) == before


async def test_a_review_that_fails_leaves_the_summary_as_it_was(
    runtime: Runtime, world: World
) -> None:
    engagement = world.engagements["eng_a1"]
    _, scan = await add_scan(runtime, engagement)
    before = await _summaries(runtime, engagement, scan)
    actor = SystemActor("test", engagement)
    with pytest.raises(Crash):
        async with runtime.database.transaction(actor) as session:
            fp = await session.scalar(
                text("SELECT fingerprint FROM findings WHERE scan_id = :s LIMIT 1"), {"s": scan}
            )
            await resolve_finding(session, actor, engagement, str(fp))
            raise Crash("the request failed after the review")
    assert await _summaries(runtime, engagement, scan) == before


async def test_missing_and_outdated_summaries_are_filled_on_read(
    runtime: Runtime, world: World, owner: psycopg.Connection
) -> None:
    engagement = world.engagements["eng_a1"]
    connection, first = await add_scan(runtime, engagement)
    _, second = await add_scan(
        runtime, engagement, fixed_inventory(), connection_id=connection, after=timedelta(days=7)
    )
    written = await _summaries(runtime, engagement, first, second)
    with owner.transaction():
        as_system(owner)
        # A scan stored before the table existed, and one scored under an older rule set.
        owner.execute("DELETE FROM scan_summaries WHERE scan_id = %s", (first,))
        owner.execute(
            "UPDATE scan_summaries SET rules_digest = 'older', score_overall = 0,"
            " open_high = 99 WHERE scan_id = %s",
            (second,),
        )

    assert await _summaries(runtime, engagement, first, second) == written
    with owner.transaction():
        as_system(owner)
        rows = owner.execute(
            "SELECT count(*), count(*) FILTER (WHERE rules_digest = 'older')"
            " FROM scan_summaries WHERE engagement_id = %s",
            (engagement,),
        ).fetchone()
    assert rows == (2, 0)  # stored again, under the current rules


async def test_summaries_are_invisible_to_other_tenants(
    runtime: Runtime, world: World, superuser: psycopg.Connection
) -> None:
    # The isolation sweep in tests/db covers every table the catalog lists.
    assert "scan_summaries" in engagement_scoped_tables(superuser)
    engagement = world.engagements["eng_a1"]
    _, scan = await add_scan(runtime, engagement)
    user, account = world.actor_for("client_b1.user")
    stranger = UserActor(user_id=user, account_id=account, role=Role.CLIENT)
    async with runtime.database.transaction(stranger) as session:
        assert await session.scalar(text("SELECT count(*) FROM scan_summaries")) == 0
        # Nor can the lazy path compute one: the scan's rows are invisible too.
        assert await load_summaries(session, [scan]) == {}
    owner_user, owner_account = world.actor_for("client_a1.user")
    client = UserActor(user_id=owner_user, account_id=owner_account, role=Role.CLIENT)
    async with runtime.database.transaction(client) as session:
        assert await session.scalar(text("SELECT count(*) FROM scan_summaries")) == 1
