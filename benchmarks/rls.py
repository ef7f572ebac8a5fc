"""What row-level security costs: one engagement-scoped query as the app role under RLS and as
a role that bypasses it, over 1,000 engagements and 1,000,000 rows, measured in one run.

    .venv/bin/python -m benchmarks.rls [--rows 1000000] [--engagements 1000] [--queries 2000]

Measured for a partner (the app role: the visible-set policy) and for an admin (the sees-all
role: a one-time filter), each query in its own transaction with the actor bound exactly as the
app binds it. Target: RLS costs at most 1.3x, judged on the client's view (round trip
included). Each line is followed by the server's own time for the same queries (EXPLAIN ANALYZE
of the prepared statement, planning included): RLS costs a fixed amount per query, and at a
fraction of a millisecond per query the client's view also carries scheduling noise.

Each side runs on several connections in turn (``--connections``, default 4). On two cores, a
query of 0.15 ms on one connection measured 15-20% slower than the same query on another
(identical work: which core the backend shares with the client), and with one connection per
side that chance decided the ratio: the same code measured 1.2x to 1.8x. Each line also prints
the spread between the app role's own connections, the noise floor the ratio sits on.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import random
import statistics
import time
import uuid
from collections.abc import Callable

import psycopg
from psycopg import sql

from benchmarks.common import scratch_database
from failsafe.db import rls
from failsafe.db.actor import Actor, Role, UserActor, actor_settings

BENCH_TABLE = "bench_findings"

# The two queries every findings screen runs: the counts by severity, and the first page.
QUERIES = {
    "counts": f"SELECT severity, count(*) FROM {BENCH_TABLE} WHERE engagement_id = %s"
    " GROUP BY severity",
    "page": f"SELECT id, severity, title, evidence FROM {BENCH_TABLE} WHERE engagement_id = %s"
    " ORDER BY severity DESC, id LIMIT 50",
}


def build(conn: psycopg.Connection, engagements: int, rows: int) -> list[uuid.UUID]:
    """Accounts, engagements and the benchmark table, filled with generate_series."""
    partners = max(1, engagements // 10)
    with conn.transaction():
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute(
            "INSERT INTO accounts (kind, name) SELECT 'partner', 'partner ' || g"
            " FROM generate_series(1, %s) g",
            (partners,),
        )
        conn.execute(
            "INSERT INTO accounts (kind, name) SELECT 'customer', 'client ' || g"
            " FROM generate_series(1, %s) g",
            (engagements,),
        )
        conn.execute(
            """
            INSERT INTO engagements (customer_account_id, partner_account_id, name)
            SELECT c.id, p.id, 'engagement ' || c.name
            FROM (SELECT id, name, row_number() OVER (ORDER BY id) AS n
                  FROM accounts WHERE kind = 'customer') c
            JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n
                  FROM accounts WHERE kind = 'partner') p ON p.n = 1 + c.n %% %s
            """,
            (partners,),
        )
        conn.execute("SET LOCAL ROLE failsafe_owner")
        conn.execute(
            f"CREATE TABLE {BENCH_TABLE} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
            " engagement_id uuid NOT NULL REFERENCES engagements (id),"
            " severity int NOT NULL, title text NOT NULL, evidence jsonb NOT NULL)"
        )
        for statement in rls.engagement_scoped(BENCH_TABLE):
            conn.execute(statement)
        conn.execute(rls.grant_app(BENCH_TABLE, ("SELECT",)))
        conn.execute("RESET ROLE")
        conn.execute(
            f"""
            INSERT INTO {BENCH_TABLE} (engagement_id, severity, title, evidence)
            SELECT e.id, (g %% 5), 'Third-party app ' || g || ' holds Mail.Read for 12 users',
                   jsonb_build_object(
                       'app_id', md5(g::text), 'scopes', jsonb_build_array('Mail.Read',
                       'offline_access', 'User.Read'), 'users', jsonb_build_array(
                       'ada@contoso.test', 'bob@contoso.test', 'cy@contoso.test'), 'count', 12)
            FROM generate_series(1, %s) g
            JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM engagements) e
              ON e.n = g %% %s
            """,
            (rows, engagements),
        )
        conn.execute(f"CREATE INDEX ON {BENCH_TABLE} (engagement_id, severity DESC, id)")
    # As autovacuum would have: statistics and the visibility map (index-only scans).
    conn.execute(f"VACUUM ANALYZE {BENCH_TABLE}")
    conn.execute("VACUUM ANALYZE engagements")
    return [row[0] for row in conn.execute("SELECT id FROM engagements").fetchall()]


def partner_of(conn: psycopg.Connection, engagement: uuid.UUID) -> uuid.UUID:
    row = conn.execute(
        "SELECT partner_account_id FROM engagements WHERE id = %s", (engagement,)
    ).fetchone()
    assert row is not None
    return row[0]


def actor_binding(role: str, account: uuid.UUID | None) -> dict[str, str]:
    """The settings a request binds for a partner of ``account``, or for an admin."""
    if role == "admin":
        actor: Actor = UserActor(uuid.uuid4(), uuid.uuid4(), Role.ADMIN)
    else:
        assert account is not None
        actor = UserActor(uuid.uuid4(), account, Role.PARTNER)
    return actor_settings(actor)


def timed(
    conn: psycopg.Connection, query: str, engagement: uuid.UUID, binding: dict[str, str] | None
) -> float:
    """Seconds for one query in its own transaction; binding the actor is not counted (it is
    once per request, whatever the request runs)."""
    with conn.transaction():
        if binding is not None:
            conn.execute(
                "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in binding),
                [item for pair in binding.items() for item in pair],
            )
        start = time.perf_counter()
        rows = conn.execute(query, (engagement,), prepare=True).fetchall()
        elapsed = time.perf_counter() - start
    assert rows, "every engagement has rows"
    return elapsed


def server_timed(
    conn: psycopg.Connection, engagement: uuid.UUID, binding: dict[str, str] | None
) -> float:
    """Milliseconds the server spent planning and running the prepared ``bench_query`` once
    (EXPLAIN ANALYZE without per-node timing): the round trip and the client are left out."""
    with conn.transaction():
        if binding is not None:
            conn.execute(
                "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in binding),
                [item for pair in binding.items() for item in pair],
            )
        statement = sql.SQL("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) EXECUTE bench_query({})")
        row = conn.execute(statement.format(sql.Literal(str(engagement)))).fetchone()
    assert row is not None
    plan = row[0][0]
    return float(plan["Planning Time"] + plan["Execution Time"])


def explain(app_url: str, engagement: uuid.UUID, binding: dict[str, str]) -> None:
    with psycopg.connect(app_url, options="-c search_path=failsafe") as conn, conn.transaction():
        conn.execute(
            "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in binding),
            [item for pair in binding.items() for item in pair],
        )
        for name, query in QUERIES.items():
            plan = conn.execute("EXPLAIN ANALYZE " + query, (engagement,)).fetchall()
            print(f"-- {name}")
            print("\n".join(row[0] for row in plan))


def server_side(
    app: psycopg.Connection,
    bypass: psycopg.Connection,
    query: str,
    picks: list[uuid.UUID],
    binding: Callable[[uuid.UUID], dict[str, str]],
) -> tuple[list[float], list[float]]:
    """Server milliseconds per query for both roles, interleaved, after the same warm-up: what
    RLS costs the database itself, free of round-trip and scheduling noise."""
    for conn in (app, bypass):
        conn.execute("DEALLOCATE ALL")
        conn.execute("PREPARE bench_query(uuid) AS " + query.replace("%s", "$1"))
    for engagement in picks[:100]:  # past the five custom plans, like the app's statements
        server_timed(app, engagement, binding(engagement))
        server_timed(bypass, engagement, None)
    rls, raw = [], []
    for engagement in picks:
        rls.append(server_timed(app, engagement, binding(engagement)))
        raw.append(server_timed(bypass, engagement, None))
    return rls, raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--engagements", type=int, default=1_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--connections", type=int, default=4, help="connections per side")
    parser.add_argument("--explain", action="store_true", help="print the RLS query plan")
    args = parser.parse_args()
    logging.disable(logging.INFO)

    with scratch_database("fs_bench_rls") as target:
        with psycopg.connect(target.bootstrap_url, autocommit=True) as admin:
            admin.execute("SET search_path = failsafe")
            started = time.perf_counter()
            engagements = build(admin, args.engagements, args.rows)
            print(
                f"built {args.engagements} engagements, {args.rows} rows "
                f"in {time.perf_counter() - started:.1f}s"
            )
            owners = {e: partner_of(admin, e) for e in engagements}
            if args.explain:
                explain(
                    target.app_url, engagements[0], actor_binding("partner", owners[engagements[0]])
                )

        rng = random.Random(7)
        picks = [rng.choice(engagements) for _ in range(args.queries)]
        opts = "-c search_path=failsafe"
        with contextlib.ExitStack() as stack:
            apps = [
                stack.enter_context(psycopg.connect(target.app_url, options=opts))
                for _ in range(args.connections)
            ]
            bypasses = [
                stack.enter_context(psycopg.connect(target.bootstrap_url, options=opts))
                for _ in range(args.connections)
            ]
            partner_bindings = {e: actor_binding("partner", owners[e]) for e in engagements}
            admin_binding = actor_binding("admin", None)
            for actor in ("partner", "admin"):
                for name, query in QUERIES.items():

                    def binding(engagement: uuid.UUID, actor: str = actor) -> dict[str, str]:
                        return partner_bindings[engagement] if actor == "partner" else admin_binding

                    measure(actor, name, query, picks, apps, bypasses, binding)


def measure(
    actor: str,
    name: str,
    query: str,
    picks: list[uuid.UUID],
    apps: list[psycopg.Connection],
    bypasses: list[psycopg.Connection],
    binding: Callable[[uuid.UUID], dict[str, str]],
) -> None:
    """Client-side and server-side times of ``query`` for both sides, printed as two lines."""
    turns = list(zip(apps, bypasses, strict=True))
    rls_times: list[list[float]] = [[] for _ in turns]
    raw_times: list[float] = []
    for index, engagement in enumerate(picks[:100]):  # warm both plans and caches
        app, bypass = turns[index % len(turns)]
        timed(app, query, engagement, binding(engagement))
        timed(bypass, query, engagement, None)
    for index, engagement in enumerate(picks):  # interleaved so drift hits both alike
        app, bypass = turns[index % len(turns)]
        rls_times[index % len(turns)].append(timed(app, query, engagement, binding(engagement)))
        raw_times.append(timed(bypass, query, engagement, None))
    every_rls = [t for times in rls_times for t in times]
    ratio = sum(every_rls) / sum(raw_times)
    verdict = "ok" if ratio <= 1.3 else "OVER TARGET"
    medians = [statistics.median(times) for times in rls_times if times]
    print(
        f"{actor:7} {name:6} app role + RLS p50 {statistics.median(every_rls) * 1e3:.3f} ms"
        f" | bypass p50 {statistics.median(raw_times) * 1e3:.3f} ms"
        f" | total ratio {ratio:.2f}x (target <= 1.30x: {verdict})"
        f" | app connections' p50 spread {max(medians) / min(medians):.2f}x"
    )
    rls_server, raw_server = server_side(apps[0], bypasses[0], query, picks, binding)
    print(
        f"{'':14} server side: RLS p50 {statistics.median(rls_server):.3f} ms"
        f" | bypass p50 {statistics.median(raw_server):.3f} ms"
        f" | total ratio {sum(rls_server) / sum(raw_server):.2f}x"
    )


if __name__ == "__main__":
    main()
