"""Run a few statements of a user's transaction as a named system actor, then switch back.

Used where a user's action must touch rows their RLS does not reach (another user's sessions
when an account is deleted, the system-only email tokens of an invitation). The caller has
already checked the permission; the audit row still names the user.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.db.actor import Actor, SystemActor
from failsafe.db.engine import set_actor


@asynccontextmanager
async def elevated(session: AsyncSession, restore: Actor, name: str) -> AsyncIterator[None]:
    """Act as ``SystemActor(name)`` inside the block; ``restore`` afterwards (even on error)."""
    await session.flush()
    await set_actor(session, SystemActor(name))
    try:
        yield
        await session.flush()
    finally:
        await set_actor(session, restore)
