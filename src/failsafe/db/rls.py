"""Row-level security, applied by migrations through one helper.

Every engagement-scoped table carries ``engagement_id`` and gets exactly the same treatment:
RLS enabled and forced (so the owner is bound too), one policy per statement kind, each
admitting a row only when its engagement is visible to the current actor. Visibility itself is
decided once, by the policies on ``engagements``; the other tables defer to it through a
sub-select, so there is one rule to audit.

The actor comes from transaction-local settings read through ``NULLIF(..., '')``: a pooled
connection whose last transaction ended has no actor, and sees nothing, without an error.
"""

from __future__ import annotations

from collections.abc import Sequence

from failsafe.db.urls import APP_ROLE, SCHEMA

ACTOR_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION {SCHEMA}.actor_role() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('failsafe.role', true), '') $$;
CREATE OR REPLACE FUNCTION {SCHEMA}.actor_account_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('failsafe.account_id', true), '')::uuid $$;
CREATE OR REPLACE FUNCTION {SCHEMA}.actor_user_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('failsafe.user_id', true), '')::uuid $$;
CREATE OR REPLACE FUNCTION {SCHEMA}.actor_engagement_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('failsafe.engagement_id', true), '')::uuid $$;
CREATE OR REPLACE FUNCTION {SCHEMA}.actor_sees_all() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce({SCHEMA}.actor_role() = 'admin'
                          OR ({SCHEMA}.actor_role() = 'system'
                              AND {SCHEMA}.actor_engagement_id() IS NULL), false) $$;
"""

DROP_ACTOR_FUNCTIONS = f"""
DROP FUNCTION IF EXISTS {SCHEMA}.actor_sees_all();
DROP FUNCTION IF EXISTS {SCHEMA}.actor_role();
DROP FUNCTION IF EXISTS {SCHEMA}.actor_account_id();
DROP FUNCTION IF EXISTS {SCHEMA}.actor_user_id();
DROP FUNCTION IF EXISTS {SCHEMA}.actor_engagement_id();
"""

# Which engagements the actor may see, evaluated on the engagements table itself.
ENGAGEMENT_VISIBLE = f"""(
    CASE {SCHEMA}.actor_role()
        WHEN 'admin' THEN true
        WHEN 'system' THEN {SCHEMA}.actor_engagement_id() IS NULL
                           OR id = {SCHEMA}.actor_engagement_id()
        WHEN 'client' THEN customer_account_id = {SCHEMA}.actor_account_id()
        WHEN 'partner' THEN partner_account_id = {SCHEMA}.actor_account_id()
        ELSE false
    END
)"""

ACTOR_PRESENT = f"({SCHEMA}.actor_role() IS NOT NULL)"

# Admins, and background jobs not scoped to one engagement, see every row. Written as a scalar
# sub-select so the planner evaluates it once per query (an InitPlan), not once per row.
SEES_ALL = f"(SELECT {SCHEMA}.actor_sees_all())"

_COMMANDS = ("select", "insert", "update", "delete")


def policy_statements(table: str, predicate: str) -> list[str]:
    """Enable and force RLS on ``table`` with one policy per statement kind for ``predicate``."""
    qualified = f"{SCHEMA}.{table}"
    statements = [
        f"ALTER TABLE {qualified} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {qualified} FORCE ROW LEVEL SECURITY",
    ]
    for command in _COMMANDS:
        name = f"{table}_{command}"
        if command == "insert":
            clause = f"WITH CHECK {predicate}"
        elif command == "update":
            clause = f"USING {predicate} WITH CHECK {predicate}"
        else:
            clause = f"USING {predicate}"
        statements.append(f"CREATE POLICY {name} ON {qualified} FOR {command.upper()} {clause}")
    return statements


# The engagements the actor may see, as one index-friendly set: each arm is gated by a one-time
# filter on the actor's role and reads engagements through their own policy, so it can never
# admit more than ENGAGEMENT_VISIBLE does (the isolation tests check both agree).
VISIBLE_ENGAGEMENT_IDS = f"""(
    SELECT e.id FROM {SCHEMA}.engagements e
        WHERE {SCHEMA}.actor_role() = 'partner'
          AND e.partner_account_id = {SCHEMA}.actor_account_id()
    UNION ALL
    SELECT e.id FROM {SCHEMA}.engagements e
        WHERE {SCHEMA}.actor_role() = 'client'
          AND e.customer_account_id = {SCHEMA}.actor_account_id()
    UNION ALL
    SELECT e.id FROM {SCHEMA}.engagements e
        WHERE {SCHEMA}.actor_role() = 'system' AND e.id = {SCHEMA}.actor_engagement_id()
)"""


def engagement_scoped(table: str, column: str = "engagement_id") -> list[str]:
    """RLS for a table whose rows belong to an engagement: visible iff the engagement is."""
    # ANY(ARRAY(...)) makes the visible set one InitPlan the planner can also use as an index
    # condition, instead of a hashed sub-plan probed for every row.
    predicate = f"({SEES_ALL} OR {column} = ANY (ARRAY{VISIBLE_ENGAGEMENT_IDS}))"
    return policy_statements(table, predicate)


def grant_app(
    table: str, privileges: Sequence[str] = ("SELECT", "INSERT", "UPDATE", "DELETE")
) -> str:
    """Grant the app role exactly ``privileges`` on ``table`` (it owns nothing)."""
    return f"GRANT {', '.join(privileges)} ON {SCHEMA}.{table} TO {APP_ROLE}"


def drop_policies(table: str) -> list[str]:
    """Undo :func:`policy_statements` (used by downgrades)."""
    qualified = f"{SCHEMA}.{table}"
    return [f"DROP POLICY IF EXISTS {table}_{command} ON {qualified}" for command in _COMMANDS]
