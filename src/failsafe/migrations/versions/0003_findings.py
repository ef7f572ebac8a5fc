"""Findings: each scan's findings, the reviews users give them, and the vendor enrichment cache.

``findings`` rows belong to one scan; a finding's identity across scans is its ``fingerprint``
(rule, tenant, subject). ``finding_reviews`` record accept/resolve decisions per fingerprint and
outlive scans. ``vendor_enrichment`` caches AI classifications of vendor names and domains: it
holds public metadata only, no tenant data, so it is shared and not engagement scoped.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

from failsafe.db import rls
from failsafe.db.urls import SCHEMA

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

FINDINGS = f"""
CREATE TABLE {SCHEMA}.findings (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    engagement_id uuid NOT NULL REFERENCES {SCHEMA}.engagements (id) ON DELETE CASCADE,
    scan_id uuid NOT NULL REFERENCES {SCHEMA}.scans (id) ON DELETE CASCADE,
    connection_id uuid NOT NULL REFERENCES {SCHEMA}.connections (id) ON DELETE CASCADE,
    provider text NOT NULL CHECK (provider IN ('microsoft', 'google')),
    rule_id text NOT NULL CHECK (rule_id ~ '^[A-Z]{{2}}-[0-9]{{3}}$'),
    fingerprint text NOT NULL CHECK (length(fingerprint) = 64),
    subject text NOT NULL,
    family text NOT NULL
        CHECK (family IN ('shadow_it', 'app_permissions', 'identity', 'licenses')),
    severity text NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info')),
    severity_rank smallint NOT NULL CHECK (severity_rank BETWEEN 0 AND 4),
    title text NOT NULL,
    evidence jsonb NOT NULL DEFAULT '{{}}'::jsonb,
    monthly_cost numeric(14, 2),
    controls text[] NOT NULL DEFAULT '{{}}',
    change text NOT NULL DEFAULT 'new' CHECK (change IN ('new', 'unchanged')),
    first_seen_scan_id uuid NOT NULL,
    first_seen_at timestamptz NOT NULL,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'resolved')),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_findings_scan_fingerprint UNIQUE (scan_id, fingerprint)
);
-- The findings list: one scan, ordered by (severity_rank, id), keyset-paginated.
CREATE INDEX ix_findings_scan_order ON {SCHEMA}.findings (scan_id, severity_rank, id);
CREATE INDEX ix_findings_scan_status ON {SCHEMA}.findings (scan_id, status, severity_rank, id);
CREATE INDEX ix_findings_engagement_fingerprint ON {SCHEMA}.findings (engagement_id, fingerprint);
CREATE INDEX ix_findings_controls ON {SCHEMA}.findings USING gin (controls);
"""

REVIEWS = f"""
CREATE TABLE {SCHEMA}.finding_reviews (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    engagement_id uuid NOT NULL REFERENCES {SCHEMA}.engagements (id) ON DELETE CASCADE,
    fingerprint text NOT NULL CHECK (length(fingerprint) = 64),
    rule_id text NOT NULL,
    action text NOT NULL CHECK (action IN ('accept', 'resolve', 'reopen')),
    reason text NOT NULL DEFAULT '' CHECK (length(reason) <= 2000),
    expires_at timestamptz,
    actor_user_id uuid,
    actor text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (action <> 'accept' OR (expires_at IS NOT NULL AND length(reason) > 0))
);
CREATE INDEX ix_finding_reviews_fingerprint
    ON {SCHEMA}.finding_reviews (engagement_id, fingerprint, created_at DESC);
"""

ENRICHMENT = f"""
CREATE TABLE {SCHEMA}.vendor_enrichment (
    vendor_key text PRIMARY KEY CHECK (vendor_key = lower(vendor_key)),
    name text NOT NULL,
    category text NOT NULL,
    risk text NOT NULL CHECK (risk IN ('H', 'M', 'L')),
    summary text NOT NULL DEFAULT '',
    source text NOT NULL CHECK (source IN ('ai', 'heuristic')),
    model text,
    created_at timestamptz NOT NULL DEFAULT now()
);
"""


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.execute(FINDINGS)
    op.execute(REVIEWS)
    op.execute(ENRICHMENT)
    for table in ("findings", "finding_reviews"):
        for statement in rls.engagement_scoped(table):
            op.execute(statement)
    op.execute(rls.grant_app("findings"))
    # Reviews are an audit trail of decisions: the app adds them, never edits them.
    op.execute(rls.grant_app("finding_reviews", ("SELECT", "INSERT")))
    op.execute(rls.grant_app("vendor_enrichment", ("SELECT", "INSERT", "UPDATE")))


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    for table in ("finding_reviews", "findings"):
        for statement in rls.drop_policies(table):
            op.execute(statement)
    op.execute(f"DROP TABLE IF EXISTS {SCHEMA}.vendor_enrichment")
    op.execute(f"DROP TABLE IF EXISTS {SCHEMA}.finding_reviews")
    op.execute(f"DROP TABLE IF EXISTS {SCHEMA}.findings")
