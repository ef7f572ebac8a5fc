"""The audit log query behind the admin console's table and its CSV export."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.audit.reading import AuditQuery
from failsafe.audit.reading import audit_rows as read_audit

COLUMNS = (
    "id", "occurred_at", "actor", "actor_role", "account_id", "engagement_id", "action",
    "target_type", "target_id", "ip",
)  # fmt: skip


@dataclass(frozen=True)
class AuditFilter:
    """The filters of the audit page, all optional; parsed from the query string."""

    action: str | None = None  # a prefix, e.g. "auth." or "connection.revoked"
    role: str | None = None
    account_id: uuid.UUID | None = None
    engagement_id: uuid.UUID | None = None
    since: date | None = None
    until: date | None = None  # inclusive day

    def query(self, *, before: int | None = None) -> AuditQuery:
        """The audit log query for these filters (``until`` takes in its whole day)."""
        return AuditQuery(
            before=before,
            action_prefix=self.action or None,
            role=self.role,
            account_id=self.account_id,
            engagement_id=self.engagement_id,
            since=_start(self.since),
            until=_start(self.until + timedelta(days=1)) if self.until else None,
        )


def _start(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day else None


async def audit_rows(
    session: AsyncSession, filters: AuditFilter, *, before: int | None = None, limit: int = 100
) -> list[Any]:
    """Audit rows matching ``filters``, newest first (RLS: admins see every row)."""
    return list(await read_audit(session, filters.query(before=before), limit=limit))
