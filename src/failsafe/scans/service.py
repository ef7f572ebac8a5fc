"""Scan services the web API calls. They flush; the caller's transaction commits.

A scan is requested by inserting its row and its job in the same transaction: the job goes in
through procrastinate's own SQL function on the session's connection (as the app role, under the
actor's RLS), so a rolled-back request leaves neither a scan without a job nor a job without
a scan.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.audit.service import record
from failsafe.connections.models import Connection
from failsafe.db.actor import Actor, UserActor
from failsafe.engagements import models as _engagements  # noqa: F401 - FK target table
from failsafe.errors import Conflict, NotFound, ValidationFailed
from failsafe.operations.defer import defer_in_transaction
from failsafe.scans.models import Scan

QUEUE = "scans"
TASK_NAME = "scans:run_scan"
TRIGGERS = ("manual", "scheduled", "demo")


@dataclass(frozen=True)
class ScanView:
    id: uuid.UUID
    engagement_id: uuid.UUID
    connection_id: uuid.UUID
    status: str
    trigger: str
    progress: int
    progress_detail: str
    sections: list[dict[str, Any]]
    error: str | None
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, row: Scan) -> ScanView:
        return cls(
            id=row.id,
            engagement_id=row.engagement_id,
            connection_id=row.connection_id,
            status=row.status,
            trigger=row.trigger,
            progress=row.progress,
            progress_detail=row.progress_detail,
            sections=list(row.sections or []),
            error=row.error,
            queued_at=row.queued_at,
            started_at=row.started_at,
            finished_at=row.finished_at,
        )


def job_args(scan_id: uuid.UUID, engagement_id: uuid.UUID) -> dict[str, str]:
    return {"scan_id": str(scan_id), "engagement_id": str(engagement_id)}


async def request_scan(
    session: AsyncSession,
    actor: Actor,
    connection_id: uuid.UUID,
    *,
    trigger: str = "manual",
    enqueue: bool = True,
) -> ScanView:
    """Queue a scan of an active connection (one queued or running scan per connection)."""
    if trigger not in TRIGGERS:
        raise ValidationFailed(f"trigger must be one of {', '.join(TRIGGERS)}")
    connection = (
        await session.execute(
            select(Connection).where(Connection.id == connection_id).with_for_update()
        )
    ).scalar_one_or_none()
    if connection is None:
        raise NotFound("connection not found")
    if connection.status != "active" or connection.sealed_credentials is None:
        raise Conflict(f"the connection is {connection.status}; only active ones can be scanned")
    busy = await session.execute(
        select(Scan.id).where(
            Scan.connection_id == connection_id, Scan.status.in_(("queued", "running"))
        )
    )
    if busy.first() is not None:
        raise Conflict("a scan of this connection is already queued or running")
    scan = Scan(
        id=uuid.uuid4(),
        engagement_id=connection.engagement_id,
        connection_id=connection_id,
        trigger=trigger,
        requested_by=actor.user_id if isinstance(actor, UserActor) else None,
    )
    session.add(scan)
    await session.flush()
    if enqueue:
        await _defer(session, scan.id, scan.engagement_id, connection_id)
    await record(
        session,
        actor,
        "scan.requested",
        engagement_id=scan.engagement_id,
        target_type="scan",
        target_id=scan.id,
        details={"trigger": trigger},
    )
    await session.refresh(scan)
    return ScanView.of(scan)


async def _defer(
    session: AsyncSession, scan_id: uuid.UUID, engagement_id: uuid.UUID, connection_id: uuid.UUID
) -> None:
    # One scan per connection at a time, even if two workers pick jobs up.
    await defer_in_transaction(
        session,
        TASK_NAME,
        queue=QUEUE,
        args=job_args(scan_id, engagement_id),
        lock=f"connection:{connection_id}",
    )


async def get_scan(session: AsyncSession, scan_id: uuid.UUID) -> ScanView:
    """A scan with its sections; NotFound for what the actor may not see."""
    scan = await session.get(Scan, scan_id, populate_existing=True)
    if scan is None:
        raise NotFound("scan not found")
    return ScanView.of(scan)


async def list_scans(
    session: AsyncSession,
    engagement_id: uuid.UUID,
    *,
    connection_id: uuid.UUID | None = None,
    limit: int = 50,
) -> list[ScanView]:
    """The engagement's scans, newest first."""
    query = select(Scan).where(Scan.engagement_id == engagement_id)
    if connection_id is not None:
        query = query.where(Scan.connection_id == connection_id)
    rows = await session.execute(query.order_by(Scan.queued_at.desc()).limit(min(limit, 500)))
    return [ScanView.of(row) for row in rows.scalars()]
