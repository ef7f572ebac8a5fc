"""Remove every row of an engagement or an account, discovered from the catalog.

Rows are deleted table by table (so the counts are exact), children first: a delete that a
foreign key refuses is retried after the others, inside a savepoint, until every table is
empty for the subject. Audit rows and deletion records are kept (see
:data:`failsafe.operations.catalog.KEPT_TABLES`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.operations.catalog import quoted, tables_with


async def _delete_where(
    session: AsyncSession, tables: Sequence[str], column: str, ids: Sequence[uuid.UUID]
) -> dict[str, int]:
    # Count first: a delete may cascade into a table not yet visited, and the record should
    # say how many rows of each table went, whichever statement removed them.
    counts: dict[str, int] = {}
    for table in tables:
        found = await session.execute(
            text(f"SELECT count(*) FROM {quoted(table)} WHERE {column} = ANY(:ids)"),
            {"ids": list(ids)},
        )
        counts[table] = int(found.scalar_one())
    pending = [table for table in tables if counts[table]]
    while pending:
        blocked: list[str] = []
        for table in pending:
            try:
                async with session.begin_nested():
                    await session.execute(
                        text(f"DELETE FROM {quoted(table)} WHERE {column} = ANY(:ids)"),
                        {"ids": list(ids)},
                    )
            except IntegrityError:
                blocked.append(table)
        if len(blocked) == len(pending):
            raise RuntimeError(f"cannot delete from {', '.join(blocked)}: foreign keys refuse")
        pending = blocked
    return counts


def _merge(total: dict[str, int], more: dict[str, int]) -> None:
    for table, count in more.items():
        if count:
            total[table] = total.get(table, 0) + count


async def purge_engagements(
    session: AsyncSession, engagement_ids: Sequence[uuid.UUID]
) -> dict[str, int]:
    """Delete the engagements and every engagement-scoped row of theirs; counts per table."""
    counts: dict[str, int] = {}
    if not engagement_ids:
        return counts
    scoped = await tables_with(session, "engagement_id")
    _merge(counts, await _delete_where(session, scoped, "engagement_id", engagement_ids))
    _merge(counts, await _delete_where(session, ["engagements"], "id", engagement_ids))
    return counts


async def account_engagements(session: AsyncSession, account_id: uuid.UUID) -> list[uuid.UUID]:
    """The engagements the account owns as the customer (a partner's managed ones stay)."""
    rows = await session.execute(
        text("SELECT id FROM engagements WHERE customer_account_id = :a ORDER BY id"),
        {"a": account_id},
    )
    return [row for (row,) in rows]


async def purge_account(session: AsyncSession, account_id: uuid.UUID) -> dict[str, int]:
    """Delete the account, its users, its engagements and every row that refers to them.

    A partner's managed client accounts and engagements are not the partner's data: the
    foreign keys detach them (``SET NULL``) and they stay with their customers.
    """
    counts = await purge_engagements(session, await account_engagements(session, account_id))

    users = [
        row
        for (row,) in await session.execute(
            text("SELECT id FROM users WHERE account_id = :a"), {"a": account_id}
        )
    ]
    if users:
        user_tables = [t for t in await tables_with(session, "user_id") if t != "users"]
        _merge(counts, await _delete_where(session, user_tables, "user_id", users))
    account_tables = await tables_with(session, "account_id")
    _merge(counts, await _delete_where(session, account_tables, "account_id", [account_id]))
    _merge(counts, await _delete_where(session, ["accounts"], "id", [account_id]))
    return counts
