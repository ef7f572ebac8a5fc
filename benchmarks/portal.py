"""Server time of the portal's heaviest pages, through the whole ASGI stack (auth, RLS,
query, template) as a signed-in partner:

- the engagements home with 200 client engagements (each with a Microsoft tenant and three
  complete scans, each scan with a stored inventory, 50 findings and its summary);
- the findings page of one engagement whose latest scan holds 100,000 findings;
- the discovered-apps page of that engagement over 100,000 inventory rows (grants, sign-ins,
  vendor emails).

    .venv/bin/python -m benchmarks.portal [--engagements 200] [--rows 100000]
        [--findings 100000] [--requests 200] [--pages home,findings,apps]

Target: p99 under 150 ms on the 2-core CI machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import time
import uuid
from datetime import UTC, datetime

import httpx
import psycopg
from sqlalchemy import text

from benchmarks.common import REPO, insert_synthetic_findings, scratch_database
from failsafe.accounts.sessions import COOKIE_NAME, SessionPolicy, create_session
from failsafe.db.actor import Role, SystemActor, UserActor
from failsafe.db.urls import DatabaseTarget
from failsafe.inventory.model import Section
from failsafe.runtime import Runtime
from failsafe.scans.summaries import refresh_summaries
from failsafe.secrets.keyring import KeyRing, generate_key
from failsafe.settings import Settings
from failsafe.web.app import create_app

_WORLD = """
WITH partner AS (
    INSERT INTO accounts (kind, name) VALUES ('partner', 'Bench Partner') RETURNING id
), clients AS (
    INSERT INTO accounts (kind, name, managed_by_account_id)
    SELECT 'customer', 'Client ' || g, partner.id FROM generate_series(1, %(n)s) g, partner
    RETURNING id, managed_by_account_id
)
INSERT INTO engagements (customer_account_id, partner_account_id, name)
SELECT id, managed_by_account_id, 'Engagement of ' || id FROM clients
"""
_TENANTS = """
INSERT INTO connections (engagement_id, provider, tenant_ref, status, sealed_credentials,
                         last_scan_at)
SELECT id, 'microsoft', 'tenant-' || id, 'active', 'sealed', now() FROM engagements;
INSERT INTO scans (engagement_id, connection_id, status, progress, queued_at, started_at,
                   finished_at)
SELECT c.engagement_id, c.id, 'succeeded', 100, now() - make_interval(days => 7 * k),
       now() - make_interval(days => 7 * k), now() - make_interval(days => 7 * k)
FROM connections c, generate_series(0, 2) k;
INSERT INTO inventory_tenants (engagement_id, scan_id, provider, tenant_id, display_name,
                               domains, collected_at, sections)
SELECT s.engagement_id, s.id, 'microsoft', 'tenant-' || s.engagement_id, 'Bench tenant',
       ARRAY['bench.test'], s.finished_at, %(sections)s::jsonb
FROM scans s;
"""
# Every scan's small share of findings (the 100,000 go to one scan on top).
FINDINGS_PER_SCAN = 50
_INVENTORY = """
INSERT INTO inventory_grants (engagement_id, scan_id, app_id, kind, scopes, all_users,
                              user_email, granted_at, source)
SELECT %(e)s, %(s)s, 'app-' || (g %% 400), 'delegated', ARRAY['Mail.Read', 'offline_access'],
       false, 'user' || (g %% 2000) || '@bench.test', now() - make_interval(days => g %% 300),
       'grant_api'
FROM generate_series(1, %(third)s) g;
INSERT INTO inventory_app_usage (engagement_id, scan_id, app_id, app_name, user_email,
                                 first_seen, last_seen, sign_ins, legacy_auth)
SELECT %(e)s, %(s)s, 'app-' || (g %% 400), 'App ' || (g %% 400),
       'user' || (g %% 2000) || '@bench.test', now() - interval '90 days', now(), g %% 50, false
FROM generate_series(1, %(third)s) g;
INSERT INTO inventory_email_signals (engagement_id, scan_id, vendor_domain, user_email, kind,
                                     first_seen, last_seen, count)
SELECT %(e)s, %(s)s, 'vendor' || (g %% 300) || '.example', 'user' || (g %% 2000) || '@bench.test',
       'signup', now() - interval '60 days', now(), 1 + g %% 9
