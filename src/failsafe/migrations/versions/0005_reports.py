"""Reports: rendered PDF posture reports, and the partner branding printed on their covers.

``reports`` is engagement-scoped (RLS through the shared helper). A report is ``ready`` only
with its storage key, size, SHA-256 and finish time all set, which the table itself enforces.
``partner_branding`` belongs to a partner account: the partner reads and writes its own row,
anyone who can see an engagement the partner manages may read it (a client's report shows its
partner's logo), admins and unscoped jobs see all.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

from failsafe.db import rls
from failsafe.db.urls import SCHEMA

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

REPORTS = f"""
CREATE TABLE {SCHEMA}.reports (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    engagement_id uuid NOT NULL REFERENCES {SCHEMA}.engagements (id) ON DELETE CASCADE,
    scan_id uuid NOT NULL REFERENCES {SCHEMA}.scans (id) ON DELETE CASCADE,
    status text NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'rendering', 'ready', 'failed')),
    requested_by uuid REFERENCES {SCHEMA}.users (id) ON DELETE SET NULL,
    storage_key text CHECK (length(storage_key) BETWEEN 1 AND 300),
    sha256 text CHECK (sha256 ~ '^[0-9a-f]{{64}}$'),
    size_bytes bigint CHECK (size_bytes > 0),
    pages integer CHECK (pages > 0),
    findings integer CHECK (findings >= 0),
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    error text CHECK (length(error) <= 500),
    created_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    finished_at timestamptz,
    CHECK ((status = 'ready') = (storage_key IS NOT NULL AND sha256 IS NOT NULL
                                 AND size_bytes IS NOT NULL AND finished_at IS NOT NULL)),
    CHECK (status <> 'failed' OR (error IS NOT NULL AND finished_at IS NOT NULL))
);
CREATE INDEX ix_reports_engagement ON {SCHEMA}.reports (engagement_id, created_at DESC);
CREATE INDEX ix_reports_scan ON {SCHEMA}.reports (scan_id);
"""

BRANDING = f"""
CREATE TABLE {SCHEMA}.partner_branding (
    account_id uuid PRIMARY KEY REFERENCES {SCHEMA}.accounts (id) ON DELETE CASCADE,
    logo bytea CHECK (octet_length(logo) BETWEEN 1 AND 524288),
    logo_type text CHECK (logo_type IN ('image/png', 'image/jpeg')),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((logo IS NULL) = (logo_type IS NULL))
);
"""

# Engagements are read through their own policy, so "a partner of an engagement I can see"
# never admits more than the engagement rules do.
BRANDING_VISIBLE = f"""(
    {rls.SEES_ALL}
    OR account_id = {SCHEMA}.actor_account_id()
    OR account_id IN (SELECT e.partner_account_id FROM {SCHEMA}.engagements e)
)"""

BRANDING_WRITABLE = f"""(
    {rls.SEES_ALL}
    OR ({SCHEMA}.actor_role() = 'partner' AND account_id = {SCHEMA}.actor_account_id())
)"""


def _branding_policies() -> list[str]:
    table = f"{SCHEMA}.partner_branding"
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY partner_branding_select ON {table} FOR SELECT USING {BRANDING_VISIBLE}",
        f"CREATE POLICY partner_branding_insert ON {table} FOR INSERT"
        f" WITH CHECK {BRANDING_WRITABLE}",
        f"CREATE POLICY partner_branding_update ON {table} FOR UPDATE"
        f" USING {BRANDING_WRITABLE} WITH CHECK {BRANDING_WRITABLE}",
        f"CREATE POLICY partner_branding_delete ON {table} FOR DELETE USING {BRANDING_WRITABLE}",
    ]


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.execute(REPORTS)
    for statement in rls.engagement_scoped("reports"):
        op.execute(statement)
    op.execute(rls.grant_app("reports"))
    op.execute(BRANDING)
    for statement in _branding_policies():
        op.execute(statement)
    op.execute(rls.grant_app("partner_branding"))


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.execute(f"DROP TABLE IF EXISTS {SCHEMA}.partner_branding")
    for statement in rls.drop_policies("reports"):
        op.execute(statement)
    op.execute(f"DROP TABLE IF EXISTS {SCHEMA}.reports")
