"""Engagement settings: the vendors and apps an engagement has sanctioned, and negotiated prices.

One row per engagement, engagement-scoped through the shared RLS helper. ``sanctioned`` holds
vendor ids, vendor domains and app ids (lower case) that shadow-IT rules treat as approved;
``sku_prices`` maps a SKU id or part number to the price per user-month the customer pays,
overriding the catalog's list price for licence-waste figures.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

from failsafe.db import rls
from failsafe.db.urls import SCHEMA

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SETTINGS = f"""
CREATE TABLE {SCHEMA}.engagement_settings (
    engagement_id uuid PRIMARY KEY
        REFERENCES {SCHEMA}.engagements (id) ON DELETE CASCADE,
    sanctioned text[] NOT NULL DEFAULT '{{}}' CHECK (cardinality(sanctioned) <= 1000),
    sku_prices jsonb NOT NULL DEFAULT '{{}}'::jsonb CHECK (jsonb_typeof(sku_prices) = 'object'),
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by uuid
)
"""


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.execute(SETTINGS)
    for statement in rls.engagement_scoped("engagement_settings"):
        op.execute(statement)
    # DELETE too: hard deletion and retention remove every engagement-scoped row as the app role.
    op.execute(rls.grant_app("engagement_settings"))


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    for statement in rls.drop_policies("engagement_settings"):
        op.execute(statement)
    op.execute(f"DROP TABLE IF EXISTS {SCHEMA}.engagement_settings")
