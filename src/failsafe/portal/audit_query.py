"""The audit log query behind the admin console's table and its CSV export."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

COLUMNS = (
    "id", "occurred_at", "actor", "actor_role", "account_id", "engagement_id", "action",
    "target_type", "target_id", "ip",
)  # fmt: skip

_QUERY = text(
    "SELECT id, occurred_at, actor, actor_role, account_id, engagement_id, action,"
    " target_type, target_id, host(ip) AS ip, details FROM audit_log"
    " WHERE (CAST(:before AS bigint) IS NULL OR id < CAST(:before AS bigint))"
    " AND (CAST(:action AS text) IS NULL OR action LIKE CAST(:action AS text))"
    " AND (CAST(:role AS text) IS NULL OR actor_role = CAST(:role AS text))"
    " AND (CAST(:account_id AS uuid) IS NULL OR account_id = CAST(:account_id AS uuid))"
    " AND (CAST(:engagement_id AS uuid) IS NULL"
    "      OR engagement_id = CAST(:engagement_id AS uuid))"
    " AND (CAST(:since AS timestamptz) IS NULL OR occurred_at >= CAST(:since AS timestamptz))"
    " AND (CAST(:until AS timestamptz) IS NULL OR occurred_at < CAST(:until AS timestamptz))"
    " ORDER BY id DESC LIMIT :limit"
)


@dataclass(frozen=True)
class AuditFilter:
    """The filters of the audit page, all optional; parsed from the query string."""

    action: str | None = None  # a prefix, e.g. "auth." or "connection.revoked"
    role: str | None = None
    account_id: uuid.UUID | None = None
    engagement_id: uuid.UUID | None = None
    since: date | None = None
    until: date | None = None  # inclusive day

    def params(self) -> dict[str, Any]:
        """Bind parameters; LIKE metacharacters in the prefix are escaped by refusing them."""
        prefix = self.action.replace("%", "").replace("_", r"\_") if self.action else None
        return {
            "action": f"{prefix}%" if prefix else None,
            "role": self.role,
            "account_id": self.account_id,
            "engagement_id": self.engagement_id,
            "since": _start(self.since),
            "until": _start(self.until + timedelta(days=1)) if self.until else None,
        }


def _start(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day else None


async def audit_rows(
    session: AsyncSession, filters: AuditFilter, *, before: int | None = None, limit: int = 100
) -> list[Any]:
    """Audit rows matching ``filters``, newest first (RLS: admins see every row)."""
    params = {**filters.params(), "before": before, "limit": limit}
    return list((await session.execute(_QUERY, params)).mappings().all())
