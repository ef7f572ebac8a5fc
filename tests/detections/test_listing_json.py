"""The API's page written by PostgreSQL holds exactly what the Python page holds."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict
from datetime import datetime
from typing import Any

import psycopg

from failsafe.db.actor import SystemActor
from failsafe.db.engine import Database
from failsafe.detections.store.schemas import FindingFilters, FindingsPage
from failsafe.detections.store.service import list_findings, list_findings_json
from tests.web.findings_seed import seed_findings
from tests.world import as_system, build_world

SYSTEM = SystemActor("test")


def _typed(item: dict[str, Any]) -> dict[str, Any]:
    """A JSON item with the Python types of StoredFinding's fields."""
    at = item["first_seen_at"]
    assert at.endswith("Z")  # UTC, written the one way
    return {
        **item,
        "scan_id": uuid.UUID(item["scan_id"]),
        "first_seen_scan_id": uuid.UUID(item["first_seen_scan_id"]),
        "first_seen_at": datetime.fromisoformat(at),
    }


def _same(body: bytes, page: FindingsPage) -> None:
    sent = json.loads(body)
    assert list(sent) == ["items", "next_cursor"]
    assert [_typed(item) for item in sent["items"]] == [asdict(item) for item in page.items]
    assert sent["next_cursor"] == page.next_cursor


async def test_json_pages_match_the_python_pages(db: Database, owner: psycopg.Connection) -> None:
    world = build_world(owner)
    engagement = world.engagements["eng_a1"]
    scans = [seed_findings(owner, engagement, 23), seed_findings(owner, engagement, 9)]
    with owner.transaction():
        as_system(owner)
        # Costs with cents and none; a time with microseconds; evidence with nesting and text
        # JSON must escape.
        owner.execute(
            "UPDATE findings SET monthly_cost = CASE WHEN subject LIKE '%%3' THEN 12.34 END,"
            " first_seen_at = '2026-03-04 05:06:07.089123+02',"
            """ evidence = jsonb_build_object('n', 1, 'who', jsonb_build_array('a"b', 'ü\\n'))"""
            " WHERE scan_id = %s AND subject IN ('app:3', 'app:4', 'app:13')",
            (scans[0],),
        )

    cases = [  # filters, page size, pages expected
        ({}, 5, 7),
        ({}, 500, 1),
        ({"severity": "high"}, 2, 4),  # 5 + 2 high findings
        ({"family": "identity"}, 10, 1),  # nothing matches
    ]
    async with db.transaction(SYSTEM) as session:
        for filters, limit, expected in cases:
            cursor: str | None = None
            pages = 0
            while True:
                page = await list_findings(
                    session, scans, FindingFilters(**filters), cursor=cursor, limit=limit
                )
                body = await list_findings_json(
                    session, scans, FindingFilters(**filters), cursor=cursor, limit=limit
                )
                _same(body, page)
                pages += 1
                cursor = page.next_cursor
                if cursor is None:
                    break
            assert pages == expected

        _same(await list_findings_json(session, []), await list_findings(session, []))
