"""``/audit``: the audit log, for admins, newest first, paginated by cursor."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from failsafe.audit.reading import AuditQuery, audit_rows
from failsafe.db.actor import Role
from failsafe.errors import BadRequest, Forbidden
from failsafe.web.api.schemas import ERRORS
from failsafe.web.deps import CurrentActor, DbSession

router = APIRouter(prefix="/audit", tags=["audit"], responses=ERRORS)


class AuditRowOut(BaseModel):
    id: int
    occurred_at: datetime
    actor: str
    actor_role: str
    account_id: uuid.UUID | None
    engagement_id: uuid.UUID | None
    action: str
    target_type: str | None
    target_id: str | None
    ip: str | None
    details: dict[str, Any]


class AuditPageOut(BaseModel):
    items: list[AuditRowOut]
    next_cursor: str | None


@router.get("", response_model=AuditPageOut)
async def audit_log(
    actor: CurrentActor,
    session: DbSession,
    cursor: Annotated[str | None, Query(max_length=20, pattern=r"^[0-9]+$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    action: Annotated[str | None, Query(max_length=100)] = None,
    account_id: uuid.UUID | None = None,
    engagement_id: uuid.UUID | None = None,
) -> AuditPageOut:
    """Audit rows (admins only), newest first; pass ``next_cursor`` back for the next page."""
    if actor.role is not Role.ADMIN:
        raise Forbidden("the audit log is for FailSafe admins")
    try:
        before = int(cursor) if cursor else None
    except ValueError as exc:
        raise BadRequest("invalid cursor") from exc
    if before is not None and before > 2**62:
        raise BadRequest("invalid cursor")
    query = AuditQuery(
        before=before, action=action, account_id=account_id, engagement_id=engagement_id
    )
    rows = await audit_rows(session, query, limit=limit + 1)
    items = [AuditRowOut(**row) for row in rows[:limit]]
    next_cursor = str(items[-1].id) if len(rows) > limit and items else None
    return AuditPageOut(items=items, next_cursor=next_cursor)
