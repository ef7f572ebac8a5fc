"""Findings in PostgreSQL: persistence with new/unchanged, reviews, filters and pagination."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from failsafe.db.actor import Role, SystemActor, UserActor
from failsafe.db.engine import Database
from failsafe.detections.engine import evaluate, findings_of
from failsafe.detections.model import Finding, RuleOutcome, Severity
from failsafe.detections.store.schemas import FindingFilters
from failsafe.detections.store.service import (
    accept_finding,
    latest_scan_ids,
    list_findings,
    persist_findings,
    resolve_finding,
)
from failsafe.errors import NotFound, ValidationFailed
from tests.detections.factory import healthy
from tests.detections.test_rules import CASES
from tests.world import World, as_system, build_world

SYSTEM = SystemActor("test")


@pytest.fixture
def world(owner: psycopg.Connection) -> World:
    return build_world(owner)


def _scan(owner: psycopg.Connection, engagement: uuid.UUID, connection: uuid.UUID | None,
          minutes_ago: int) -> tuple[uuid.UUID, uuid.UUID]:  # fmt: skip
    with owner.transaction():
        as_system(owner)
        if connection is None:
            row = owner.execute(
                "INSERT INTO connections (engagement_id, provider, tenant_ref, status)"
                " VALUES (%s, 'microsoft', 'tenant-1', 'active') RETURNING id",
                (engagement,),
            ).fetchone()
            assert row is not None
            connection = row[0]
        row = owner.execute(
            "INSERT INTO scans (engagement_id, connection_id, status, queued_at)"
            " VALUES (%s, %s, 'succeeded', now() - make_interval(mins => %s)) RETURNING id",
            (engagement, connection, minutes_ago),
        ).fetchone()
        assert row is not None
    return connection, row[0]


def _risky_outcomes() -> list[RuleOutcome]:
    inventory = healthy()
    for rule_id, (provider, mutate, _) in CASES.items():
        if provider == "microsoft" and rule_id not in {"ID-004", "ID-013"}:
            mutate(inventory)
    return evaluate(inventory)


async def test_persist_marks_new_then_unchanged_and_counts_resolved(
    db: Database, owner: psycopg.Connection, world: World
) -> None:
    engagement = world.engagements["eng_a1"]
    connection, first = _scan(owner, engagement, None, 60)
    outcomes = _risky_outcomes()
    findings = findings_of(outcomes)
    assert len(findings) > 20

    async with db.transaction(SYSTEM) as session:
        result = await persist_findings(session, first, outcomes)
    assert (result.written, result.new, result.unchanged, result.resolved) == (
        len(findings), len(findings), 0, 0,
    )  # fmt: skip

    _, second = _scan(owner, engagement, connection, 10)
    kept = findings[1:]
    async with db.transaction(SYSTEM) as session:
        again = await persist_findings(session, second, kept)
        # Persisting the same scan twice is idempotent.
        again = await persist_findings(session, second, kept)
    assert (again.previous_scan_id, again.new, again.unchanged, again.resolved) == (
        first, 0, len(kept), 1,
    )  # fmt: skip
    async with db.transaction(SYSTEM) as session:
        assert await latest_scan_ids(session, engagement) == [second]
        page = await list_findings(session, [second], limit=500)
    assert {f.change for f in page.items} == {"unchanged"}
    assert all(f.first_seen_scan_id == first for f in page.items)


async def test_listing_filters_and_keyset_pages(
    db: Database, owner: psycopg.Connection, world: World
) -> None:
    engagement = world.engagements["eng_a1"]
    _, scan = _scan(owner, engagement, None, 5)
    outcomes = _risky_outcomes()
    findings = findings_of(outcomes)
    async with db.transaction(SYSTEM) as session:
        await persist_findings(session, scan, outcomes)

        seen: list[int] = []
        ranks: list[int] = []
        cursor = None
        while True:
            page = await list_findings(session, [scan], cursor=cursor, limit=7)
            seen.extend(f.id for f in page.items)
            ranks.extend(Severity(f.severity).rank for f in page.items)
            cursor = page.next_cursor
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == len(findings)
        assert ranks == sorted(ranks)
        identity = await list_findings(session, [scan], FindingFilters(family="identity"))
        assert identity.items and {f.family for f in identity.items} == {"identity"}
        critical = await list_findings(session, [scan], FindingFilters(severity="critical"))
        assert {f.severity for f in critical.items} == {"critical"}
        control = await list_findings(session, [scan], FindingFilters(control="cis_v8:6.5"))
        assert {f.rule_id for f in control.items} <= {"ID-001", "ID-011"}
        assert control.items
        google = await list_findings(session, [scan], FindingFilters(provider="google"))
        assert google.items == []
        with pytest.raises(ValidationFailed):
            await list_findings(session, [scan], cursor="not-a-cursor!")
        with pytest.raises(ValidationFailed):
            await list_findings(session, [scan], FindingFilters(family="nope"))


async def test_accept_and_resolve_are_recorded_and_survive_the_next_scan(
    db: Database, owner: psycopg.Connection, superuser: psycopg.Connection, world: World
) -> None:
    engagement = world.engagements["eng_a1"]
    connection, first = _scan(owner, engagement, None, 60)
    outcomes = _risky_outcomes()
    findings = findings_of(outcomes)
    accepted, resolved = findings[0], findings[1]
    user_id, account_id = world.actor_for("client_a1.user")
    client = UserActor(user_id, account_id, Role.CLIENT)
    now = datetime.now(UTC)

    async with db.transaction(SYSTEM) as session:
        await persist_findings(session, first, outcomes)
    async with db.transaction(client) as session:
        await accept_finding(
            session, client, engagement, accepted.fingerprint,
            reason="Vendor under contract review", expires_at=now + timedelta(days=30),
        )  # fmt: skip
        await resolve_finding(session, client, engagement, resolved.fingerprint)
        with pytest.raises(ValidationFailed):
            await accept_finding(
                session, client, engagement, accepted.fingerprint,
                reason="", expires_at=now + timedelta(days=1),
            )  # fmt: skip
        with pytest.raises(ValidationFailed):
            await accept_finding(
                session, client, engagement, accepted.fingerprint,
                reason="x", expires_at=now - timedelta(days=1),
            )  # fmt: skip
        with pytest.raises(NotFound):
            await resolve_finding(session, client, engagement, "0" * 64)
        page = await list_findings(session, [first], FindingFilters(status="accepted"))
        assert [f.fingerprint for f in page.items] == [accepted.fingerprint]

    audit = superuser.execute(
        "SELECT action, target_id FROM audit_log WHERE action LIKE 'finding.%' ORDER BY id"
    ).fetchall()
    assert audit == [
        ("finding.accepted", accepted.fingerprint),
        ("finding.resolved", resolved.fingerprint),
    ]

    # The next scan still finds both: the acceptance holds, the resolution is disproved.
    _, second = _scan(owner, engagement, connection, 1)
    async with db.transaction(SYSTEM) as session:
        await persist_findings(session, second, outcomes)
        status = {
            f.fingerprint: f.status
            for f in (await list_findings(session, [second], limit=500)).items
        }
    assert status[accepted.fingerprint] == "accepted"
    assert status[resolved.fingerprint] == "open"


async def test_another_engagement_sees_no_findings(
    db: Database, owner: psycopg.Connection, world: World
) -> None:
    engagement = world.engagements["eng_a1"]
    _, scan = _scan(owner, engagement, None, 5)
    async with db.transaction(SYSTEM) as session:
        await persist_findings(session, scan, _risky_outcomes())
    user_id, account_id = world.actor_for("client_b1.user")
    other = UserActor(user_id, account_id, Role.CLIENT)
    async with db.transaction(other) as session:
        assert (await list_findings(session, [scan])).items == []
        with pytest.raises(NotFound):
            await resolve_finding(session, other, engagement, _first_fp())


def _first_fp() -> str:
    finding: Finding = findings_of(_risky_outcomes())[0]
    return replace(finding).fingerprint
