"""Findings' fingerprint index leads with the fingerprint, so RLS never steers a scan's reads.

Since 0009 the app role's policy is ``engagement_id = ANY (visible engagements)``, which the
planner may use as an index condition. It cannot know how many engagements are visible and
assumes a handful, so with ``(engagement_id, fingerprint)`` available it would read a big
partner's findings through that index (every finding of every engagement it manages) instead
of the scan's own ``(scan_id, ...)`` indexes, then filter by scan. Every lookup that used the
index names the fingerprint as well as the engagement, so ``(fingerprint, engagement_id)``
serves them all and gives the policy nothing to be tempted by; the policy is then a filter on
the rows the scan's index returns.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from alembic import op

from failsafe.db.urls import SCHEMA

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.execute(f"DROP INDEX {SCHEMA}.ix_findings_engagement_fingerprint")
    op.execute(
        f"CREATE INDEX ix_findings_fingerprint_engagement"
        f" ON {SCHEMA}.findings (fingerprint, engagement_id)"
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.execute(f"DROP INDEX {SCHEMA}.ix_findings_fingerprint_engagement")
    op.execute(
        f"CREATE INDEX ix_findings_engagement_fingerprint"
        f" ON {SCHEMA}.findings (engagement_id, fingerprint)"
    )
