"""Foundation: accounts, users, engagements, connections, scans, the audit log and the job queue.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from alembic import op
from procrastinate.schema import SchemaManager

from failsafe.db import rls
from failsafe.db.urls import APP_ROLE, SCHEMA

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = f"""
CREATE TABLE {SCHEMA}.accounts (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind text NOT NULL CHECK (kind IN ('customer', 'partner', 'internal')),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    managed_by_account_id uuid REFERENCES {SCHEMA}.accounts (id) ON DELETE SET NULL,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deleted')),
    deleted_at timestamptz,
    terminated_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'deleted') = (deleted_at IS NOT NULL))
);
CREATE INDEX ix_accounts_managed_by ON {SCHEMA}.accounts (managed_by_account_id);

CREATE TABLE {SCHEMA}.users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id uuid NOT NULL REFERENCES {SCHEMA}.accounts (id) ON DELETE CASCADE,
    email text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 320),
    display_name text NOT NULL DEFAULT '' CHECK (length(display_name) <= 200),
    role text NOT NULL CHECK (role IN ('client', 'partner', 'admin')),
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled', 'deleted')),
    password_hash text,
    email_verified_at timestamptz,
    last_sign_in_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_users_email UNIQUE (email)
);
CREATE INDEX ix_users_account ON {SCHEMA}.users (account_id);

CREATE TABLE {SCHEMA}.engagements (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    customer_account_id uuid NOT NULL REFERENCES {SCHEMA}.accounts (id) ON DELETE CASCADE,
    partner_account_id uuid REFERENCES {SCHEMA}.accounts (id) ON DELETE SET NULL,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'completed')),
    scan_interval_days integer NOT NULL DEFAULT 7 CHECK (scan_interval_days BETWEEN 1 AND 90),
    completed_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'completed') = (completed_at IS NOT NULL))
);
-- Covering indexes: the RLS visibility set of a client or partner is an index-only scan.
CREATE INDEX ix_engagements_customer ON {SCHEMA}.engagements (customer_account_id)
    INCLUDE (id, partner_account_id);
CREATE INDEX ix_engagements_partner ON {SCHEMA}.engagements (partner_account_id)
    INCLUDE (id, customer_account_id);

CREATE TABLE {SCHEMA}.connections (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    engagement_id uuid NOT NULL REFERENCES {SCHEMA}.engagements (id) ON DELETE CASCADE,
    provider text NOT NULL CHECK (provider IN ('microsoft', 'google')),
    tenant_ref text NOT NULL CHECK (length(tenant_ref) BETWEEN 1 AND 255),
    display_name text NOT NULL DEFAULT '' CHECK (length(display_name) <= 200),
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'active', 'revoked', 'error')),
    sealed_credentials text,
    options jsonb NOT NULL DEFAULT '{{}}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    last_scan_at timestamptz,
    CHECK (status <> 'revoked' OR (sealed_credentials IS NULL AND revoked_at IS NOT NULL))
);
CREATE INDEX ix_connections_engagement ON {SCHEMA}.connections (engagement_id);
CREATE UNIQUE INDEX uq_connections_live_tenant ON {SCHEMA}.connections
    (engagement_id, provider, tenant_ref) WHERE status <> 'revoked';

CREATE TABLE {SCHEMA}.scans (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    engagement_id uuid NOT NULL REFERENCES {SCHEMA}.engagements (id) ON DELETE CASCADE,
    connection_id uuid NOT NULL REFERENCES {SCHEMA}.connections (id) ON DELETE CASCADE,
    status text NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'running', 'succeeded', 'partial', 'failed')),
    trigger text NOT NULL DEFAULT 'manual' CHECK (trigger IN ('manual', 'scheduled', 'demo')),
    progress integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    progress_detail text NOT NULL DEFAULT '',
    sections jsonb NOT NULL DEFAULT '[]'::jsonb,
    error text,
    requested_by uuid,
    queued_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    finished_at timestamptz
);
CREATE INDEX ix_scans_engagement ON {SCHEMA}.scans (engagement_id, queued_at DESC);
CREATE INDEX ix_scans_connection ON {SCHEMA}.scans (connection_id, queued_at DESC);

