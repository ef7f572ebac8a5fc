"""Actors that see every engagement run as their own role, so RLS costs scoped actors no filter.

Until now each engagement-scoped table had one policy per statement kind:
``sees_all OR engagement_id = ANY (visible)``. The OR kept the visible-set test out of the
index and evaluated it on every row, which made a partner's counts query close to twice as
slow as the same query without RLS. Now the tables carry two policies per statement kind:
the visible-set test alone for ``failsafe_app`` (an index condition), and ``sees_all`` for
``failsafe_app_all``, the role the app switches to for admins and unscoped jobs (see
``failsafe.db.rls``). The owner keeps both. ``failsafe_app_all`` gets exactly the app role's
privileges, copied from the catalog so nothing granted by an earlier migration is missed.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from alembic import op

from failsafe.db import rls
from failsafe.db.urls import APP_ALL_ROLE

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# Every table migrations 0001-0008 made engagement-scoped through rls.engagement_scoped.
ENGAGEMENT_SCOPED = (
    "connections",
    "scans",
    "inventory_tenants",
    "inventory_identities",
    "inventory_role_assignments",
    "inventory_apps",
    "inventory_grants",
    "inventory_app_usage",
    "inventory_email_signals",
    "inventory_license_skus",
    "inventory_license_assignments",
    "connection_sync_cursors",
    "findings",
    "finding_reviews",
    "reports",
    "engagement_settings",
)

# The single-policy form this migration replaces, for the downgrade.
_OLD_PREDICATE = f"({rls.SEES_ALL} OR engagement_id = ANY (ARRAY{rls.VISIBLE_ENGAGEMENT_IDS}))"


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.execute(rls.copy_app_privileges(APP_ALL_ROLE))
    for table in ENGAGEMENT_SCOPED:
        for statement in [*rls.drop_policies(table), *rls.engagement_scoped(table)]:
            op.execute(statement)


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    for table in ENGAGEMENT_SCOPED:
        for statement in [*rls.drop_policies(table), *rls.policy_statements(table, _OLD_PREDICATE)]:
            op.execute(statement)
    for statement in rls.revoke_all(APP_ALL_ROLE):
        op.execute(statement)
