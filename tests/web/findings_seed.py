"""Insert findings straight into the table (as a system actor through the owner role)."""

from __future__ import annotations

import uuid

import psycopg

SEVERITIES = ("critical", "high", "medium", "low", "info")

INSERT_FINDINGS = """
INSERT INTO findings (engagement_id, scan_id, connection_id, provider, rule_id, fingerprint,
    subject, family, severity, severity_rank, title, evidence, first_seen_scan_id, first_seen_at)
SELECT %(engagement)s, %(scan)s, %(connection)s, 'microsoft',
    'AP-' || lpad((g %% 40 + 1)::text, 3, '0'),
    encode(sha256(convert_to(%(scan)s::text || g::text, 'UTF8')), 'hex'),
    'app:' || g, 'app_permissions',
    (ARRAY['critical','high','medium','low','info'])[g %% 5 + 1], g %% 5,
    'Finding ' || g, jsonb_build_object('n', g), %(scan)s, now()
FROM generate_series(1, %(rows)s) AS g
"""


def seed_findings(conn: psycopg.Connection, engagement_id: uuid.UUID, rows: int) -> uuid.UUID:
    """A connection, a succeeded scan and ``rows`` findings for it; returns the scan id."""
    with conn.transaction():
        conn.execute("SELECT set_config('failsafe.role', 'system', true)")
        connection = conn.execute(
            "INSERT INTO connections (engagement_id, provider, tenant_ref)"
            " VALUES (%s, 'microsoft', %s) RETURNING id",
            (engagement_id, f"tenant-{uuid.uuid4().hex[:8]}"),
        ).fetchone()
        assert connection is not None
        scan = conn.execute(
            "INSERT INTO scans (engagement_id, connection_id, status, finished_at)"
            " VALUES (%s, %s, 'succeeded', now()) RETURNING id",
            (engagement_id, connection[0]),
        ).fetchone()
        assert scan is not None
        conn.execute(
            INSERT_FINDINGS,
            {
                "engagement": engagement_id,
                "scan": scan[0],
                "connection": connection[0],
                "rows": rows,
            },
        )
    return scan[0]
