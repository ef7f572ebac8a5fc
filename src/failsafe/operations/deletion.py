"""Hard deletion of soft-deleted accounts (the 04:00 UTC job) and its evidence.

Each account is removed in its own transaction, claimed with ``FOR UPDATE SKIP LOCKED`` so two
workers never work on one account. Report files go first (removing a missing file is a no-op),
then every row, then a deletion record and an ``account.hard_deleted`` audit row with the counts
are written in the same transaction. A crash before the commit leaves the account soft-deleted
and the next run finishes it; the files step is idempotent.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.audit.service import record
from failsafe.db.actor import SystemActor
from failsafe.db.engine import Database
from failsafe.operations import hooks
from failsafe.operations.purge import account_engagements, purge_account
from failsafe.reports.storage import delete_engagement_files, store_for
from failsafe.settings import Settings

log = structlog.get_logger(__name__)

ACTOR = SystemActor("operations.deletion")

_DUE = text(
    "SELECT id, deleted_at FROM accounts WHERE status = 'deleted' AND deleted_at <= :now"
    " ORDER BY deleted_at LIMIT 1 FOR UPDATE SKIP LOCKED"
)
_RECORD = text(
    "INSERT INTO deletion_records (subject_type, subject_ref, reason, requested_at, removed_at,"
    " counts, files_removed) VALUES (:type, :ref, :reason, :requested, :now,"
    " CAST(:counts AS jsonb), :files) ON CONFLICT (subject_type, subject_ref) DO NOTHING"
)


@dataclass
class Removed:
    """What one deletion removed."""

    subject_type: str
    subject_id: uuid.UUID
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0

    def summary(self) -> dict[str, object]:
        return {"rows": self.rows, "files": self.files, "total_rows": sum(self.rows.values())}


async def write_evidence(
    session: AsyncSession,
    removed: Removed,
    *,
    reason: str,
    requested_at: dt.datetime | None,
    now: dt.datetime,
    action: str,
) -> None:
    """The deletion record and the audit row, in the deleting transaction."""
    await session.execute(
        _RECORD,
        {
            "type": removed.subject_type,
            "ref": removed.subject_id,
            "reason": reason,
            "requested": requested_at,
            "now": now,
            "counts": json.dumps(removed.rows),
            "files": removed.files,
        },
    )
    await record(
        session,
        ACTOR,
        action,
        account_id=removed.subject_id if removed.subject_type == "account" else None,
        engagement_id=removed.subject_id if removed.subject_type == "engagement" else None,
        target_type=removed.subject_type,
        target_id=removed.subject_id,
        details={"reason": reason, **removed.summary()},
    )


async def remove_account(
    session: AsyncSession,
    settings: Settings,
    account_id: uuid.UUID,
    *,
    reason: str,
    requested_at: dt.datetime | None,
    now: dt.datetime,
) -> Removed:
    """Remove one (already claimed) account with its files, rows and evidence."""
    removed = Removed("account", account_id)
    store = store_for(settings)
    for engagement_id in await account_engagements(session, account_id):
        removed.files += await delete_engagement_files(store, engagement_id)
    await hooks.reach("deletion.account")
    removed.rows = await purge_account(session, account_id)
    await write_evidence(
        session,
        removed,
        reason=reason,
        requested_at=requested_at,
        now=now,
        action="account.hard_deleted",
    )
    log.info(
        "account.hard_deleted",
        account_id=str(account_id),
        reason=reason,
        rows=sum(removed.rows.values()),
        files=removed.files,
    )
    return removed


async def hard_delete_due(
    database: Database, settings: Settings, *, now: dt.datetime
) -> list[Removed]:
    """Remove every account soft-deleted at or before ``now``; one transaction each."""
    done: list[Removed] = []
    while True:
        async with database.transaction(ACTOR) as session:
            row = (await session.execute(_DUE, {"now": now})).first()
            if row is None:
                return done
            done.append(
                await remove_account(
                    session,
                    settings,
                    row.id,
                    reason="soft_deleted",
                    requested_at=row.deleted_at,
                    now=now,
                )
            )