CREATE TABLE {SCHEMA}.audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    actor text NOT NULL,
    actor_user_id uuid,
    actor_role text NOT NULL,
    account_id uuid,
    engagement_id uuid,
    action text NOT NULL CHECK (action ~ '^[a-z_]+(\\.[a-z_]+)+$'),
    target_type text,
    target_id text,
    ip inet,
    details jsonb NOT NULL DEFAULT '{{}}'::jsonb
);
CREATE INDEX ix_audit_log_occurred ON {SCHEMA}.audit_log (occurred_at);
CREATE INDEX ix_audit_log_account ON {SCHEMA}.audit_log (account_id, occurred_at);
CREATE INDEX ix_audit_log_engagement ON {SCHEMA}.audit_log (engagement_id, occurred_at);
"""

# The audit log is append-only for every role, the owner included: UPDATE and TRUNCATE are
# refused per statement (so even an UPDATE that RLS narrows to no rows fails loudly), DELETE
# per row for rows inside the 30-day floor.
AUDIT_GUARD = f"""
CREATE FUNCTION {SCHEMA}.audit_log_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'audit_log rows cannot be updated'
            USING ERRCODE = 'insufficient_privilege';
    ELSIF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'audit_log cannot be truncated'
            USING ERRCODE = 'insufficient_privilege';
    ELSIF TG_OP = 'DELETE' AND OLD.occurred_at > now() - interval '30 days' THEN
        RAISE EXCEPTION 'audit_log rows younger than 30 days cannot be deleted'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON {SCHEMA}.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.audit_log_guard();
CREATE TRIGGER audit_log_delete_floor BEFORE DELETE ON {SCHEMA}.audit_log
    FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.audit_log_guard();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON {SCHEMA}.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.audit_log_guard();

CREATE FUNCTION {SCHEMA}.audit_log_retention(keep interval DEFAULT interval '24 months')
    RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = {SCHEMA}, pg_temp AS $$
DECLARE
    removed bigint;
BEGIN
    IF keep < interval '24 months' THEN
        RAISE EXCEPTION 'audit rows are kept for at least 24 months';
    END IF;
    DELETE FROM {SCHEMA}.audit_log WHERE occurred_at < now() - keep;
    GET DIAGNOSTICS removed = ROW_COUNT;
    RETURN removed;
