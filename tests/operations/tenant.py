"""Populate one tenant with a row in every kind of table, directly as the superuser."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg


@dataclass
class Tenant:
    account_id: uuid.UUID
    user_id: uuid.UUID
    engagement_id: uuid.UUID
    connection_id: uuid.UUID
    scan_id: uuid.UUID
    report_file: Path


def _one(conn: psycopg.Connection, sql: str, params: tuple[object, ...]) -> uuid.UUID:
    row = conn.execute(sql, params).fetchone()
    assert row is not None
    value = row[0]
    assert isinstance(value, uuid.UUID)
    return value


def populate(conn: psycopg.Connection, name: str, storage_dir: Path) -> Tenant:
    """An account with a user, an engagement, a connection, a scan, inventory, a session,
    mail, billing state, a digest opt-in, an audit row and a report file."""
    with conn.transaction():
        conn.execute("SELECT set_config('failsafe.role', 'system', true)")
        account = _one(
            conn, "INSERT INTO accounts (kind, name) VALUES ('customer', %s) RETURNING id", (name,)
        )
        user = _one(
            conn,
            "INSERT INTO users (account_id, email, role, email_verified_at)"
            " VALUES (%s, %s, 'client', now()) RETURNING id",
            (account, f"{name}@example.test"),
        )
        engagement = _one(
            conn,
            "INSERT INTO engagements (customer_account_id, name) VALUES (%s, %s) RETURNING id",
            (account, f"{name} engagement"),
        )
        connection = _one(
            conn,
            "INSERT INTO connections (engagement_id, provider, tenant_ref, status,"
            " sealed_credentials) VALUES (%s, 'microsoft', %s, 'active', 'sealed') RETURNING id",
            (engagement, f"{name}.onmicrosoft.com"),
        )
        scan = _one(
            conn,
            "INSERT INTO scans (engagement_id, connection_id, status, finished_at)"
            " VALUES (%s, %s, 'succeeded', now()) RETURNING id",
            (engagement, connection),
        )
        conn.execute(
            "INSERT INTO inventory_identities (engagement_id, scan_id, id, email, display_name,"
            " kind, enabled, mfa_methods, is_admin)"
            " VALUES (%s, %s, 'u1', %s, 'User', 'member', true, '{}', false)",
            (engagement, scan, f"person@{name}.test"),
        )
        conn.execute(
            "INSERT INTO connection_sync_cursors (connection_id, engagement_id, cursor)"
            " VALUES (%s, %s, '{}')",
            (connection, engagement),
        )
        conn.execute(
            "INSERT INTO sessions (user_id, token_hash, created_at, last_seen_at, expires_at)"
            " VALUES (%s, %s, now(), now(), now() + interval '1 hour')",
            (user, os.urandom(32)),
        )
        conn.execute(
            "INSERT INTO email_outbox (id, stream, account_id, to_address, template,"
            " next_attempt_at, created_at) VALUES (%s, 'transactional', %s, %s,"
            " 'verify_email', now(), now())",
            (uuid.uuid4(), account, f"{name}@example.test"),
        )
        conn.execute(
            "INSERT INTO billing_subscriptions (account_id, stripe_customer_id, updated_at)"
            " VALUES (%s, %s, now())",
            (account, f"cus_{name}"),
        )
        conn.execute(
            "INSERT INTO digest_subscriptions (user_id, account_id, opted_in_at)"
            " VALUES (%s, %s, now())",
            (user, account),
        )
        conn.execute(
            "INSERT INTO audit_log (actor, actor_role, account_id, engagement_id, action)"
            " VALUES ('system:test', 'system', %s, %s, 'engagement.created')",
            (account, engagement),
        )
    report = storage_dir / "reports" / str(engagement) / "report.pdf"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_bytes(b"%PDF-1.7 test report")
    return Tenant(account, user, engagement, connection, scan, report)


def remaining(conn: psycopg.Connection, tenant: Tenant) -> dict[str, int]:
    """Rows still referring to the tenant in any table with engagement_id/account_id/user_id,
    found from the catalog (run as the superuser, so RLS hides nothing)."""
    found: dict[str, int] = {}
    columns = {
        "engagement_id": tenant.engagement_id,
        "account_id": tenant.account_id,
        "user_id": tenant.user_id,
        "customer_account_id": tenant.account_id,
    }
    tables = conn.execute(
        "SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'failsafe' AND c.relkind = 'r' AND NOT a.attisdropped"
        " AND a.attname = ANY(%s)",
        (list(columns),),
    ).fetchall()
    for table, column in tables:
        row = conn.execute(
            f'SELECT count(*) FROM failsafe."{table}" WHERE "{column}" = %s',
            (columns[column],),
        ).fetchone()
        if row and row[0]:
            found[f"{table}.{column}"] = row[0]
    for table, key in (("accounts", tenant.account_id), ("users", tenant.user_id)):
        row = conn.execute(
            f"SELECT count(*) FROM failsafe.{table} WHERE id = %s",
            (key,),
        ).fetchone()
        if row and row[0]:
            found[f"{table}.id"] = row[0]
    return found
