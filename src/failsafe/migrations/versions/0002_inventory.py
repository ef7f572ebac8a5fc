"""Inventory: the provider-neutral records of each scan, and per-connection sync cursors.

Every row carries ``engagement_id`` and ``scan_id``; rows of one scan are written together in
the transaction that marks the scan complete, so a scan is either fully present or absent.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

from failsafe.db import rls
from failsafe.db.urls import SCHEMA

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_SCOPE = f"""
    engagement_id uuid NOT NULL REFERENCES {SCHEMA}.engagements (id) ON DELETE CASCADE,
    scan_id uuid NOT NULL REFERENCES {SCHEMA}.scans (id) ON DELETE CASCADE"""

TABLES: dict[str, str] = {
    "inventory_tenants": f"""{_SCOPE} PRIMARY KEY,
    provider text NOT NULL CHECK (provider IN ('microsoft', 'google')),
    tenant_id text NOT NULL,
    display_name text NOT NULL,
    domains text[] NOT NULL,
    collected_at timestamptz NOT NULL,
    sections jsonb NOT NULL,
    users_can_consent boolean,
    security_defaults_enabled boolean,
    two_step_enforced boolean,
    conditional_access jsonb""",
    "inventory_identities": f"""{_SCOPE},
    id text NOT NULL,
    email text NOT NULL,
    display_name text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('member', 'guest')),
    enabled boolean NOT NULL,
    created_at timestamptz,
    last_sign_in_at timestamptz,
    mfa_registered boolean,
    mfa_methods text[] NOT NULL,
    mfa_enforced boolean,
    is_admin boolean NOT NULL""",
    "inventory_role_assignments": f"""{_SCOPE},
    user_email text NOT NULL,
    role_id text NOT NULL,
    role_name text NOT NULL,
    is_global_admin boolean NOT NULL,
    privileged boolean NOT NULL""",
    "inventory_apps": f"""{_SCOPE},
    app_id text NOT NULL,
    display_name text NOT NULL,
    publisher text,
    publisher_verified boolean,
    first_party boolean NOT NULL,
    multi_tenant boolean,
    domains text[] NOT NULL,
    created_at timestamptz""",
    "inventory_grants": f"""{_SCOPE},
    app_id text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('delegated', 'application', 'domain_wide')),
    scopes text[] NOT NULL,
    all_users boolean NOT NULL,
    user_email text,
    granted_at timestamptz,
    source text NOT NULL CHECK (source IN ('grant_api', 'token_audit', 'user_tokens'))""",
    "inventory_app_usage": f"""{_SCOPE},
    app_id text,
    app_name text NOT NULL,
    user_email text NOT NULL,
    first_seen timestamptz NOT NULL,
    last_seen timestamptz NOT NULL,
    sign_ins integer NOT NULL,
    legacy_auth boolean NOT NULL""",
    "inventory_email_signals": f"""{_SCOPE},
    vendor_domain text NOT NULL,
    user_email text NOT NULL,
    kind text NOT NULL
        CHECK (kind IN ('signup', 'billing', 'security', 'notification', 'invite')),
    first_seen timestamptz NOT NULL,
    last_seen timestamptz NOT NULL,
    count integer NOT NULL""",
    "inventory_license_skus": f"""{_SCOPE},
    sku_id text NOT NULL,
    sku_name text NOT NULL,
    purchased integer,
    assigned integer NOT NULL""",
    "inventory_license_assignments": f"""{_SCOPE},
    user_email text NOT NULL,
    sku_id text NOT NULL""",
}

CURSORS = f"""
CREATE TABLE {SCHEMA}.connection_sync_cursors (
    connection_id uuid PRIMARY KEY REFERENCES {SCHEMA}.connections (id) ON DELETE CASCADE,
    engagement_id uuid NOT NULL REFERENCES {SCHEMA}.engagements (id) ON DELETE CASCADE,
    cursor jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
)"""


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    for table, columns in TABLES.items():
        op.execute(f"CREATE TABLE {SCHEMA}.{table} ({columns}\n)")
        if table != "inventory_tenants":
            op.execute(f"CREATE INDEX ix_{table}_scan ON {SCHEMA}.{table} (scan_id)")
    op.execute(CURSORS)
    for table in [*TABLES, "connection_sync_cursors"]:
        for statement in rls.engagement_scoped(table):
            op.execute(statement)
        op.execute(rls.grant_app(table))


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.execute(f"DROP TABLE IF EXISTS {SCHEMA}.connection_sync_cursors")
    for table in reversed(list(TABLES)):
        op.execute(f"DROP TABLE IF EXISTS {SCHEMA}.{table}")
