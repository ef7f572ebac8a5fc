"""List stored findings with filters and keyset pagination on (severity rank, id)."""

from __future__ import annotations

import json
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
# Each field of StoredFinding under its own name, as the API sends it; times in UTC.
_RFC3339_UTC = """'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'"""
_JSON_VALUES = {"first_seen_at": f"to_char(first_seen_at AT TIME ZONE 'UTC', {_RFC3339_UTC})"}
_ITEM_JSON = "json_build_object({})".format(
    ", ".join(f"'{name}', {_JSON_VALUES.get(name, name)}" for name in _FIELDS)
)


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
    query = _page_query(scan_ids, filters, cursor, limit)
    if query is None:
        return FindingsPage([], None)

    statement, params, limit = query
    rows = (await session.execute(text(statement), params)).all()

    items = [StoredFinding(*row[:-1]) for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor(int(last.severity_rank), int(last.id))
    return FindingsPage(items, next_cursor)


async def list_findings_json(
    session: AsyncSession,
    scan_ids: Sequence[uuid.UUID],
    filters: FindingFilters | None = None,
    *,
    cursor: str | None = None,
    limit: int = 50,
) -> bytes:
    """The page :func:`list_findings` returns, as the API's JSON, built by PostgreSQL.

    The database writes the items' JSON while it reads them, so the app neither decodes the
    rows into objects nor encodes them again: about a sixth of an API worker's CPU per page.
    ``first_seen_at`` is written in UTC with a ``Z`` and microseconds, as RFC 3339 allows.
    """
    query = _page_query(scan_ids, filters, cursor, limit)
    if query is None:
        return _page_body("[]", None)

    statement, params, limit = query
    row = (await session.execute(text(_as_json(statement)), {**params, "page": limit})).one()

    items, last_rank, last_id, more = row
    return _page_body(items, encode_cursor(last_rank, last_id) if more else None)


def _page_query(
    scan_ids: Sequence[uuid.UUID],
    filters: FindingFilters | None,
    cursor: str | None,
    limit: int,
) -> tuple[str, dict[str, Any], int] | None:
    """The page's SQL (one row past the page, to tell whether more follow), its parameters and
    the page size; None when there is no scan to list."""
    filters = filters or FindingFilters()
    _validate(filters)
    limit = max(1, min(limit, MAX_LIMIT))
    if not scan_ids:
        return None

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

    params.update({f"scan_{index}": scan_id for index, scan_id in enumerate(scan_ids)})
    return _page_of_scans(len(scan_ids), clauses), params, limit


def _as_json(page_statement: str) -> str:
    """Wrap the page's SQL: the first ``:page`` rows as one JSON array (text, so the driver
    passes it through undecoded), the cursor key of the last of them, and whether more follow."""
    return (
        f"SELECT coalesce(json_agg({_ITEM_JSON} ORDER BY n) FILTER (WHERE n <= :page), '[]')::text,"
        " max(severity_rank) FILTER (WHERE n = :page), max(id) FILTER (WHERE n = :page),"
        " count(*) > :page"
        " FROM (SELECT page.*, row_number() OVER (ORDER BY severity_rank, id) AS n"
        f" FROM ({page_statement}) AS page) AS numbered"
    )


def _page_body(items: str, next_cursor: str | None) -> bytes:
    return b"".join(
        (b'{"items":', items.encode(), b',"next_cursor":', json.dumps(next_cursor).encode(), b"}")
    )


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
