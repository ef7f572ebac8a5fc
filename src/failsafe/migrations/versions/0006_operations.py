"""Operations: the email outbox, digest opt-ins, billing state, Stripe events, deletion records
and job-run markers.

Revision ID: 0006
Revises: 0005

None of these tables is engagement-scoped. The outbox accepts a message from any actor (a
signed-in user's change queues its own email) but only system actors read or drain it, so one
tenant never sees another's mail. Billing state is readable by the account it belongs to and
written only by system actors (the webhook and the jobs). Deletion records and job runs are for
system actors and admins only; deletion records hold ids and counts, never tenant content.
"""

from __future__ import annotations

from alembic import op

from failsafe.db import rls
from failsafe.db.urls import SCHEMA

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = f"""
CREATE TABLE {SCHEMA}.email_outbox (
    id uuid PRIMARY KEY,
    stream text NOT NULL CHECK (stream IN ('transactional', 'digest')),
    account_id uuid REFERENCES {SCHEMA}.accounts (id) ON DELETE CASCADE,
    to_address text NOT NULL CHECK (length(to_address) BETWEEN 3 AND 320),
    template text NOT NULL CHECK (template ~ '^[a-z_]+$'),
    context jsonb NOT NULL DEFAULT '{{}}'::jsonb,
    status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL,
    last_error text CHECK (length(last_error) <= 300),
    provider_message_id text,
    created_at timestamptz NOT NULL,
    sent_at timestamptz,
    CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX ix_email_outbox_due ON {SCHEMA}.email_outbox (next_attempt_at)
    WHERE status = 'queued';
CREATE INDEX ix_email_outbox_account ON {SCHEMA}.email_outbox (account_id);

CREATE TABLE {SCHEMA}.digest_subscriptions (
    user_id uuid PRIMARY KEY REFERENCES {SCHEMA}.users (id) ON DELETE CASCADE,
    account_id uuid NOT NULL REFERENCES {SCHEMA}.accounts (id) ON DELETE CASCADE,
    opted_in_at timestamptz NOT NULL,
    unsubscribed_at timestamptz
);
CREATE INDEX ix_digest_subscriptions_account ON {SCHEMA}.digest_subscriptions (account_id);

CREATE TABLE {SCHEMA}.billing_subscriptions (
    account_id uuid PRIMARY KEY REFERENCES {SCHEMA}.accounts (id) ON DELETE CASCADE,
    stripe_customer_id text NOT NULL CHECK (length(stripe_customer_id) <= 255),
    stripe_subscription_id text CHECK (length(stripe_subscription_id) <= 255),
    plan text NOT NULL DEFAULT 'none'
        CHECK (plan IN ('none', 'direct_monthly', 'direct_annual', 'partner_monthly')),
    status text NOT NULL DEFAULT 'incomplete' CHECK (length(status) <= 40),
    quantity integer NOT NULL DEFAULT 1 CHECK (quantity >= 0),
    current_period_end timestamptz,
    updated_at timestamptz NOT NULL,
    last_event_created bigint NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX uq_billing_subscriptions_customer
    ON {SCHEMA}.billing_subscriptions (stripe_customer_id);

CREATE TABLE {SCHEMA}.stripe_events (
    id text PRIMARY KEY CHECK (length(id) <= 255),
    type text NOT NULL CHECK (length(type) <= 100),
    received_at timestamptz NOT NULL
);

CREATE TABLE {SCHEMA}.deletion_records (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    subject_type text NOT NULL CHECK (subject_type IN ('account', 'engagement')),
    subject_ref uuid NOT NULL,
    reason text NOT NULL CHECK (reason IN ('soft_deleted', 'terminated', 'completed')),
    requested_at timestamptz,
    removed_at timestamptz NOT NULL,
    counts jsonb NOT NULL DEFAULT '{{}}'::jsonb,
    files_removed integer NOT NULL DEFAULT 0,
    CONSTRAINT uq_deletion_records_subject UNIQUE (subject_type, subject_ref)
);

CREATE TABLE {SCHEMA}.job_runs (
    name text NOT NULL CHECK (length(name) <= 100),
    slot text NOT NULL CHECK (length(slot) <= 100),
    started_at timestamptz NOT NULL,
    finished_at timestamptz,
    result jsonb NOT NULL DEFAULT '{{}}'::jsonb,
    PRIMARY KEY (name, slot)
);
"""

SYSTEM_ONLY = f"({SCHEMA}.actor_role() = 'system')"
SYSTEM_OR_ADMIN = f"({SCHEMA}.actor_role() IN ('system', 'admin'))"
OWN_ACCOUNT = f"({rls.SEES_ALL} OR account_id = {SCHEMA}.actor_account_id())"
OWN_USER = f"({SCHEMA}.actor_role() = 'system' OR user_id = {SCHEMA}.actor_user_id())"


def _split_policies(table: str, read: str, write: str, insert: str | None = None) -> list[str]:
    qualified = f"{SCHEMA}.{table}"
    return [
        f"ALTER TABLE {qualified} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {qualified} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY {table}_select ON {qualified} FOR SELECT USING {read}",
        f"CREATE POLICY {table}_insert ON {qualified} FOR INSERT WITH CHECK {insert or write}",
        f"CREATE POLICY {table}_update ON {qualified} FOR UPDATE USING {write} WITH CHECK {write}",
        f"CREATE POLICY {table}_delete ON {qualified} FOR DELETE USING {write}",
    ]


def _policies() -> list[str]:
    statements = _split_policies("email_outbox", SYSTEM_ONLY, SYSTEM_ONLY, rls.ACTOR_PRESENT)
    statements += rls.policy_statements("digest_subscriptions", OWN_USER)
    statements += _split_policies("billing_subscriptions", OWN_ACCOUNT, SYSTEM_ONLY)
    statements += rls.policy_statements("stripe_events", SYSTEM_ONLY)
    statements += _split_policies("deletion_records", SYSTEM_OR_ADMIN, SYSTEM_ONLY)
    statements += rls.policy_statements("job_runs", SYSTEM_ONLY)
    return statements


TABLE_NAMES = (
    "email_outbox",
    "digest_subscriptions",
    "billing_subscriptions",
    "stripe_events",
    "deletion_records",
    "job_runs",
)


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.execute(TABLES)
    for statement in _policies():
        op.execute(statement)
    for table in TABLE_NAMES:
        if table == "deletion_records":
            # Evidence of a deletion is written once and never changed by the application.
            op.execute(rls.grant_app(table, ("SELECT", "INSERT")))
        else:
            op.execute(rls.grant_app(table))


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    for table in reversed(TABLE_NAMES):
        for statement in rls.drop_policies(table):
            op.execute(statement)
        op.execute(f"DROP TABLE {SCHEMA}.{table}")
