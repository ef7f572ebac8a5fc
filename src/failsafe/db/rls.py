"""Row-level security, applied by migrations through one helper.

Every engagement-scoped table carries ``engagement_id`` and gets exactly the same treatment:
RLS enabled and forced (so the owner is bound too), and per statement kind two policies, one
per database role the app runs as:

- as ``failsafe_app`` (clients, partners, jobs scoped to one engagement) a row is admitted when
  its engagement is in the actor's visible set, read from ``engagements`` through that table's
  own policy, so there is one visibility rule to audit;
- as ``failsafe_app_all`` (admins, unscoped jobs) every row is admitted, but only while the
  actor settings say the actor really sees all.

Splitting by role rather than writing ``sees_all OR engagement_id = ANY(...)`` matters for
speed: an OR is a filter evaluated on every row, while the single ``= ANY`` becomes an index
condition, so RLS costs the scoped actors one small sub-select per query. The owner carries
both policies, as one did before.

The planner cannot know how many engagements are visible and assumes a handful, so on a large
table an index that leads with ``engagement_id`` invites it to read all of a big partner's rows
through that index rather than the query's own (a scan's findings, say). Large tables keep
their ``engagement_id`` out of index leads (findings: migration 0011); there the visible-set
test is a filter on the rows the query's index returns.

The actor comes from transaction-local settings read through ``NULLIF(..., '')``: a pooled
connection whose last transaction ended has no actor, and sees nothing, without an error.
"""

from __future__ import annotations

from collections.abc import Sequence

from failsafe.db.urls import APP_ALL_ROLE, APP_ROLE, OWNER_ROLE, SCHEMA

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


# The suffix of the policies that admit every row to actors that see all (see the module text).
ALL_SUFFIX = "_all"


def policy_statements(
    table: str, predicate: str, *, roles: Sequence[str] = (), suffix: str = ""
) -> list[str]:
    """Enable and force RLS on ``table`` with one policy per statement kind for ``predicate``,
    applying to ``roles`` (every role when empty)."""
    qualified = f"{SCHEMA}.{table}"
    statements = [
        f"ALTER TABLE {qualified} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {qualified} FORCE ROW LEVEL SECURITY",
    ]
    to = f" TO {', '.join(roles)}" if roles else ""
    for command in _COMMANDS:
        name = f"{table}_{command}{suffix}"
        if command == "insert":
            clause = f"WITH CHECK {predicate}"
        elif command == "update":
            clause = f"USING {predicate} WITH CHECK {predicate}"
        else:
            clause = f"USING {predicate}"
        statements.append(f"CREATE POLICY {name} ON {qualified} FOR {command.upper()}{to} {clause}")
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
    # ANY(ARRAY(...)) makes the visible set one InitPlan that the planner uses as an index
    # condition (merged with the query's own engagement_id = $1), never a per-row filter.
    scoped = f"({column} = ANY (ARRAY{VISIBLE_ENGAGEMENT_IDS}))"
    statements = policy_statements(table, scoped, roles=(APP_ROLE, OWNER_ROLE))
    # A pseudo-constant (no column in it): the planner turns it into a one-time filter.
    statements += policy_statements(
        table, f"({SEES_ALL})", roles=(APP_ALL_ROLE, OWNER_ROLE), suffix=ALL_SUFFIX
    )[2:]
    return statements


def grant_app(
    table: str, privileges: Sequence[str] = ("SELECT", "INSERT", "UPDATE", "DELETE")
) -> str:
    """Grant both app roles exactly ``privileges`` on ``table`` (they own nothing)."""
    return f"GRANT {', '.join(privileges)} ON {SCHEMA}.{table} TO {APP_ROLE}, {APP_ALL_ROLE}"


def drop_policies(table: str) -> list[str]:
    """Undo :func:`policy_statements` and :func:`engagement_scoped` (used by downgrades)."""
    qualified = f"{SCHEMA}.{table}"
    return [
        f"DROP POLICY IF EXISTS {table}_{command}{suffix} ON {qualified}"
        for command in _COMMANDS
        for suffix in ("", ALL_SUFFIX)
    ]
