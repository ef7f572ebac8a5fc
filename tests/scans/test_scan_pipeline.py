from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from failsafe.db.actor import SystemActor
from failsafe.errors import NotFound
from failsafe.inventory.load import load_inventory
from failsafe.inventory.model import Section
from failsafe.runtime import Runtime
from failsafe.scans import service as scans
from failsafe.scans.runner import ScanHooks, execute_scan
from tests.connectors.conftest import SleepRecorder
from tests.connectors.fake_graph import FakeGraph
from tests.scans.conftest import add_microsoft_connection
from tests.world import World


class Crash(Exception):
    pass


async def _queued_scan(runtime: Runtime, engagement: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    connection = await add_microsoft_connection(runtime, engagement)
    async with runtime.database.transaction(SystemActor("test", engagement)) as session:
        view = await scans.request_scan(session, SystemActor("test", engagement), connection)
    return view.id, connection


async def _counts(runtime: Runtime, engagement: uuid.UUID, scan_id: uuid.UUID) -> dict[str, int]:
    async with runtime.database.transaction(SystemActor("test", engagement)) as session:
        result = {}
        for table in (
            "inventory_tenants",
            "inventory_identities",
            "inventory_grants",
            "inventory_email_signals",
        ):
            row = await session.execute(
                text(f"SELECT count(*) FROM {table} WHERE scan_id = :s"), {"s": scan_id}
            )
            result[table] = row.scalar_one()
        return result


async def test_scan_persists_a_loadable_inventory(
    scan_runtime: Runtime, world: World, sleeps: SleepRecorder
) -> None:
    engagement = world.engagements["eng_a1"]
    scan_id, _ = await _queued_scan(scan_runtime, engagement)
    fake = FakeGraph(users=20)
    status = await execute_scan(
        scan_runtime, scan_id, engagement, hooks=ScanHooks(transport=fake.transport(), sleep=sleeps)
    )
    assert status == "succeeded"
    async with scan_runtime.database.transaction(SystemActor("test", engagement)) as session:
        view = await scans.get_scan(session, scan_id)
        inventory = await load_inventory(session, scan_id)
    assert view.status == "succeeded" and view.progress == 100
    assert {s["name"] for s in view.sections} >= {"users", "email_signals"}
    assert len(inventory.identities) == 20
    assert inventory.assessed(Section.EMAIL_SIGNALS)
    assert inventory.email_signals and inventory.grants


async def test_crash_inside_persistence_leaves_nothing_and_retry_completes(
    scan_runtime: Runtime, world: World, sleeps: SleepRecorder
) -> None:
    engagement = world.engagements["eng_a1"]
    scan_id, _ = await _queued_scan(scan_runtime, engagement)

    async def crash() -> None:
        raise Crash("worker died mid-persist")

    with pytest.raises(Crash):
        await execute_scan(
            scan_runtime,
            scan_id,
            engagement,
            last_attempt=False,
            hooks=ScanHooks(
                transport=FakeGraph(users=10).transport(), sleep=sleeps, before_commit=crash
            ),
        )
    assert (await _counts(scan_runtime, engagement, scan_id))["inventory_identities"] == 0
    status = await execute_scan(
        scan_runtime,
        scan_id,
        engagement,
        hooks=ScanHooks(transport=FakeGraph(users=10).transport(), sleep=sleeps),
    )
    assert status == "succeeded"
    counts = await _counts(scan_runtime, engagement, scan_id)
    assert counts["inventory_tenants"] == 1 and counts["inventory_identities"] == 10
    # A third run of the finished job is a no-op: still exactly one inventory.
    again = await execute_scan(
        scan_runtime,
        scan_id,
        engagement,
        hooks=ScanHooks(transport=FakeGraph(users=10).transport()),
    )
    assert again == "succeeded"
    assert (await _counts(scan_runtime, engagement, scan_id))["inventory_identities"] == 10


async def test_persisting_twice_is_idempotent(
    scan_runtime: Runtime, world: World, sleeps: SleepRecorder
) -> None:
    from failsafe.scans.persistence import persist_inventory

    engagement = world.engagements["eng_a1"]
    scan_id, _ = await _queued_scan(scan_runtime, engagement)
    await execute_scan(
        scan_runtime,
        scan_id,
        engagement,
        hooks=ScanHooks(transport=FakeGraph(users=8).transport(), sleep=sleeps),
    )
    async with scan_runtime.database.transaction(SystemActor("test", engagement)) as session:
        inventory = await load_inventory(session, scan_id)
        first = await persist_inventory(session, scan_id, engagement, inventory)
        second = await persist_inventory(session, scan_id, engagement, inventory)
    assert first == second
    counts = await _counts(scan_runtime, engagement, scan_id)
    assert counts["inventory_identities"] == 8 and counts["inventory_tenants"] == 1


async def test_inventory_rows_are_invisible_to_another_engagement(
    scan_runtime: Runtime, world: World, sleeps: SleepRecorder
) -> None:
    engagement, other = world.engagements["eng_a1"], world.engagements["eng_b1"]
    scan_id, _ = await _queued_scan(scan_runtime, engagement)
    await execute_scan(
        scan_runtime,
        scan_id,
        engagement,
        hooks=ScanHooks(transport=FakeGraph(users=5).transport(), sleep=sleeps),
    )
    assert (await _counts(scan_runtime, engagement, scan_id))["inventory_identities"] == 5
    assert (await _counts(scan_runtime, other, scan_id)) == {
        "inventory_tenants": 0,
        "inventory_identities": 0,
        "inventory_grants": 0,
        "inventory_email_signals": 0,
    }
    async with scan_runtime.database.transaction(SystemActor("scan", other)) as session:
        with pytest.raises(NotFound):
            await load_inventory(session, scan_id)


async def test_missing_permission_makes_a_partial_scan_naming_the_section(
    scan_runtime: Runtime, world: World, sleeps: SleepRecorder
) -> None:
    engagement = world.engagements["eng_a1"]
    scan_id, _ = await _queued_scan(scan_runtime, engagement)
    fake = FakeGraph(users=5, denied={"/identity/conditionalAccess"})
    status = await execute_scan(
        scan_runtime, scan_id, engagement, hooks=ScanHooks(transport=fake.transport(), sleep=sleeps)
    )
    assert status == "partial"
    async with scan_runtime.database.transaction(SystemActor("test", engagement)) as session:
        view = await scans.get_scan(session, scan_id)
    failed = [s for s in view.sections if s["status"] == "not_assessed"]
    assert [s["name"] for s in failed] == ["conditional_access"]
    assert "403" in failed[0]["reason"]


async def test_second_scan_reads_only_new_mail_and_keeps_earlier_signals(
    scan_runtime: Runtime, world: World, sleeps: SleepRecorder
) -> None:
    engagement = world.engagements["eng_a1"]
    first, connection = await _queued_scan(scan_runtime, engagement)
    await execute_scan(
        scan_runtime,
        first,
        engagement,
        hooks=ScanHooks(transport=FakeGraph(users=6).transport(), sleep=sleeps),
    )
    async with scan_runtime.database.transaction(SystemActor("test", engagement)) as session:
        second = (await scans.request_scan(session, SystemActor("test", engagement), connection)).id
    fake = FakeGraph(users=6)
    await execute_scan(
        scan_runtime, second, engagement, hooks=ScanHooks(transport=fake.transport(), sleep=sleeps)
    )
    mail_urls = [item for item in _batch_urls(fake) if "/messages" in item]
    assert mail_urls and all("receivedDateTime ge" in u for u in mail_urls)
    async with scan_runtime.database.transaction(SystemActor("test", engagement)) as session:
        one = await load_inventory(session, first)
        two = await load_inventory(session, second)
    # The fake's mail is all older than the first scan: nothing new, the picture is unchanged.
    assert sorted((s.user, s.count) for s in two.email_signals) == sorted(
        (s.user, s.count) for s in one.email_signals
    )


def _batch_urls(fake: FakeGraph) -> list[str]:
    import json

    return [
        item["url"]
        for r in fake.log
        if r.url.path == "/v1.0/$batch"
        for item in json.loads(r.content)["requests"]
    ]


async def test_revoking_a_running_scan_stops_it_at_the_next_section_boundary(
    scan_runtime: Runtime, world: World, sleeps: SleepRecorder
) -> None:
    from failsafe.connections import service as connections

    engagement = world.engagements["eng_a1"]
    scan_id, connection = await _queued_scan(scan_runtime, engagement)
    actor = SystemActor("test", engagement)
    seen: list[str] = []

    async def revoke_once(percent: int, detail: str) -> None:
        seen.append(detail)
        if len(seen) == 1:
            async with scan_runtime.database.transaction(actor) as session:
                await connections.revoke_connection(session, actor, connection)

    status = await execute_scan(
        scan_runtime,
        scan_id,
        engagement,
        hooks=ScanHooks(
            transport=FakeGraph(users=5).transport(), sleep=sleeps, on_progress=revoke_once
        ),
    )
    assert status == "failed"
    async with scan_runtime.database.transaction(actor) as session:
        view = await scans.get_scan(session, scan_id)
    assert view.error == "stopped: the connection was revoked"
    assert (await _counts(scan_runtime, engagement, scan_id))["inventory_tenants"] == 0
