from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from failsafe.db.actor import SystemActor
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