END $$;
REVOKE ALL ON FUNCTION {SCHEMA}.audit_log_retention(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION {SCHEMA}.audit_log_retention(interval) TO {APP_ROLE};
"""

ACCOUNT_VISIBLE = f"""(
    {rls.SEES_ALL}
    OR id = {SCHEMA}.actor_account_id()
    OR ({SCHEMA}.actor_role() = 'partner'
        AND managed_by_account_id = {SCHEMA}.actor_account_id())
    OR id IN (SELECT e.customer_account_id FROM {SCHEMA}.engagements e)
    OR id IN (SELECT e.partner_account_id FROM {SCHEMA}.engagements e)
)"""

ACCOUNT_WRITABLE = f"""(
    {rls.SEES_ALL}
    OR id = {SCHEMA}.actor_account_id()
    OR ({SCHEMA}.actor_role() = 'partner'
        AND managed_by_account_id = {SCHEMA}.actor_account_id())
)"""

USER_VISIBLE = f"""(
    {rls.SEES_ALL}
    OR account_id = {SCHEMA}.actor_account_id()
    OR ({SCHEMA}.actor_role() = 'system' AND account_id IN (
        SELECT e.customer_account_id FROM {SCHEMA}.engagements e))
    OR ({SCHEMA}.actor_role() = 'partner' AND account_id IN (
        SELECT a.id FROM {SCHEMA}.accounts a
        WHERE a.managed_by_account_id = {SCHEMA}.actor_account_id()))
)"""

AUDIT_VISIBLE = f"""(
    {rls.SEES_ALL}
    OR account_id = {SCHEMA}.actor_account_id()
    OR engagement_id IN (SELECT e.id FROM {SCHEMA}.engagements e)
)"""

AUDIT_INSERT_COLUMNS = (
    "actor, actor_user_id, actor_role, account_id, engagement_id, action, target_type, "
    "target_id, ip, details"
)


def _policies() -> list[str]:
    statements = rls.policy_statements("engagements", rls.ENGAGEMENT_VISIBLE)
    statements += rls.engagement_scoped("connections")
    statements += rls.engagement_scoped("scans")
    statements += [
        "ALTER TABLE failsafe.accounts ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE failsafe.accounts FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY accounts_select ON {SCHEMA}.accounts FOR SELECT USING {ACCOUNT_VISIBLE}",
        f"CREATE POLICY accounts_insert ON {SCHEMA}.accounts FOR INSERT"
        f" WITH CHECK {ACCOUNT_WRITABLE}",
        f"CREATE POLICY accounts_update ON {SCHEMA}.accounts FOR UPDATE"
        f" USING {ACCOUNT_WRITABLE} WITH CHECK {ACCOUNT_WRITABLE}",
        f"CREATE POLICY accounts_delete ON {SCHEMA}.accounts FOR DELETE USING ({rls.SEES_ALL})",
    ]
    statements += rls.policy_statements("users", USER_VISIBLE)
    statements += [
        "ALTER TABLE failsafe.audit_log ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE failsafe.audit_log FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY audit_log_select ON {SCHEMA}.audit_log FOR SELECT USING {AUDIT_VISIBLE}",
        f"CREATE POLICY audit_log_insert ON {SCHEMA}.audit_log FOR INSERT"
        f" WITH CHECK {rls.ACTOR_PRESENT}",
        f"CREATE POLICY audit_log_delete ON {SCHEMA}.audit_log FOR DELETE"
        f" USING ({SCHEMA}.actor_role() = 'system')",
    ]
    return statements


def _grants() -> list[str]:
    statements = [f"GRANT USAGE ON SCHEMA {SCHEMA} TO {APP_ROLE}"]
    for table in ("accounts", "users", "engagements", "connections", "scans"):
        statements.append(rls.grant_app(table))
    statements.append(f"GRANT SELECT ON {SCHEMA}.audit_log TO {APP_ROLE}")
    statements.append(f"GRANT INSERT ({AUDIT_INSERT_COLUMNS}) ON {SCHEMA}.audit_log TO {APP_ROLE}")
    return statements


def _job_queue() -> list[str]:
    """Procrastinate's schema, owned by the owner role, usable by the app role."""
    return [
        SchemaManager.get_schema(),
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {SCHEMA} TO {APP_ROLE}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {SCHEMA} TO {APP_ROLE}",
    ]


def upgrade() -> None:
    op.execute(rls.ACTOR_FUNCTIONS)
    op.execute(TABLES)
    op.execute(AUDIT_GUARD)
    for statement in _policies():
        op.execute(statement)
    for statement in _job_queue():
        op.execute(statement)
    # The blanket grant above is for the queue's tables only; the product's tables get exactly
    # what _grants() lists, so take the rest back first.
    op.execute(
        f"REVOKE ALL ON {SCHEMA}.accounts, {SCHEMA}.users, {SCHEMA}.engagements,"
        f" {SCHEMA}.connections, {SCHEMA}.scans, {SCHEMA}.audit_log FROM {APP_ROLE}"
    )
    for statement in _grants():
        op.execute(statement)


def downgrade() -> None:
    op.execute(
        f"""
        DROP TABLE IF EXISTS {SCHEMA}.procrastinate_events, {SCHEMA}.procrastinate_periodic_defers,
            {SCHEMA}.procrastinate_jobs, {SCHEMA}.procrastinate_workers CASCADE;
        DO $$
        DECLARE fn regprocedure;
        BEGIN
            FOR fn IN SELECT p.oid::regprocedure FROM pg_proc p
                      JOIN pg_namespace n ON n.oid = p.pronamespace
                      WHERE n.nspname = '{SCHEMA}' AND p.proname LIKE 'procrastinate%'
            LOOP
                EXECUTE 'DROP FUNCTION ' || fn || ' CASCADE';
            END LOOP;
        END $$;
        DROP TYPE IF EXISTS {SCHEMA}.procrastinate_job_status,
            {SCHEMA}.procrastinate_job_event_type, {SCHEMA}.procrastinate_job_to_defer_v1 CASCADE;
        DROP TABLE {SCHEMA}.audit_log, {SCHEMA}.scans, {SCHEMA}.connections,
            {SCHEMA}.engagements, {SCHEMA}.users, {SCHEMA}.accounts CASCADE;
        DROP FUNCTION IF EXISTS {SCHEMA}.audit_log_retention(interval);
        DROP FUNCTION IF EXISTS {SCHEMA}.audit_log_guard();
        """
    )
    op.execute(rls.DROP_ACTOR_FUNCTIONS)