FROM generate_series(1, %(third)s) g;
"""


def build(
    target: DatabaseTarget, engagements: int, rows: int, findings: int
) -> tuple[uuid.UUID, uuid.UUID]:
    """The partner's world; returns (partner user id, the engagement holding the inventory)."""
    with psycopg.connect(target.bootstrap_url, autocommit=True) as conn:
        conn.execute("SET search_path = failsafe")
        with conn.transaction():
            conn.execute("SELECT set_config('failsafe.role', 'system', true)")
            conn.execute(_WORLD, {"n": engagements})
            sections = json.dumps(
                [{"name": s.value, "status": "collected", "records": 1, "reason": None}
                 for s in Section]
            )  # fmt: skip
            for statement in _TENANTS.split(";\n"):
                if statement.strip():
                    conn.execute(statement, {"sections": sections})
            partner = conn.execute("SELECT id FROM accounts WHERE kind = 'partner'").fetchone()
            assert partner is not None
            user = conn.execute(
                "INSERT INTO users (account_id, email, role, email_verified_at)"
                " VALUES (%s, 'bench@partner.test', 'partner', now()) RETURNING id",
                (partner[0],),
            ).fetchone()
            assert user is not None
            conn.execute(
                "INSERT INTO mfa_totp (user_id, sealed_secret, confirmed_at, created_at)"
                " VALUES (%s, 'not-used', now(), now())",
                (user[0],),
            )
            scan = conn.execute(
                "SELECT engagement_id, id, connection_id FROM scans ORDER BY queued_at DESC LIMIT 1"
            ).fetchone()
            assert scan is not None
            for statement in _INVENTORY.split(";\n"):
                if statement.strip():
                    conn.execute(statement, {"e": scan[0], "s": scan[1], "third": rows // 3})
            insert_synthetic_findings(
                conn, engagement=scan[0], scan=scan[1], connection=scan[2], rows=findings
            )
            for engagement, scan_id, connection in conn.execute(
                "SELECT engagement_id, id, connection_id FROM scans WHERE id <> %s", (scan[1],)
            ).fetchall():
                insert_synthetic_findings(
                    conn,
                    engagement=engagement,
                    scan=scan_id,
                    connection=connection,
                    rows=FINDINGS_PER_SCAN,
                )
        for table in (
            "engagements",
            "scans",
            "connections",
            "inventory_grants",
            "inventory_app_usage",
            "inventory_email_signals",
            "inventory_tenants",
            "findings",
        ):
            conn.execute(f"VACUUM ANALYZE {table}")
    return user[0], scan[0]


async def summarise(runtime: Runtime) -> None:
    """Write every scan's summary with the function a scan's persistence calls, after the
    findings were seeded (SQL is much faster than the pipeline at 100,000 rows)."""
    async with runtime.database.transaction(SystemActor("bench.seed")) as session:
        scans = list((await session.execute(text("SELECT id FROM scans"))).scalars())
        await refresh_summaries(session, scans)


async def _session_cookie(runtime: Runtime, user_id: uuid.UUID) -> str:
    account = await _account_of(runtime, user_id)
    actor = UserActor(user_id=user_id, account_id=account, role=Role.PARTNER)
    async with runtime.database.transaction(actor) as session:
        new = await create_session(
            session,
            user_id=user_id,
            mfa_verified=True,
            now=datetime.now(UTC),
            policy=SessionPolicy.from_settings(runtime.settings),
            ip=None,
            user_agent="bench",
        )
    return new.token


async def _account_of(runtime: Runtime, user_id: uuid.UUID) -> uuid.UUID:
    async with runtime.database.transaction(SystemActor("bench")) as session:
        found = await session.scalar(
            text("SELECT account_id FROM users WHERE id = :id"), {"id": user_id}
        )
    assert isinstance(found, uuid.UUID)
    return found


async def measure(runtime: Runtime, cookie: str, path: str, requests: int) -> list[float]:
    """Milliseconds per request, after a warm-up (pool, caches, template compilation)."""
    app = create_app(runtime)
    transport = httpx.ASGITransport(app=app)
    # The app's start-up as `failsafe serve` runs it (the transport alone skips the lifespan).
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=transport, base_url="https://bench", cookies={COOKIE_NAME: cookie}
        ) as http,
    ):
        for _ in range(10):
            assert (await http.get(path)).status_code == 200, path
        timings = []
        for _ in range(requests):
            start = time.perf_counter()
            response = await http.get(path)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
    return timings


def report(name: str, timings: list[float]) -> None:
    ordered = sorted(timings)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(
        f"{name:<44} p50 {statistics.median(ordered):7.1f} ms   p99 {p99:7.1f} ms"
        f"   ({len(ordered)} requests)"
    )


async def run(target: DatabaseTarget, args: argparse.Namespace) -> None:
    user, engagement = build(target, args.engagements, args.rows, args.findings)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=REPO / ".test-data" / "bench-portal",
        secret_keys=f"bench:{generate_key()}",  # type: ignore[arg-type]
    )
    assert settings.secret_keys is not None
    runtime = Runtime(
        settings=settings,
        target=target,
        keyring=KeyRing.parse(settings.secret_keys.get_secret_value()),
    )
    pages = {
        "home": ("/home", f"partner home, {args.engagements} engagements"),
        "findings": (
            f"/engagements/{engagement}/findings",
            f"findings, {args.findings:,} in the latest scan",
        ),
        "apps": (
            f"/engagements/{engagement}/apps",
            f"discovered apps, {args.rows:,} inventory rows",
        ),
    }
    try:
        await summarise(runtime)
        cookie = await _session_cookie(runtime, user)
        for page in args.pages.split(","):
            path, name = pages[page.strip()]
            report(name, await measure(runtime, cookie, path, args.requests))
    finally:
        await runtime.database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--engagements", type=int, default=200)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--pages", default="home,findings,apps", help="comma-separated")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    with scratch_database("fs_bench_portal") as target:
        asyncio.run(run(target, args))


if __name__ == "__main__":
    main()
