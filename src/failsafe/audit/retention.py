"""Audit rows are kept 24 months; the database function enforces the floor."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def purge_expired(session: AsyncSession) -> int:
    """Remove audit rows older than 24 months; returns how many went."""
    result = await session.execute(text("SELECT audit_log_retention()"))
    return int(result.scalar_one())
