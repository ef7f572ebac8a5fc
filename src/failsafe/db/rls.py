"""Row-level security, applied by migrations through one helper.

Every engagement-scoped table carries ``engagement_id`` and gets exactly the same treatment:
RLS enabled and forced (so the owner is bound too), and per statement kind one policy per
database role the app runs as, each with only the test that fits the actors of that role:

- as ``failsafe_app_client``, ``failsafe_app_partner`` or ``failsafe_app_job`` (clients,
  partners, jobs scoped to one engagement) a row is admitted when its engagement is in the
  actor's visible set: the client's, the partner's or the job's arm of it, read from
  ``engagements`` through that table's own policy, so there is one visibility rule to audit;
- as ``failsafe_app_all`` (admins, unscoped jobs) every row is admitted, but only while the
  actor settings say the actor really sees all;
- ``failsafe_app`` (the login role, which a transaction always switches away from) and the owner
  carry the whole visible set, every arm, each gated on the actor's kind.

Splitting by role rather than writing ``sees_all OR engagement_id = ANY(...)`` matters for
speed: an OR is a filter evaluated on every row, while the single ``= ANY`` becomes an index
condition, so RLS costs a scoped actor one small sub-select per query; one arm rather than
three makes that sub-select one index scan (benchmarks.rls, a partner's counts query: 1.3-1.5x
the cost without RLS with three gated arms, 1.2-1.4x with one: the rest is fixed per query).

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

from failsafe.db.urls import (
    APP_ALL_ROLE,
    APP_CLIENT_ROLE,
    APP_JOB_ROLE,
    APP_PARTNER_ROLE,
    APP_ROLE,
    OWNER_ROLE,
    SCHEMA,
    SWITCH_ROLES,
)

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


# The engagements the actor may see, one arm per kind of scoped actor. Each arm reads
# engagements through their own policy, so it can never admit more than ENGAGEMENT_VISIBLE does
# (the isolation tests check both agree): a partner's arm read with a client's settings finds
# nothing, whatever the role. The union the login role and the owner carry gates each arm on
# the actor's kind as well, so the arms that cannot match are not even started.
def _arm(condition: str) -> str:
    return f"(SELECT e.id FROM {SCHEMA}.engagements e WHERE {condition})"


_PARTNER = f"e.partner_account_id = {SCHEMA}.actor_account_id()"
_CLIENT = f"e.customer_account_id = {SCHEMA}.actor_account_id()"
_JOB = f"e.id = {SCHEMA}.actor_engagement_id()"
PARTNER_ENGAGEMENT_IDS = _arm(_PARTNER)
CLIENT_ENGAGEMENT_IDS = _arm(_CLIENT)
JOB_ENGAGEMENT_IDS = _arm(_JOB)
VISIBLE_ENGAGEMENT_IDS = "({})".format(
    " UNION ALL ".join(
        _arm(f"{SCHEMA}.actor_role() = '{kind}' AND {condition}")
        for kind, condition in (("partner", _PARTNER), ("client", _CLIENT), ("system", _JOB))
    )
)

# The scoped roles, the suffix of their policies' names, and their arm of the visible set.
SCOPED_ARMS = (
    (APP_CLIENT_ROLE, "_client", CLIENT_ENGAGEMENT_IDS),
    (APP_PARTNER_ROLE, "_partner", PARTNER_ENGAGEMENT_IDS),
    (APP_JOB_ROLE, "_job", JOB_ENGAGEMENT_IDS),
)


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
    for role, suffix, arm in SCOPED_ARMS:
        statements += policy_statements(
            table, f"({column} = ANY (ARRAY{arm}))", roles=(role,), suffix=suffix
        )[2:]
    return statements


def grant_app(
    table: str, privileges: Sequence[str] = ("SELECT", "INSERT", "UPDATE", "DELETE")
) -> str:
    """Grant the app role and every role it switches to exactly ``privileges`` on ``table``."""
    grantees = ", ".join((APP_ROLE, *SWITCH_ROLES))
    return f"GRANT {', '.join(privileges)} ON {SCHEMA}.{table} TO {grantees}"


def copy_app_privileges(role: str) -> str:
    """SQL granting ``role`` every table, column and function privilege the app role holds in the
    schema (read from the catalog, so nothing an earlier migration granted is missed)."""
    return f"""
DO $$
DECLARE
    grant_row record;
BEGIN
    FOR grant_row IN
        SELECT c.oid::regclass AS relation, c.relkind, acl.privilege_type
        FROM pg_class c, aclexplode(c.relacl) acl
        WHERE c.relnamespace = '{SCHEMA}'::regnamespace
          AND acl.grantee = '{APP_ROLE}'::regrole
    LOOP
        EXECUTE format(
            'GRANT %s ON %s %s TO {role}',
            grant_row.privilege_type,
            CASE WHEN grant_row.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
            grant_row.relation
        );
    END LOOP;
    FOR grant_row IN
        SELECT a.attrelid::regclass AS relation, a.attname, acl.privilege_type
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid, aclexplode(a.attacl) acl
        WHERE c.relnamespace = '{SCHEMA}'::regnamespace
          AND acl.grantee = '{APP_ROLE}'::regrole
    LOOP
        EXECUTE format(
            'GRANT %s (%I) ON TABLE %s TO {role}',
            grant_row.privilege_type, grant_row.attname, grant_row.relation
        );
    END LOOP;
    FOR grant_row IN
        SELECT p.oid::regprocedure AS routine
        FROM pg_proc p, aclexplode(p.proacl) acl
        WHERE p.pronamespace = '{SCHEMA}'::regnamespace
          AND acl.grantee = '{APP_ROLE}'::regrole AND acl.privilege_type = 'EXECUTE'
    LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO {role}', grant_row.routine);
    END LOOP;
END
$$;
GRANT USAGE ON SCHEMA {SCHEMA} TO {role};
"""


def revoke_all(role: str) -> list[str]:
    """Take back everything ``role`` holds in the schema (downgrades)."""
    return [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {SCHEMA} FROM {role}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {SCHEMA} FROM {role}",
        f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {SCHEMA} FROM {role}",
        f"REVOKE USAGE ON SCHEMA {SCHEMA} FROM {role}",
    ]


def drop_policies(table: str, suffixes: Sequence[str] | None = None) -> list[str]:
    """Undo :func:`policy_statements` and :func:`engagement_scoped` (used by downgrades): every
    policy of ``table``, or only those whose names end in ``suffixes``."""
    qualified = f"{SCHEMA}.{table}"
    if suffixes is None:
        suffixes = ("", ALL_SUFFIX, *(suffix for _, suffix, _ in SCOPED_ARMS))
    return [
        f"DROP POLICY IF EXISTS {table}_{command}{suffix} ON {qualified}"
        for command in _COMMANDS
        for suffix in suffixes
    ]
