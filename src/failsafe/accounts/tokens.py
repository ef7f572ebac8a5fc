"""Personal API tokens (``Authorization: Bearer fs_...``): scoped, revocable, hashed at rest.

A token stands for its user with the user's role, limited to reads when its scope is ``read``.
Bearer requests carry no ambient credential, so they are exempt from CSRF checks.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.accounts.crypto import digest, new_token
from failsafe.accounts.models import ApiToken
from failsafe.accounts.principal import Principal
from failsafe.db.actor import Role, UserActor

TOKEN_PREFIX = "fs_"
TOUCH_EVERY = timedelta(seconds=60)
Scope = Literal["read", "write"]


@dataclass(frozen=True)
class IssuedToken:
    """The row and the raw token, shown to the user exactly once."""

    token: ApiToken
    raw: str


async def issue_token(
    session: AsyncSession,
    actor: UserActor,
    *,
    name: str,
    scope: Scope,
    now: datetime,
    expires_at: datetime | None = None,
) -> IssuedToken:
    """Create a token for the acting user (runs under the user's RLS)."""
    raw = new_token(TOKEN_PREFIX)
    row = ApiToken(
        user_id=actor.user_id,
        name=name,
        prefix=raw[:10],
        token_hash=digest(raw),
        scope=scope,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(row)
    await session.flush()
    return IssuedToken(token=row, raw=raw)


async def list_tokens(session: AsyncSession, actor: UserActor) -> list[ApiToken]:
    """The acting user's tokens, newest first (revoked ones included, marked)."""
    rows = await session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == actor.user_id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id)
    )
    return list(rows)


async def revoke_token(
    session: AsyncSession, actor: UserActor, token_id: uuid.UUID, *, now: datetime
) -> bool:
    """Revoke one of the acting user's tokens; False when there is no such live token."""
    result = await session.execute(
        text(
            "UPDATE api_tokens SET revoked_at = :now"
            " WHERE id = :id AND user_id = :user_id AND revoked_at IS NULL RETURNING id"
        ),
        {"now": now, "id": token_id, "user_id": actor.user_id},
    )
    return result.first() is not None


async def revoke_user_tokens(session: AsyncSession, user_id: uuid.UUID, *, now: datetime) -> int:
    """Revoke every live token of a user (account deletion)."""
    result = await session.execute(
        text(
            "UPDATE api_tokens SET revoked_at = :now"
            " WHERE user_id = :user_id AND revoked_at IS NULL RETURNING id"
        ),
        {"now": now, "user_id": user_id},
    )
    return len(result.all())


_RESOLVE = text(
    """
    SELECT t.id, t.user_id, u.account_id, u.role, t.scope, t.last_used_at,
           EXISTS (SELECT 1 FROM mfa_totp m
                   WHERE m.user_id = u.id AND m.confirmed_at IS NOT NULL) AS mfa_enrolled
    FROM api_tokens t
    JOIN users u ON u.id = t.user_id
    JOIN accounts a ON a.id = u.account_id
    WHERE t.token_hash = :token_hash AND t.revoked_at IS NULL
      AND (t.expires_at IS NULL OR t.expires_at > :now)
      AND u.status = 'active' AND a.status = 'active'
    """
)


async def lookup_token(
    session: AsyncSession, raw: str, *, now: datetime
) -> tuple[Principal, bool] | None:
    """The principal behind a bearer token and whether ``last_used_at`` is due a write."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    row = (await session.execute(_RESOLVE, {"token_hash": digest(raw), "now": now})).one_or_none()
    if row is None:
        return None
    principal = Principal(
        actor=UserActor(user_id=row.user_id, account_id=row.account_id, role=Role(row.role)),
        via="token",
        credential_id=row.id,
        mfa_enrolled=bool(row.mfa_enrolled),
        # A token is created from a fully authenticated session; it carries that assurance.
        mfa_verified=True,
        scope="read" if row.scope == "read" else "write",
    )
    return principal, row.last_used_at is None or row.last_used_at < now - TOUCH_EVERY


async def touch_token(session: AsyncSession, token_id: uuid.UUID, *, now: datetime) -> None:
    await session.execute(
        text("UPDATE api_tokens SET last_used_at = :now WHERE id = :id"),
        {"now": now, "id": token_id},
    )


async def resolve_token(session: AsyncSession, raw: str, *, now: datetime) -> Principal | None:
    """:func:`lookup_token` and, when due, :func:`touch_token` in the same transaction."""
    found = await lookup_token(session, raw, now=now)
    if found is None:
        return None
    principal, touch_due = found
    if touch_due:
        await touch_token(session, principal.credential_id, now=now)
    return principal
