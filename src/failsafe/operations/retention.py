"""Retention, as the Security Overview (section 07) promises it.

- engagement data: 12 months after the engagement's ``completed_at``;
- account data: 90 days after the account's ``terminated_at``;
- audit rows: 24 months (``audit_log_retention()``, which enforces the floor itself);
- operational leftovers: sent or failed outbox rows after 30 days, succeeded queue jobs after
  7 days, processed Stripe event ids and job-run markers after 90 days.

:func:`plan_retention` lists what would go (``failsafe retention --dry-run``) without changing
anything; :func:`apply_retention` removes it, one subject per transaction, each with a deletion
record and an audit row.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

import structlog
from sqlalchemy import text

from failsafe.audit.retention import purge_expired
from failsafe.db.actor import SystemActor
from failsafe.db.engine import Database
from failsafe.operations.deletion import Removed, remove_account, write_evidence
from failsafe.operations.purge import purge_engagements
from failsafe.reports.storage import count_engagement_files, delete_engagement_files, store_for
from failsafe.settings import Settings

log = structlog.get_logger(__name__)

ACTOR = SystemActor("operations.retention")

ENGAGEMENT_KEEP = "12 months"
ACCOUNT_KEEP = "90 days"

_EXPIRED_ENGAGEMENTS = text(
    "SELECT id, completed_at FROM engagements WHERE status = 'completed'"
    f" AND completed_at <= CAST(:now AS timestamptz) - interval '{ENGAGEMENT_KEEP}'"
    " ORDER BY completed_at"
)
_EXPIRED_ACCOUNTS = text(
    "SELECT id, terminated_at FROM accounts WHERE terminated_at IS NOT NULL"
    f" AND terminated_at <= CAST(:now AS timestamptz) - interval '{ACCOUNT_KEEP}'"
    " ORDER BY terminated_at"
)
_LOCK_ENGAGEMENT = text("SELECT id FROM engagements WHERE id = :id FOR UPDATE SKIP LOCKED")
_LOCK_ACCOUNT = text("SELECT id FROM accounts WHERE id = :id FOR UPDATE SKIP LOCKED")
_AUDIT_EXPIRED = text(
    "SELECT count(*) FROM audit_log WHERE occurred_at < now() - interval '24 months'"
)
_HOUSEKEEPING = (
    (
        "email_outbox",
        "DELETE FROM email_outbox WHERE status IN ('sent', 'failed')"
        " AND created_at < CAST(:now AS timestamptz) - interval '30 days'",
    ),
    (
        "stripe_events",
        "DELETE FROM stripe_events"
        " WHERE received_at < CAST(:now AS timestamptz) - interval '90 days'",
    ),
    (
        # Finished queue jobs a week old (still-referenced periodic defers are procrastinate's
        # own bookkeeping and stay); their events go with them (ON DELETE CASCADE).
        "procrastinate_jobs",
        "DELETE FROM procrastinate_jobs j WHERE j.status = 'succeeded'"
        " AND NOT EXISTS (SELECT 1 FROM procrastinate_periodic_defers d WHERE d.job_id = j.id)"
        " AND NOT EXISTS (SELECT 1 FROM procrastinate_events e WHERE e.job_id = j.id"
        " AND e.at > CAST(:now AS timestamptz) - interval '7 days')",
    ),
    (
        "job_runs",
        "DELETE FROM job_runs WHERE started_at < CAST(:now AS timestamptz) - interval '90 days'",
    ),
)


@dataclass
class RetentionPlan:
    """What retention would remove at one moment."""

    engagements: list[tuple[uuid.UUID, dt.datetime]] = field(default_factory=list)
    accounts: list[tuple[uuid.UUID, dt.datetime]] = field(default_factory=list)
    engagement_files: int = 0
    audit_rows: int = 0


@dataclass
class RetentionResult:
    removed: list[Removed] = field(default_factory=list)
    audit_rows: int = 0
    housekeeping: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict[str, object]:
        return {
            "engagements": sum(1 for r in self.removed if r.subject_type == "engagement"),
            "accounts": sum(1 for r in self.removed if r.subject_type == "account"),
            "rows": sum(sum(r.rows.values()) for r in self.removed),
            "files": sum(r.files for r in self.removed),
            "audit_rows": self.audit_rows,
            "housekeeping": self.housekeeping,
        }


async def plan_retention(
    database: Database, settings: Settings, *, now: dt.datetime
) -> RetentionPlan:
    """What :func:`apply_retention` would remove at ``now`` (reads only)."""
    plan = RetentionPlan()
    async with database.transaction(ACTOR) as session:
        plan.engagements = [
            (r.id, r.completed_at)
            for r in await session.execute(_EXPIRED_ENGAGEMENTS, {"now": now})
        ]
        plan.accounts = [
            (r.id, r.terminated_at) for r in await session.execute(_EXPIRED_ACCOUNTS, {"now": now})
        ]
        plan.audit_rows = int((await session.execute(_AUDIT_EXPIRED)).scalar_one())
    store = store_for(settings)
    plan.engagement_files = sum(
        [await count_engagement_files(store, e) for e, _ in plan.engagements]
    )
    return plan


async def apply_retention(
    database: Database, settings: Settings, *, now: dt.datetime
) -> RetentionResult:
    """Remove everything past its retention at ``now``."""
    plan = await plan_retention(database, settings, now=now)
    result = RetentionResult()
    for engagement_id, completed_at in plan.engagements:
        removed = await _remove_engagement(database, settings, engagement_id, completed_at, now)
        if removed is not None:
            result.removed.append(removed)
    for account_id, terminated_at in plan.accounts:
        async with database.transaction(ACTOR) as session:
            if (await session.execute(_LOCK_ACCOUNT, {"id": account_id})).first() is None:
                continue
            result.removed.append(
                await remove_account(
                    session,
                    settings,
                    account_id,
                    reason="terminated",
                    requested_at=terminated_at,
                    now=now,
                )
            )
    async with database.transaction(ACTOR) as session:
        result.audit_rows = await purge_expired(session)
        for table, statement in _HOUSEKEEPING:
            deleted = await session.execute(text(statement), {"now": now})
            result.housekeeping[table] = int(getattr(deleted, "rowcount", 0) or 0)
    log.info("retention.applied", **result.summary())
    return result


async def _remove_engagement(
    database: Database,
    settings: Settings,
    engagement_id: uuid.UUID,
    completed_at: dt.datetime,
    now: dt.datetime,
) -> Removed | None:
    async with database.transaction(ACTOR) as session:
        if (await session.execute(_LOCK_ENGAGEMENT, {"id": engagement_id})).first() is None:
            return None
        removed = Removed("engagement", engagement_id)
        removed.files = await delete_engagement_files(store_for(settings), engagement_id)
        removed.rows = await purge_engagements(session, [engagement_id])
        await write_evidence(
            session,
            removed,
            reason="completed",
            requested_at=completed_at,
            now=now,
            action="engagement.retention_deleted",
        )
    log.info(
        "engagement.retention_deleted",
        engagement_id=str(engagement_id),
        rows=sum(removed.rows.values()),
    )
    return removed
