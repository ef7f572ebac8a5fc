"""Complete scans with a stored inventory and the findings the real rules raise on it.

The report tests' small inventory (one admin without MFA, an unverified app holding Mail.Read,
an AI notetaker in use) gives six findings: 1 critical, 3 high, 2 medium. A rescan of the same
tenant after the admin registered MFA drops the critical one. The rule tests' healthy tenant
with unassigned E3 seats gives one licence finding with a cost.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta

import psycopg
from sqlalchemy import text

from failsafe.db.actor import SystemActor
from failsafe.detections.engine import evaluate
from failsafe.detections.metadata import load_rule_specs
from failsafe.detections.scores import posture_score
from failsafe.detections.store.persist import persist_findings
from failsafe.inventory.model import Inventory
from failsafe.runtime import Runtime
from failsafe.scans.persistence import persist_inventory
from tests.detections.factory import E3, healthy
from tests.reports.seed import NOW, small_inventory
from tests.world import as_system

__all__ = [
    "NOW",
    "add_scan",
    "audit_actions",
    "expected_score",
    "finding_rows",
    "fixed_inventory",
    "small_inventory",
    "wasteful_inventory",
]


def fixed_inventory() -> Inventory:
    """The small inventory after the admin registered MFA."""
    inventory = small_inventory()
    identities = [
        dataclasses.replace(i, mfa_registered=True) if i.id == "u1" else i
        for i in inventory.identities
    ]
    return dataclasses.replace(inventory, identities=identities)


def wasteful_inventory() -> Inventory:
    """A tenant no rule flags except unused seats: 7 of 10 Microsoft 365 E3 seats unassigned."""
    inventory = healthy()
    skus = [
        dataclasses.replace(k, purchased=10) if k.sku_id == E3 else k
        for k in inventory.license_skus
    ]
    return dataclasses.replace(inventory, license_skus=skus)


def expected_score(inventory: Inventory) -> int | None:
    """The score the detections formula gives the engine's own outcomes (no storage)."""
    return posture_score(evaluate(inventory), load_rule_specs()).overall


async def add_scan(
    runtime: Runtime,
    engagement_id: uuid.UUID,
    inventory: Inventory | None = None,
    *,
    connection_id: uuid.UUID | None = None,
    after: timedelta = timedelta(0),
) -> tuple[uuid.UUID, uuid.UUID]:
    """A complete scan of ``inventory`` (and a connection unless given): (connection, scan).

    Later scans of one connection pass a larger ``after``: it orders them (queued and finished
    that much after the first) the way the scan runner would.
    """
    inventory = inventory or small_inventory()
    scan_id = uuid.uuid4()
    async with runtime.database.transaction(SystemActor("test.seed", engagement_id)) as session:
        if connection_id is None:
            connection_id = uuid.uuid4()
            await session.execute(
                text(
                    "INSERT INTO connections (id, engagement_id, provider, tenant_ref, status,"
                    " display_name) VALUES (:id, :e, :p, :t, 'active', 'Contoso tenant')"
                ),
                {
                    "id": connection_id,
                    "e": engagement_id,
                    "p": inventory.tenant.provider,
                    "t": f"tenant-{connection_id}",
                },
            )
        await session.execute(
            text(
                "INSERT INTO scans (id, engagement_id, connection_id, status, queued_at,"
                " started_at, finished_at)"
                " VALUES (:id, :e, :c, 'succeeded', now() + :after, :f, :f)"
            ),
            {
                "id": scan_id,
                "e": engagement_id,
                "c": connection_id,
                "f": NOW + after,
                "after": after,
            },
        )
        await persist_inventory(session, scan_id, engagement_id, inventory)
        await persist_findings(session, scan_id, evaluate(inventory), now=NOW + after)
    return connection_id, scan_id


def finding_rows(owner: psycopg.Connection, engagement_id: uuid.UUID) -> dict[str, str]:
    """Rule id -> status of the engagement's findings in its newest scan (read as system)."""
    with owner.transaction():
        as_system(owner)
        rows = owner.execute(
            "SELECT DISTINCT ON (rule_id) rule_id, status FROM findings"
            " WHERE engagement_id = %s ORDER BY rule_id, created_at DESC",
            (engagement_id,),
        ).fetchall()
    return {row[0]: row[1] for row in rows}


def audit_actions(owner: psycopg.Connection, engagement_id: uuid.UUID) -> list[tuple[str, str]]:
    """(action, target id) of the engagement's finding audit rows, oldest first."""
    with owner.transaction():
        as_system(owner)
        rows = owner.execute(
            "SELECT action, target_id FROM audit_log WHERE engagement_id = %s"
            " AND action LIKE 'finding.%%' ORDER BY id",
            (engagement_id,),
        ).fetchall()
    return [(row[0], row[1]) for row in rows]
