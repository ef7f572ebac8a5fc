"""Scoped actors run as one role per kind, each holding only its arm of the visible set.

Since 0009 clients, partners and engagement-scoped jobs all ran as ``failsafe_app``, whose
policy on every engagement-scoped table is ``engagement_id = ANY (visible set)`` with the set a
union of three arms (partner, client, job), each gated on the actor's kind. Every query paid for
starting all three arms, which made a partner's counts query about 1.4-1.5x the cost of the same
query without RLS. Now each kind switches to its own role (``failsafe_app_client``,
``failsafe_app_partner``, ``failsafe_app_job``, created by ``db upgrade``) whose policy holds its
arm alone: 1.2-1.4x. The roles get exactly the app role's privileges, copied from the catalog.
``failsafe_app`` keeps the union, so processes of the previous release keep working while a
deploy rolls; nothing switches to it any more.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from alembic import op

from failsafe.db import rls

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# Every table migrations 0001-0011 made engagement-scoped through rls.engagement_scoped.
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
    "scan_summaries",
)


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    for role, _, _ in rls.SCOPED_ARMS:
        op.execute(rls.copy_app_privileges(role))
    for table in ENGAGEMENT_SCOPED:
        for statement in [*rls.drop_policies(table), *rls.engagement_scoped(table)]:
            op.execute(statement)


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    suffixes = [suffix for _, suffix, _ in rls.SCOPED_ARMS]
    for table in ENGAGEMENT_SCOPED:
        for statement in rls.drop_policies(table, suffixes):
            op.execute(statement)
    for role, _, _ in rls.SCOPED_ARMS:
        for statement in rls.revoke_all(role):
            op.execute(statement)
