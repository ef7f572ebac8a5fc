"""Re-seal every stored secret with the primary key."""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.secrets.keyring import KeyRing
from failsafe.secrets.registry import SEALED_COLUMNS, SealedColumn

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class RotationResult:
    column: str
    examined: int
    resealed: int


async def rotate_column(
    session: AsyncSession, ring: KeyRing, column: SealedColumn
) -> RotationResult:
    """Re-seal one column's values that were sealed by a key other than the primary."""
    rows = await session.execute(
        text(
            f"SELECT id, {column.column} FROM {column.table}"
            f" WHERE {column.column} IS NOT NULL FOR UPDATE"
        )
    )
    examined = resealed = 0
    for row_id, sealed in rows.all():
        examined += 1
        if not ring.needs_reseal(sealed):
            continue
        aad = column.associated_data(row_id)
        fresh = ring.seal(ring.open(sealed, aad), aad)
        await session.execute(
            text(f"UPDATE {column.table} SET {column.column} = :value WHERE id = :id"),
            {"value": fresh, "id": row_id},
        )
        resealed += 1
    name = f"{column.table}.{column.column}"
    log.info("secrets.column_rotated", column=name, examined=examined, resealed=resealed)
    return RotationResult(name, examined, resealed)


async def rotate_all(session: AsyncSession, ring: KeyRing) -> list[RotationResult]:
    """Re-seal every registered column; run as a system actor in one transaction."""
    return [await rotate_column(session, ring, column) for column in SEALED_COLUMNS]
