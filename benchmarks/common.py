"""Benchmark helpers: a throwaway migrated database on the test server, fresh child processes
(so each size's peak RSS is its own), a sandbox tenant read with the real connector, and a
stored scan seeded from an inventory and its findings."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import resource
import subprocess
import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql
from sqlalchemy import text

from failsafe.db import migrate
from failsafe.db.urls import DatabaseTarget, resolve_target
from failsafe.settings import Settings

if TYPE_CHECKING:  # the heavier imports load only where a benchmark uses them
    from failsafe.connectors.collect import Collected
    from failsafe.detections.model import Finding
    from failsafe.inventory.model import Inventory, Provider
    from failsafe.runtime import Runtime
    from failsafe.sandbox import TenantSpec

REPO = Path(__file__).resolve().parent.parent
BENCH_PASSWORD = "failsafe-bench-app-role"
TARGET_ENV = "FAILSAFE_BENCH_TARGET"  # a parent's scratch database, handed to its children


@contextmanager
def scratch_database(prefix: str = "fs_bench") -> Iterator[DatabaseTarget]:
    """A fresh database migrated to head, dropped afterwards."""
    external = bool(os.environ.get("DATABASE_URL"))
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=REPO / ".test-data",
        app_db_password=BENCH_PASSWORD if external else None,  # type: ignore[arg-type]
    )
    server = resolve_target(settings)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server.bootstrap_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    target = server.with_database(name)
    try:
        migrate.upgrade(target, BENCH_PASSWORD if external else None)
        yield target
    finally:
        with psycopg.connect(server.bootstrap_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


# ----------------------------------------------------------------------------- child processes


def bench_settings(**overrides: Any) -> Settings:
    """Settings for a benchmark process: no .env, the test data dir, warnings only."""
    values: dict[str, Any] = {"data_dir": REPO / ".test-data", "log_level": "warning"}
    return Settings(_env_file=None, **(values | overrides))


def quiet_logging() -> None:
    """Logs at WARNING on stderr, so a child's stdout carries nothing but its JSON result."""
    from failsafe.logging import configure_logging

    configure_logging(bench_settings())


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB (Linux reports ``ru_maxrss`` in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(
    module: str,
    args: Sequence[str],
    *,
    target: DatabaseTarget | None = None,
    echo_stderr: bool = False,
) -> dict[str, Any]:
    """``python -m module *args`` in a fresh process; the JSON object on its last stdout line.

    ``target`` reaches the child through the environment (see :func:`child_target`), so no
    connection string shows up in the process list.
    """
    env = dict(os.environ)
    if target is not None:
        env[TARGET_ENV] = json.dumps(dataclasses.asdict(target))
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{done.stderr[-4000:]}")
    if echo_stderr and done.stderr:
        sys.stderr.write(done.stderr)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def child_target() -> DatabaseTarget:
    """The database the parent passed to :func:`run_child`."""
    return DatabaseTarget(**json.loads(os.environ[TARGET_ENV]))


def bench_runtime(target: DatabaseTarget) -> Runtime:
    """A runtime on ``target`` (the app role, under RLS) with a throwaway key ring."""
    from failsafe.runtime import Runtime
    from failsafe.secrets.keyring import KeyRing, generate_key

    return Runtime(
        settings=bench_settings(), target=target, keyring=KeyRing.parse(f"bench:{generate_key()}")
    )


# ----------------------------------------------------------------------------- sandbox tenants


def collect_sandbox(spec: TenantSpec, provider: Provider = "microsoft") -> Collected:
    """Serve ``spec`` on a loopback sandbox and read it with the real connector, in-process:
    the provider-neutral inventory exactly as a scan collects it."""
    from failsafe.connectors.collect import collect_tenant
    from failsafe.connectors.google.auth import GoogleCredentials
    from failsafe.connectors.graph.auth import GraphCredentials
    from failsafe.connectors.plan import CollectionPlan
    from failsafe.sandbox import running_sandbox

    with running_sandbox(spec) as sandbox:
        settings = bench_settings(**sandbox.settings_overrides())
        now = datetime.now(UTC)
        plan = CollectionPlan(now, now - timedelta(days=settings.scan_mail_lookback_days))
        credentials: GraphCredentials | GoogleCredentials
        if provider == "microsoft":
            ms = sandbox.microsoft(spec)
            credentials = GraphCredentials(ms.tenant_id, ms.client_id, ms.client_secret)
        else:
            google = sandbox.google(spec)
            credentials = GoogleCredentials(dict(google.service_account), google.admin_email)
        return asyncio.run(collect_tenant(settings, credentials, plan))


# ----------------------------------------------------------------------------- stored scans


def _engagement(
    target: DatabaseTarget, name: str, provider: Provider
) -> tuple[uuid.UUID, uuid.UUID]:
    """A customer account, its engagement and a connection: (engagement, connection)."""
    with psycopg.connect(
        target.bootstrap_url, autocommit=True, options="-c search_path=failsafe"
    ) as conn:
        conn.execute("SET ROLE failsafe_owner")
        with conn.transaction():
            conn.execute("SELECT set_config('failsafe.role', 'system', true)")
            row = conn.execute(
                "WITH a AS (INSERT INTO accounts (kind, name) VALUES ('customer', %(n)s)"
                " RETURNING id), e AS (INSERT INTO engagements (customer_account_id, name)"
                " SELECT id, %(n)s FROM a RETURNING id)"
                " INSERT INTO connections (engagement_id, provider, tenant_ref, status)"
                " SELECT id, %(p)s, %(n)s, 'active' FROM e RETURNING engagement_id, id",
                {"n": name, "p": provider},
            ).fetchone()
    assert row is not None
    return row[0], row[1]


async def seed_scan(
    runtime: Runtime,
    name: str,
    inventory: Inventory,
    findings: Sequence[Finding],
    *,
    finished_at: datetime | None = None,
) -> tuple[uuid.UUID, uuid.UUID]:
    """An engagement with one finished scan holding ``inventory`` and ``findings``, written by
    the scan pipeline's own persistence (COPY); returns (engagement, scan)."""
    from failsafe.db.actor import SystemActor
    from failsafe.detections.store.persist import persist_findings
    from failsafe.scans.persistence import persist_inventory

    engagement, connection = _engagement(runtime.target, name, inventory.tenant.provider)
    finished_at = finished_at or datetime.now(UTC)
    scan = uuid.uuid4()
    async with runtime.database.transaction(SystemActor("bench.seed", engagement)) as session:
        await session.execute(
            text(
                "INSERT INTO scans (id, engagement_id, connection_id, status, started_at,"
                " finished_at) VALUES (:id, :e, :c, 'succeeded', :f, :f)"
            ),
            {"id": scan, "e": engagement, "c": connection, "f": finished_at},
        )
        await persist_inventory(session, scan, engagement, inventory)
        await persist_findings(session, scan, findings, now=finished_at)
    return engagement, scan


_SYNTHETIC_FINDINGS = """
INSERT INTO findings (engagement_id, scan_id, connection_id, provider, rule_id, fingerprint,
    subject, family, severity, severity_rank, title, evidence, first_seen_scan_id, first_seen_at)
SELECT %(engagement)s, %(scan)s, %(connection)s, 'microsoft',
    (%(rules)s::text[])[g %% %(n)s + 1],
    encode(sha256(convert_to(%(scan)s::text || g::text, 'UTF8')), 'hex'), 'app:' || g,
    (%(families)s::text[])[g %% %(n)s + 1],
    (ARRAY['critical','high','medium','low','info'])[g %% 5 + 1], g %% 5,
    'Finding ' || g, jsonb_build_object('app', 'app-' || g, 'scopes', 3), %(scan)s, now()
FROM generate_series(1, %(rows)s) AS g
"""


def insert_synthetic_findings(
    conn: psycopg.Connection,
    *,
    engagement: uuid.UUID,
    scan: uuid.UUID,
    connection: uuid.UUID,
    rows: int,
) -> None:
    """``rows`` findings of the real Microsoft rules (cycled), severities spread evenly."""
    from failsafe.detections.metadata import load_rule_specs

    specs = [s for s in load_rule_specs().values() if "microsoft" in s.providers]
    conn.execute(
        _SYNTHETIC_FINDINGS,
        {
            "engagement": engagement,
            "scan": scan,
            "connection": connection,
            "rows": rows,
            "rules": [s.id for s in specs],
            "families": [s.family.value for s in specs],
            "n": len(specs),
        },
    )
