"""Reading the audit log: each filter alone and together, LIKE metacharacters, pagination."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from failsafe.audit.reading import AuditQuery, audit_rows
from failsafe.db.actor import SystemActor
from failsafe.db.engine import Database

ACCOUNT = uuid.uuid4()
ENGAGEMENT = uuid.uuid4()
NOW = datetime.now(UTC)


@pytest.fixture
def rows(owner: psycopg.Connection) -> dict[str, int]:
    """Six rows as the owner writes them (it may set occurred_at); action -> id."""
    seeded = [
        ("auth.signed_in", "client", ACCOUNT, None, timedelta(days=3)),
        ("auth.signed_out", "client", ACCOUNT, None, timedelta(days=2)),
        ("authx.other", "partner", None, None, timedelta(days=2)),
        ("auth_x.other", "partner", None, None, timedelta(days=2)),
        ("connection.revoked", "partner", ACCOUNT, ENGAGEMENT, timedelta(days=1)),
        ("admin.engagement_read", "admin", None, ENGAGEMENT, timedelta(hours=1)),
    ]
    ids: dict[str, int] = {}
    with owner.transaction():
        owner.execute("SELECT set_config('failsafe.role', 'system', true)")
        for action, role, account, engagement, age in seeded:
            row = owner.execute(
                "INSERT INTO audit_log (occurred_at, actor, actor_role, account_id,"
                " engagement_id, action) VALUES (%s, 'test', %s, %s, %s, %s) RETURNING id",
                (NOW - age, role, account, engagement, action),
            ).fetchone()
            assert row is not None
            ids[action] = int(row[0])
    return ids


async def _actions(db: Database, query: AuditQuery, limit: int = 100) -> list[str]:
    async with db.transaction(SystemActor("test.audit_reader")) as session:
        return [row["action"] for row in await audit_rows(session, query, limit=limit)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (AuditQuery(), ["admin.engagement_read", "connection.revoked", "auth_x.other",
                        "authx.other", "auth.signed_out", "auth.signed_in"]),
        (AuditQuery(action="auth.signed_in"), ["auth.signed_in"]),
        # "_" and "%" in a prefix are themselves, not LIKE wildcards.
        (AuditQuery(action_prefix="auth."), ["auth.signed_out", "auth.signed_in"]),
        (AuditQuery(action_prefix="auth_"), ["auth_x.other"]),
        (AuditQuery(action_prefix="%"), []),
        (AuditQuery(role="partner"), ["connection.revoked", "auth_x.other", "authx.other"]),
        (AuditQuery(account_id=ACCOUNT), ["connection.revoked", "auth.signed_out",
                                          "auth.signed_in"]),
        (AuditQuery(engagement_id=ENGAGEMENT), ["admin.engagement_read", "connection.revoked"]),
        (AuditQuery(since=NOW - timedelta(days=1, hours=1), until=NOW - timedelta(hours=2)),
         ["connection.revoked"]),
        (AuditQuery(role="partner", account_id=ACCOUNT, engagement_id=ENGAGEMENT),
         ["connection.revoked"]),
    ],
)  # fmt: skip
async def test_filters(
    db: Database, rows: dict[str, int], query: AuditQuery, expected: list[str]
) -> None:
    assert await _actions(db, query) == expected


async def test_pages_follow_the_id_of_the_last_row(db: Database, rows: dict[str, int]) -> None:
    first = await _actions(db, AuditQuery(role="partner"), limit=2)
    after = rows[first[-1]]
    second = await _actions(db, AuditQuery(role="partner", before=after), limit=2)

    assert first == ["connection.revoked", "auth_x.other"]
    assert second == ["authx.other"]
