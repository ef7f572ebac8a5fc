"""Seed a completed scan with a small inventory for DB-backed report tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from failsafe.db.actor import SystemActor
from failsafe.detections.engine import evaluate
from failsafe.detections.store.persist import persist_findings
from failsafe.inventory.model import (
    App,
    EmailSignal,
    Grant,
    Identity,
    Inventory,
    Section,
    SectionResult,
    SectionStatus,
    TenantInfo,
)
from failsafe.runtime import Runtime
from failsafe.scans.persistence import persist_inventory

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def small_inventory(name: str = "Contoso Ltd") -> Inventory:
    collected = SectionStatus.COLLECTED
    sections = {
        s: SectionResult(s, collected, 2)
        for s in (Section.USERS, Section.MFA, Section.ADMIN_ROLES, Section.APPS, Section.GRANTS)
    }
    sections[Section.EMAIL_SIGNALS] = SectionResult(
        Section.EMAIL_SIGNALS, SectionStatus.NOT_ASSESSED, 0, "Mail.ReadBasic.All not granted"
    )
    return Inventory(
        tenant=TenantInfo("microsoft", "tenant-1", name, ("contoso.example",)),
        collected_at=NOW,
        sections=sections,
        identities=[
            Identity("u1", "admin@contoso.example", "Admin", "member", True, NOW - timedelta(
                days=400), NOW, False, (), None, True),
            Identity("u2", "user@contoso.example", "User", "member", True, NOW, NOW, True),
        ],
        apps=[App("app-1", "<img src=http://127.0.0.1:9/x> Otter", "Otter", False, False, True,
                  ("otter.ai",))],
        grants=[Grant("app-1", "delegated", ("Mail.Read",), False, "user@contoso.example")],
        email_signals=[EmailSignal("notion.so", "user@contoso.example", "signup", NOW, NOW, 1)],
    )  # fmt: skip


async def seed_scan(
    runtime: Runtime,
    engagement_id: uuid.UUID,
    *,
    status: str = "succeeded",
    finished_at: datetime = NOW,
    connection_id: uuid.UUID | None = None,
) -> tuple[uuid.UUID, uuid.UUID]:
    """A connection (unless given) and a finished scan with an inventory: (connection, scan)."""
    actor = SystemActor("test.seed", engagement_id)
    scan_id = uuid.uuid4()
    async with runtime.database.transaction(actor) as session:
        if connection_id is None:
            connection_id = uuid.uuid4()
            await session.execute(
                text(
                    "INSERT INTO connections (id, engagement_id, provider, tenant_ref, status)"
                    " VALUES (:id, :e, 'microsoft', :t, 'active')"
                ),
                {"id": connection_id, "e": engagement_id, "t": f"tenant-{connection_id}"},
            )
        await session.execute(
            text(
                "INSERT INTO scans (id, engagement_id, connection_id, status, started_at,"
                " finished_at) VALUES (:id, :e, :c, :s, :f, :f)"
            ),
            {"id": scan_id, "e": engagement_id, "c": connection_id, "s": status, "f": finished_at},
        )
        if status in ("succeeded", "partial"):
            inventory = small_inventory()
            await persist_inventory(session, scan_id, engagement_id, inventory)
            await persist_findings(session, scan_id, evaluate(inventory), now=finished_at)
    return connection_id, scan_id
