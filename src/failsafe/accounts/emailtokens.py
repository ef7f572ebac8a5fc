"""Single-use emailed tokens (verification, reset, invitation): hashed, short-lived.

Consuming is one atomic UPDATE, so a token works once even under concurrent use. Runs as a
system actor: the table is reached before anyone is signed in.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.accounts.crypto import digest, new_token

Purpose = Literal["verify_email", "reset_password", "invite"]

LIFETIMES: dict[str, timedelta] = {
    "verify_email": timedelta(hours=48),
    "reset_password": timedelta(minutes=30),
    "invite": timedelta(days=7),
}


async def issue(session: AsyncSession, user_id: uuid.UUID, purpose: Purpose, now: datetime) -> str:
    """A new token for ``purpose``; earlier unused ones of the same purpose stop working."""
    await session.execute(
        text(
            "UPDATE email_tokens SET used_at = :now"
            " WHERE user_id = :user_id AND purpose = :purpose AND used_at IS NULL"
        ),
        {"now": now, "user_id": user_id, "purpose": purpose},
    )
    raw = new_token()
    await session.execute(
        text(
            "INSERT INTO email_tokens (user_id, purpose, token_hash, created_at, expires_at)"
            " VALUES (:user_id, :purpose, :token_hash, :now, :expires_at)"
        ),
        {
            "user_id": user_id,
            "purpose": purpose,
            "token_hash": digest(raw),
            "now": now,
            "expires_at": now + LIFETIMES[purpose],
        },
    )
    return raw


async def peek(
    session: AsyncSession, raw: str, purpose: Purpose, now: datetime
) -> uuid.UUID | None:
    """The user of a live token, without consuming it."""
    user_id: uuid.UUID | None = await session.scalar(
        text(
            "SELECT user_id FROM email_tokens WHERE token_hash = :token_hash"
            " AND purpose = :purpose AND used_at IS NULL AND expires_at > :now"
        ),
        {"token_hash": digest(raw), "purpose": purpose, "now": now},
    )
    return user_id


async def consume(
    session: AsyncSession, raw: str, purpose: Purpose, now: datetime
) -> uuid.UUID | None:
    """Spend a live token and return its user, or None if unknown, used or expired."""
    user_id: uuid.UUID | None = await session.scalar(
        text(
            "UPDATE email_tokens SET used_at = :now WHERE token_hash = :token_hash"
            " AND purpose = :purpose AND used_at IS NULL AND expires_at > :now RETURNING user_id"
        ),
        {"token_hash": digest(raw), "purpose": purpose, "now": now},
    )
    return user_id
