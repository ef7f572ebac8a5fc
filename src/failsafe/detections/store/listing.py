"""List stored findings with filters and keyset pagination on (severity rank, id)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.detections.model import Family, Severity
from failsafe.detections.store.schemas import (
    FindingFilters,
    FindingsPage,
    StoredFinding,
    decode_cursor,
    encode_cursor,
)
from failsafe.errors import ValidationFailed
from failsafe.scans.latest import LATEST_COMPLETE_SCANS

MAX_LIMIT = 500
# The page's columns are StoredFinding's fields in order, so a row unpacks into one by position
# (a SQLAlchemy Row's attribute access costs about 0.3 µs per name, 15 per row), and then the
# rank the cursor needs.
_FIELDS = tuple(field.name for field in fields(StoredFinding))
_COLUMNS = ", ".join((*_FIELDS, "severity_rank"))
# The outer select also hands monthly_cost over as a float (the field's type), not a Decimal.
_PAGE_COLUMNS = _COLUMNS.replace("monthly_cost", "monthly_cost::float8 AS monthly_cost")
_LATEST_SCANS = text(LATEST_COMPLETE_SCANS)


async def latest_scan_ids(session: AsyncSession, engagement_id: uuid.UUID) -> list[uuid.UUID]:
    """The newest complete scan of each of the engagement's connections."""
    rows = await session.execute(_LATEST_SCANS, {"engagement_id": engagement_id})
    return [row[0] for row in rows]


def _validate(filters: FindingFilters) -> None:
    if filters.family is not None and filters.family not in {f.value for f in Family}:
        raise ValidationFailed("unknown family")
    if filters.severity is not None and filters.severity not in {s.value for s in Severity}:
        raise ValidationFailed("unknown severity")


async def list_findings(
    session: AsyncSession,
    scan_ids: Sequence[uuid.UUID],
    filters: FindingFilters | None = None,
    *,
    cursor: str | None = None,
    limit: int = 50,
) -> FindingsPage:
    """One page of findings of ``scan_ids``, worst first, then oldest row first."""
    filters = filters or FindingFilters()
    _validate(filters)
    limit = max(1, min(limit, MAX_LIMIT))
    if not scan_ids:
        return FindingsPage([], None)
    clauses: list[str] = []
    params: dict[str, Any] = {"limit": limit + 1}
    for column in ("family", "severity", "status", "provider", "rule_id"):
        value = getattr(filters, column)
        if value is not None:
            clauses.append(f"{column} = :{column}")
            params[column] = value
    if filters.control is not None:
        clauses.append("controls @> ARRAY[CAST(:control AS text)]")
        params["control"] = filters.control
    if cursor is not None:
        rank, row_id = decode_cursor(cursor)
        clauses.append("(severity_rank, id) > (:rank, :row_id)")
        params.update(rank=rank, row_id=row_id)
    statement = text(_page_of_scans(len(scan_ids), clauses))
    params.update({f"scan_{index}": scan_id for index, scan_id in enumerate(scan_ids)})
    rows = (await session.execute(statement, params)).all()
    items = [StoredFinding(*row[:-1]) for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor(int(last.severity_rank), int(last.id))
    return FindingsPage(items, next_cursor)


def _page_of_scans(scans: int, clauses: list[str]) -> str:
    """One ordered index range per scan on (scan_id, severity_rank, id), merged.

    Each scan is its own branch with its own parameter, so the planner sees the real scan id
    and its real size: behind a join parameter it would assume an average scan, and for a big
    one prefer combining the scan and RLS engagement indexes and sorting every finding.
    """
    branches = [
        f"(SELECT {_COLUMNS} FROM findings"
        f" WHERE {' AND '.join([f'scan_id = :scan_{index}', *clauses])}"
        " ORDER BY severity_rank, id LIMIT :limit)"
        for index in range(scans)
    ]
    return (
        f"SELECT {_PAGE_COLUMNS} FROM ({' UNION ALL '.join(branches)}) AS page"
        " ORDER BY severity_rank, id LIMIT :limit"
    )
