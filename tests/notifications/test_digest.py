"""The weekly digest counts the open findings of each connection's latest complete scan."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

import psycopg

from failsafe.notifications.digest import queue_weekly_digest
from failsafe.runtime import Runtime

NOW = dt.datetime(2026, 6, 1, 6, 0, tzinfo=dt.UTC)


def _id(conn: psycopg.Connection, sql: str, params: tuple[object, ...]) -> uuid.UUID:
    row = conn.execute(sql, params).fetchone()
    assert row is not None and isinstance(row[0], uuid.UUID)
    return row[0]


def _scan(
    conn: psycopg.Connection,
    engagement: uuid.UUID,
    connection: uuid.UUID,
    status: str,
    days_ago: int,
    findings: dict[str, int],
) -> None:
    """A scan queued ``days_ago`` with ``findings`` (status -> how many)."""
    queued = NOW - dt.timedelta(days=days_ago)
    scan = _id(
        conn,
        "INSERT INTO scans (engagement_id, connection_id, status, queued_at, finished_at)"
        " VALUES (%s, %s, %s, %s, %s) RETURNING id",
        (engagement, connection, status, queued, queued + dt.timedelta(minutes=5)),
    )
    n = 0
    for finding_status, count in findings.items():
        for _ in range(count):
            n += 1
            conn.execute(
                "INSERT INTO findings (engagement_id, scan_id, connection_id, provider, rule_id,"
                " fingerprint, subject, family, severity, severity_rank, title,"
                " first_seen_scan_id, first_seen_at, status)"
                " VALUES (%s, %s, %s, 'microsoft', 'ID-001', %s, %s, 'identity', 'critical', 0,"
                " 't', %s, %s, %s)",
                (
                    engagement,
                    scan,
                    connection,
                    hashlib.sha256(f"{scan}{n}".encode()).hexdigest(),
                    f"user{n}",
                    scan,
                    queued,
                    finding_status,
                ),
            )


def _tenant(conn: psycopg.Connection) -> None:
    with conn.transaction():
        conn.execute("SELECT set_config('failsafe.role', 'system', true)")
        account = _id(
            conn, "INSERT INTO accounts (kind, name) VALUES ('customer', 'A') RETURNING id", ()
        )
        user = _id(
            conn,
            "INSERT INTO users (account_id, email, role, email_verified_at)"
            " VALUES (%s, 'reader@example.test', 'client', now()) RETURNING id",
            (account,),
        )
        conn.execute(
            "INSERT INTO digest_subscriptions (user_id, account_id, opted_in_at)"
            " VALUES (%s, %s, now())",
            (user, account),
        )
        scanned = _id(
            conn,
            "INSERT INTO engagements (customer_account_id, name) VALUES (%s, 'Scanned')"
            " RETURNING id",
            (account,),
        )
        conn.execute(
            "INSERT INTO engagements (customer_account_id, name) VALUES (%s, 'Unscanned')",
            (account,),
        )
        microsoft, google = (
            _id(
                conn,
                "INSERT INTO connections (engagement_id, provider, tenant_ref, status)"
                " VALUES (%s, %s, %s, 'active') RETURNING id",
                (scanned, provider, f"{provider}-tenant"),
            )
            for provider in ("microsoft", "google")
        )
        # Microsoft: the newest complete scan holds 1 open finding; an older one held 3, and a
        # failed scan after both counts for nothing.
        _scan(conn, scanned, microsoft, "succeeded", 14, {"open": 3})
        _scan(conn, scanned, microsoft, "succeeded", 7, {"open": 1, "accepted": 1, "resolved": 1})
        _scan(conn, scanned, microsoft, "failed", 1, {"open": 5})
        # Google: a partial scan is complete too.
        _scan(conn, scanned, google, "partial", 3, {"open": 2, "accepted": 2})


async def test_digest_counts_open_findings_of_the_latest_complete_scans(
    runtime: Runtime, superuser: psycopg.Connection
) -> None:
    _tenant(superuser)

    queued = await queue_weekly_digest(
        runtime.database, runtime.keyring, "https://portal.test", now=NOW
    )

    assert queued == 1
    row = superuser.execute(
        "SELECT context FROM email_outbox WHERE template = 'weekly_digest'"
    ).fetchone()
    assert row is not None
    context = row[0]
    assert context["open_findings"] == 3
    by_name = {e["name"]: e for e in context["engagements"]}
    assert by_name["Scanned"]["open_findings"] == 3
    assert by_name["Unscanned"] == {"name": "Unscanned", "open_findings": 0, "last_scan": "never"}
