"""Reading the audit log: newest first, keyset-paginated on id, every filter optional.

Only the filters given become conditions. One statement with ``(:x IS NULL OR col = :x)`` for
each would serve every combination, but once the driver prepares it, PostgreSQL's generic plan
must fit all of them and the audit log is the table that grows without bound.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, text
from sqlalchemy.ext.asyncio import AsyncSession

_SELECT = (
    "SELECT id, occurred_at, actor, actor_role, account_id, engagement_id, action,"
    " target_type, target_id, host(ip) AS ip, details FROM audit_log"
)


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """Which rows: all conditions given must hold."""

    before: int | None = None  # the id of the last row of the previous page
    action: str | None = None  # exactly this action
    action_prefix: str | None = None  # actions starting with this ("auth.")
    role: str | None = None
    account_id: uuid.UUID | None = None
    engagement_id: uuid.UUID | None = None
    since: datetime | None = None  # occurred at or after
    until: datetime | None = None  # occurred before


def _conditions(query: AuditQuery) -> tuple[list[str], dict[str, Any]]:
    clauses: list[str] = []
    params: dict[str, Any] = {}

    def where(clause: str, name: str, value: object) -> None:
        if value is not None:
            clauses.append(clause)
            params[name] = value

    where("id < :before", "before", query.before)
    where("action = :action", "action", query.action)
    if query.action_prefix:
        # LIKE metacharacters in the prefix match themselves, nothing more.
        escaped = query.action_prefix.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
        where("action LIKE :action_prefix", "action_prefix", f"{escaped}%")
    where("actor_role = :role", "role", query.role)
    where("account_id = :account_id", "account_id", query.account_id)
    where("engagement_id = :engagement_id", "engagement_id", query.engagement_id)
    where("occurred_at >= :since", "since", query.since)
    where("occurred_at < :until", "until", query.until)
    return clauses, params


async def audit_rows(
    session: AsyncSession, query: AuditQuery, *, limit: int
) -> Sequence[RowMapping]:
    """Rows matching ``query``, newest first, at most ``limit`` (RLS: admins see every row)."""
    clauses, params = _conditions(query)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    statement = text(f"{_SELECT}{where} ORDER BY id DESC LIMIT :limit")
    return (await session.execute(statement, {**params, "limit": limit})).mappings().all()
