"""Write audit rows in the same transaction as the action they record."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.db.actor import Actor, UserActor

_INSERT = text(
    "INSERT INTO audit_log (actor, actor_user_id, actor_role, account_id, engagement_id, action,"
    " target_type, target_id, ip, details)"
    " VALUES (:actor, :actor_user_id, :actor_role, :account_id, :engagement_id, :action,"
    " :target_type, :target_id, CAST(:ip AS inet), CAST(:details AS jsonb))"
)


async def record(
    session: AsyncSession,
    actor: Actor,
    action: str,
    *,
    account_id: uuid.UUID | None = None,
    engagement_id: uuid.UUID | None = None,
    target_type: str | None = None,
    target_id: str | uuid.UUID | None = None,
    ip: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Append one audit row; ``action`` is a dotted name such as ``connection.revoked``.

    ``details`` holds ids and counts only, never secrets or tenant content.
    """
    if account_id is None and isinstance(actor, UserActor):
        account_id = actor.account_id
    await session.execute(
        _INSERT,
        {
            "actor": actor.label,
            "actor_user_id": actor.user_id if isinstance(actor, UserActor) else None,
            "actor_role": actor.role_name,
            "account_id": account_id,
            "engagement_id": engagement_id,
            "action": action,
            "target_type": target_type,
            "target_id": str(target_id) if target_id is not None else None,
            "ip": ip,
            "details": json.dumps(dict(details or {}), default=str),
        },
    )
