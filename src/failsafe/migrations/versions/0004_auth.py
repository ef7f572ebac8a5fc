"""Auth: sessions, MFA (TOTP + recovery codes), API tokens, email tokens and rate limits.

Revision ID: 0004
Revises: 0003

Rows that belong to a user (sessions, MFA, API tokens) are visible to that user and to system
actors only; an admin manages other people's credentials through the services, which elevate
to a named system actor and audit-log it. Email tokens and rate-limit buckets are reached before
anyone is signed in, so only system actors see them.
"""

from __future__ import annotations

from alembic import op

from failsafe.db import rls
from failsafe.db.urls import SCHEMA

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = f"""
CREATE TABLE {SCHEMA}.sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES {SCHEMA}.users (id) ON DELETE CASCADE,
    token_hash bytea NOT NULL CHECK (length(token_hash) = 32),
    mfa_verified boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    revoked_reason text CHECK (length(revoked_reason) <= 40),
    ip inet,
    user_agent text NOT NULL DEFAULT '' CHECK (length(user_agent) <= 300),
    CONSTRAINT uq_sessions_token_hash UNIQUE (token_hash)
);
CREATE INDEX ix_sessions_user ON {SCHEMA}.sessions (user_id) WHERE revoked_at IS NULL;

CREATE TABLE {SCHEMA}.mfa_totp (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES {SCHEMA}.users (id) ON DELETE CASCADE,
    sealed_secret text NOT NULL,
    confirmed_at timestamptz,
    last_used_step bigint,
    created_at timestamptz NOT NULL,
    CONSTRAINT uq_mfa_totp_user_id UNIQUE (user_id)
);

CREATE TABLE {SCHEMA}.mfa_recovery_codes (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES {SCHEMA}.users (id) ON DELETE CASCADE,
    code_hash bytea NOT NULL CHECK (length(code_hash) = 32),
    used_at timestamptz,
    created_at timestamptz NOT NULL,
    CONSTRAINT uq_mfa_recovery_codes_user_id UNIQUE (user_id, code_hash)
);

CREATE TABLE {SCHEMA}.api_tokens (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES {SCHEMA}.users (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    prefix text NOT NULL CHECK (length(prefix) <= 16),
    token_hash bytea NOT NULL CHECK (length(token_hash) = 32),
    scope text NOT NULL CHECK (scope IN ('read', 'write')),
    created_at timestamptz NOT NULL,
    last_used_at timestamptz,
    expires_at timestamptz,
    revoked_at timestamptz,
    CONSTRAINT uq_api_tokens_token_hash UNIQUE (token_hash)
);
CREATE INDEX ix_api_tokens_user ON {SCHEMA}.api_tokens (user_id);

CREATE TABLE {SCHEMA}.email_tokens (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES {SCHEMA}.users (id) ON DELETE CASCADE,
    purpose text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'invite')),
    token_hash bytea NOT NULL CHECK (length(token_hash) = 32),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    CONSTRAINT uq_email_tokens_token_hash UNIQUE (token_hash)
);
CREATE INDEX ix_email_tokens_user ON {SCHEMA}.email_tokens (user_id, purpose);

CREATE TABLE {SCHEMA}.rate_limits (
    bucket text PRIMARY KEY CHECK (length(bucket) <= 200),
    window_start timestamptz NOT NULL,
    hits integer NOT NULL CHECK (hits >= 0)
);
"""

USER_OWNED = f"""(
    {SCHEMA}.actor_role() = 'system'
    OR user_id = {SCHEMA}.actor_user_id()
)"""

SYSTEM_ONLY = f"({SCHEMA}.actor_role() = 'system')"

USER_TABLES = ("sessions", "mfa_totp", "mfa_recovery_codes", "api_tokens")
SYSTEM_TABLES = ("email_tokens", "rate_limits")


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.execute(TABLES)
    for table in USER_TABLES:
        for statement in rls.policy_statements(table, USER_OWNED):
            op.execute(statement)
        op.execute(rls.grant_app(table))
    for table in SYSTEM_TABLES:
        for statement in rls.policy_statements(table, SYSTEM_ONLY):
            op.execute(statement)
        op.execute(rls.grant_app(table))


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    for table in (*SYSTEM_TABLES, *reversed(USER_TABLES)):
        for statement in rls.drop_policies(table):
            op.execute(statement)
        op.execute(f"DROP TABLE {SCHEMA}.{table}")
