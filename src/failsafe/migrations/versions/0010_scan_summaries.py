"""Scan summaries: each scan's posture score, rule weights, open counts and licence waste.

One row per scan, written in the transaction that persists the scan's findings and rewritten in
the transaction of every review (accept, resolve, reopen) that changes one of its findings, so
the portal draws scores, trends and counts from a row per scan instead of re-reading findings.
``weights`` holds each family's assessed and lost rule weight (what several tenants' scores
combine from); it and the scores are NULL when the scan has no stored inventory, as no rule's
coverage is known then. ``rules_digest`` names the rule set the row was computed under.

Existing scans are not backfilled here: the score needs the rule metadata shipped with the code
(weights, families, required sections), which SQL cannot see without copying the formula. The
read path computes and stores a missing summary on first use instead
(:func:`failsafe.scans.summaries.load_summaries`).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from alembic import op

from failsafe.db import rls
from failsafe.db.urls import SCHEMA

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

SUMMARIES = f"""
CREATE TABLE {SCHEMA}.scan_summaries (
    scan_id uuid PRIMARY KEY REFERENCES {SCHEMA}.scans (id) ON DELETE CASCADE,
    engagement_id uuid NOT NULL REFERENCES {SCHEMA}.engagements (id) ON DELETE CASCADE,
    rules_digest text NOT NULL CHECK (length(rules_digest) BETWEEN 1 AND 64),
    score_overall smallint CHECK (score_overall BETWEEN 0 AND 100),
    score_shadow_it smallint CHECK (score_shadow_it BETWEEN 0 AND 100),
    score_app_permissions smallint CHECK (score_app_permissions BETWEEN 0 AND 100),
    score_identity smallint CHECK (score_identity BETWEEN 0 AND 100),
    score_licenses smallint CHECK (score_licenses BETWEEN 0 AND 100),
    weights jsonb CHECK (weights IS NULL OR jsonb_typeof(weights) = 'object'),
    open_critical integer NOT NULL DEFAULT 0 CHECK (open_critical >= 0),
    open_high integer NOT NULL DEFAULT 0 CHECK (open_high >= 0),
    open_medium integer NOT NULL DEFAULT 0 CHECK (open_medium >= 0),
    open_low integer NOT NULL DEFAULT 0 CHECK (open_low >= 0),
    open_info integer NOT NULL DEFAULT 0 CHECK (open_info >= 0),
    monthly_waste numeric(14, 2) NOT NULL DEFAULT 0,
    computed_at timestamptz NOT NULL DEFAULT now()
);
-- Engagement deletion cascades through this index; reads go by scan_id.
CREATE INDEX ix_scan_summaries_engagement ON {SCHEMA}.scan_summaries (engagement_id);
"""


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.execute(SUMMARIES)
    for statement in rls.engagement_scoped("scan_summaries"):
        op.execute(statement)
    # DELETE too: hard deletion and retention remove every engagement-scoped row as the app role.
    op.execute(rls.grant_app("scan_summaries"))


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    for statement in rls.drop_policies("scan_summaries"):
        op.execute(statement)
    op.execute(f"DROP TABLE IF EXISTS {SCHEMA}.scan_summaries")
