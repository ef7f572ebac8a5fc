"""Scores read back from stored scans equal the detections formula on the engine's outcomes."""

from __future__ import annotations

from itertools import chain

import psycopg
import pytest
from sqlalchemy import text

from failsafe.db.actor import SystemActor
from failsafe.detections.engine import evaluate
from failsafe.detections.metadata import load_rule_specs
from failsafe.detections.scores import posture_score
from failsafe.inventory.model import Inventory, Section
from failsafe.reports import posture
from failsafe.runtime import Runtime
from tests.detections.factory import healthy, without
from tests.portal.findings_seed import (
    add_scan,
    fixed_inventory,
    small_inventory,
    wasteful_inventory,
)
from tests.web.findings_seed import seed_findings
from tests.world import World, build_world


@pytest.fixture
def world(owner: psycopg.Connection) -> World:
    return build_world(owner)


def _inventories() -> list[Inventory]:
    google = without(healthy("google"), Section.MFA, Section.EMAIL_SIGNALS)
    return [small_inventory(), fixed_inventory(), wasteful_inventory(), google]


async def test_stored_scans_score_like_the_engine(
    runtime: Runtime, world: World, owner: psycopg.Connection
) -> None:
    engagement = world.engagements["eng_c"]
    inventories = _inventories()
    scans = [(await add_scan(runtime, engagement, inv))[1] for inv in inventories]
    legacy = seed_findings(owner, engagement, 5)  # findings but no stored inventory
    specs = load_rule_specs()

    async with runtime.database.transaction(SystemActor("test", engagement)) as session:
        stored = await posture.scan_outcomes(session, [*scans, legacy], specs)

    assert set(stored) == set(scans)  # no inventory: nothing says which rules could run
    for scan_id, inventory in zip(scans, inventories, strict=True):
        assert posture.combined([stored[scan_id]], specs) == posture_score(
            evaluate(inventory), specs
        )
    together = posture.combined(stored.values(), specs)
    assert together == posture_score(chain.from_iterable(map(evaluate, inventories)), specs)


async def test_only_open_findings_count(runtime: Runtime, world: World) -> None:
    engagement = world.engagements["eng_c"]
    _, scan_id = await add_scan(runtime, engagement)
    specs = load_rule_specs()
    actor = SystemActor("test", engagement)
    async with runtime.database.transaction(actor) as session:
        before = await posture.scan_outcomes(session, [scan_id], specs)
        await session.execute(
            text("UPDATE findings SET status = 'accepted' WHERE scan_id = :s"),
            {"s": scan_id},
        )
        after = await posture.scan_outcomes(session, [scan_id], specs)
    assert posture.combined([before[scan_id]], specs).overall != 100
    assert posture.combined([after[scan_id]], specs).overall == 100
