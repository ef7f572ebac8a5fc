"""Which tables hold tenant rows, read from the PostgreSQL catalog rather than a list.

Any table another domain adds with an ``engagement_id``, ``account_id`` or ``user_id`` column is
covered by deletion and retention the day it lands, without touching this package.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.db.urls import SCHEMA

# Kept by design: the audit log outlives the data (24 months) and deletion records are the
# evidence that a deletion happened (ids and counts only).
KEPT_TABLES = frozenset({"audit_log", "deletion_records"})

_TABLES_WITH = text(
    "SELECT c.relname FROM pg_attribute a"
    " JOIN pg_class c ON c.oid = a.attrelid"
    " JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = :schema AND c.relkind IN ('r', 'p') AND a.attname = :column"
    " AND NOT a.attisdropped AND c.relname NOT LIKE 'procrastinate%'"
    " ORDER BY c.relname"
)


async def tables_with(session: AsyncSession, column: str) -> list[str]:
    """Tables of FailSafe's schema with ``column``, except the kept ones."""
    rows = await session.execute(_TABLES_WITH, {"schema": SCHEMA, "column": column})
    return [name for (name,) in rows if name not in KEPT_TABLES]


def quoted(table: str) -> str:
    """A schema-qualified identifier for a name that came from the catalog."""
    if not table.replace("_", "").isalnum():
        raise ValueError(f"unexpected table name {table!r}")
    return f'{SCHEMA}."{table}"'
