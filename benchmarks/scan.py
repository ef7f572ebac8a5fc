"""Scan benchmark: a Microsoft sandbox tenant per size, the scanner in a child process.

    python -m benchmarks.scan --users 1000,10000,50000 [--latency-ms 50] [--concurrency 8]

For each size the parent serves a sandbox tenant over loopback with a fixed latency per request
(each answer leaves that long after its request arrived, the sandbox's own work included, as a
real tenant API's work happens on its own machines; only work longer than the latency delays
it) and runs the scanner (collect, then persist with COPY) in a fresh child process, so each size's
peak RSS is its own; the child loads what a worker loads when it starts (``warm_up``) before
the clock starts. Printed per size:

- requests the sandbox received vs the minimum the page sizes allow for that tenant's data
  (users 500/page with signInActivity, registration details 999, sign-ins 1000, mailboxes 20 per
  $batch, each mailbox one page of <= 1000 messages, every other list one page),
- collection wall time vs the lower bound, the larger of two floors no scheduler can beat:
  the minimum requests x latency / concurrency (every slot busy all the time), and the longest
  chain of requests that must follow one another x latency (each users page's nextLink comes
  from the page before it, and the last page's mailboxes can only be read after it arrives);
- the same wall time against a floor in whole rounds (the token alone, then at most one request
  per slot per latency), which says how much of the gap is the tenant's shape, not overhead,
- how full the scanner kept its concurrency (slot-seconds held / (concurrency x wall)) and the
  mean time a request held its slot: the injected latency plus everything else a request
  waits for (the scanner's event loop busy with other pages, the sandbox's CPU when a burst of
  requests needs more than the latency to compute), which the bound does not count;
- CPU seconds of the scanner (collection only) and of the sandbox (the parent process while the
  child runs): both share the machine's cores, so a loaded machine shows up here first;
- peak RSS of the scanner process,
- inventory rows persisted per second (COPY through staging tables, one transaction).

Mail volume per user is the sandbox's (3-8 messages per licensed mailbox, one page each), which
keeps a full 1k/10k/50k run to a few minutes on two cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import resource
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.common import scratch_database

REPO = Path(__file__).resolve().parent.parent
DATA_DIR = REPO / ".test-data"


def minimum_requests(inventory_sections: dict[str, Any], apps: int, roles: int, users: int) -> int:
    """The fewest requests the page and batch sizes allow for this tenant's data."""
    records = {name: section["records"] for name, section in inventory_sections.items()}
    return (
        1  # token
        + 1  # organization
        + math.ceil(users / 500)  # users with signInActivity
        + 1  # subscribedSkus
        + math.ceil(records.get("mfa", 0) / 999)
        + 1
        + math.ceil(roles / 20)  # directoryRoles + members in $batch
        + max(1, math.ceil(apps / 999))  # servicePrincipals
        + 1  # oauth2PermissionGrants
        + math.ceil(records.get("third_party_apps", 0) / 20)  # appRoleAssignments in $batch
        + max(1, math.ceil(records.get("app_usage", 0) / 1000))  # signIns
        + 3  # authorizationPolicy, security defaults, conditional access
        + math.ceil(records.get("email_signals", 0) / 20)  # mailboxes, 20 per $batch
    )


def longest_chain(inventory_sections: dict[str, Any], apps: int, users: int) -> int:
    """The most requests that must run one after another, whatever the concurrency.

    Pages of one listing follow each other (the next link is in the previous page), and a
    ``$batch`` reading per-object data waits for the page that named the objects. Only such
    data dependencies count; the organization read before the apps is the collector's choice,
    not a necessity, so it is left out and the bound stays a true floor.
    """
    records = {name: section["records"] for name, section in inventory_sections.items()}
    mail = 1 if records.get("email_signals", 0) else 0
    chains = (
        math.ceil(users / 500) + mail,  # users pages, then the last page's mailboxes
        math.ceil(records.get("mfa", 0) / 999),
        max(1, math.ceil(records.get("app_usage", 0) / 1000)),  # sign-in pages
        max(1, math.ceil(apps / 999)) + 1,  # servicePrincipals, then appRoleAssignments
        2,  # directoryRoles, then their members
    )
    return 1 + max(chains)  # the token comes before everything


# ----------------------------------------------------------------------------- child process


async def _child(args: argparse.Namespace) -> dict[str, Any]:
    from failsafe.connectors.collect import collect_tenant
    from failsafe.connectors.graph.auth import GraphCredentials
    from failsafe.connectors.plan import CollectionPlan
    from failsafe.connectors.warmup import warm_up
    from failsafe.db.actor import SystemActor
    from failsafe.db.urls import DatabaseTarget
    from failsafe.runtime import Runtime
    from failsafe.scans.persistence import persist_inventory
    from failsafe.secrets.keyring import KeyRing, generate_key
    from failsafe.settings import Settings

    overrides = json.loads(args.overrides)
    settings = Settings(
        _env_file=None,
        data_dir=DATA_DIR,
        scan_concurrency=args.concurrency,
        log_level="warning",
        **overrides,
    )  # type: ignore[call-arg]
    now = datetime.now(UTC)
    plan = CollectionPlan(now, now - timedelta(days=settings.scan_mail_lookback_days))
    creds = GraphCredentials(args.tenant, args.client_id, args.client_secret)
    warm_up()  # as `failsafe worker` does when it starts, before its first scan
    started, cpu_started = time.perf_counter(), time.process_time()
    collected = await collect_tenant(settings, creds, plan)
    collect_seconds = time.perf_counter() - started
    collect_cpu = time.process_time() - cpu_started
    inventory = collected.inventory

    target = DatabaseTarget(bootstrap_url=args.app_url, app_url=args.app_url, embedded=True)
    runtime = Runtime(
        settings=settings, target=target, keyring=KeyRing.parse(f"bench:{generate_key()}")
    )
    engagement, scan = uuid.UUID(args.engagement), uuid.UUID(args.scan)
    started = time.perf_counter()
    async with runtime.database.transaction(SystemActor("bench", engagement)) as session:
        rows = await persist_inventory(session, scan, engagement, inventory)
    persist_seconds = time.perf_counter() - started
    await runtime.database.dispose()

    sections = {
        s.value: {"status": r.status.value, "records": r.records, "reason": r.reason}
        for s, r in inventory.sections.items()
    }
    sections["third_party_apps"] = {"records": sum(not a.first_party for a in inventory.apps)}
    return {
        "sections": sections,
        "users": len(inventory.identities),
        "apps": len(inventory.apps) + 1,  # + FailSafe's own service principal
        "roles": len({r.role_id for r in inventory.role_assignments}),
        "client_requests": collected.stats.sent,
        "retried": collected.stats.retried,
        "collect_seconds": collect_seconds,
        "collect_cpu": collect_cpu,
        "slot_seconds": collected.stats.slot_seconds,
        "rows": rows,
        "persist_seconds": persist_seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


# ----------------------------------------------------------------------------- parent process


def _seed_rows(target: Any) -> tuple[uuid.UUID, uuid.UUID]:
    import psycopg

    with (
        psycopg.connect(
            target.bootstrap_url, autocommit=True, options="-c search_path=failsafe"
        ) as conn,
        conn.transaction(),
    ):
        conn.execute("SELECT set_config('failsafe.role', 'system', true)")
        account = conn.execute(
            "INSERT INTO accounts (kind, name) VALUES ('customer', 'bench') RETURNING id"
        ).fetchone()[0]  # type: ignore[index]
        engagement = conn.execute(
            "INSERT INTO engagements (customer_account_id, name) VALUES (%s, 'bench') RETURNING id",
            (account,),
        ).fetchone()[0]  # type: ignore[index]
        connection = conn.execute(
            "INSERT INTO connections (engagement_id, provider, tenant_ref,"
            " status) VALUES (%s, 'microsoft', 'bench', 'active')"
            " RETURNING id",
            (engagement,),
        ).fetchone()[0]  # type: ignore[index]
        scan = conn.execute(
            "INSERT INTO scans (engagement_id, connection_id, status)"
            " VALUES (%s, %s, 'running') RETURNING id",
            (engagement, connection),
        ).fetchone()[0]  # type: ignore[index]
    return engagement, scan


def run_size(users: int, latency_ms: int, concurrency: int) -> dict[str, Any]:
    from failsafe.sandbox import TenantSpec, running_sandbox

    with scratch_database("fs_bench_scan") as target:
        engagement, scan = _seed_rows(target)
        with running_sandbox(TenantSpec(seed=11, users=users), latency_ms=latency_ms) as sandbox:
            ms = sandbox.microsoft()
            command = [
                sys.executable,
                "-m",
                "benchmarks.scan",
                "--child",
                "--overrides",
                json.dumps(sandbox.settings_overrides()),
                "--tenant",
                ms.tenant_id,
                "--client-id",
                ms.client_id,
                "--client-secret",
                ms.client_secret,
                "--concurrency",
                str(concurrency),
                "--app-url",
                target.app_url,
                "--engagement",
                str(engagement),
                "--scan",
                str(scan),
            ]
            before = resource.getrusage(resource.RUSAGE_SELF)
            done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO)
            after = resource.getrusage(resource.RUSAGE_SELF)
            if done.returncode != 0:
                raise RuntimeError(done.stderr[-3000:])
            result = json.loads(done.stdout.strip().splitlines()[-1])
            result["server_requests"] = sandbox.log.count(via="http")  # batch items apart
    # This process only serves the sandbox while the child runs.
    result["sandbox_cpu"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    result["minimum"] = minimum_requests(
        result["sections"], result["apps"], result["roles"], result["users"]
    )
    result["chain"] = longest_chain(result["sections"], result["apps"], result["users"])
    result["lower_bound_s"] = latency_bound(
        result["minimum"], result["chain"], latency_ms, concurrency
    )
    result["round_floor_s"] = round_floor(
        result["minimum"], result["chain"], latency_ms, concurrency
    )
    result["concurrency"] = concurrency
    return result


def latency_bound(minimum: int, chain: int, latency_ms: int, concurrency: int) -> float:
    """Seconds no collector can beat: all slots always busy, or the longest chain in a row."""
    return max(minimum / concurrency, chain) * latency_ms / 1000


def round_floor(minimum: int, chain: int, latency_ms: int, concurrency: int) -> float:
    """A tighter floor than :func:`latency_bound`, in whole rounds: the token request runs alone
    (every other request needs it), then no slot finishes more than one request a latency.

    The issue's target is against ``latency_bound``; this one says how much of the gap is the
    shape of small tenants (at 1,000 users, 66 requests need 10 rounds where the bound counts
    8.25) rather than overhead a faster collector could remove.
    """
    rounds = 1 + math.ceil((minimum - 1) / concurrency)
    return max(rounds, chain) * latency_ms / 1000


def _report(users: int, r: dict[str, Any]) -> str:
    not_assessed = [n for n, s in r["sections"].items() if s.get("status") == "not_assessed"]
    wall_ratio = r["collect_seconds"] / max(r["lower_bound_s"], 1e-9)
    busy = r["slot_seconds"] / max(r["concurrency"] * r["collect_seconds"], 1e-9)
    per_request_ms = 1000 * r["slot_seconds"] / max(r["client_requests"], 1)
    return (
        f"{users:>7} users | requests {r['server_requests']:>6} vs min {r['minimum']:>6}"
        f" ({r['server_requests'] / r['minimum']:.3f}x) | wall {r['collect_seconds']:7.2f}s"
        f" vs bound {r['lower_bound_s']:7.2f}s ({wall_ratio:.3f}x; chain {r['chain']};"
        f" {r['collect_seconds'] / r['round_floor_s']:.3f}x of whole rounds"
        f" {r['round_floor_s']:.2f}s)"
        f" | slots {busy:.0%} busy, {per_request_ms:.0f} ms/request"
        f" | CPU scanner {r['collect_cpu']:.1f}s sandbox {r['sandbox_cpu']:.1f}s"
        f" | peak RSS {r['peak_rss_mb']:6.1f} MB | {r['rows']:>7} rows in"
        f" {r['persist_seconds']:.2f}s ({r['rows'] / r['persist_seconds']:,.0f} rows/s)"
        + (f" | NOT ASSESSED: {', '.join(not_assessed)}" if not_assessed else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", default="1000,10000,50000")
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    for name in (
        "overrides",
        "tenant",
        "client-id",
        "client-secret",
        "app-url",
        "engagement",
        "scan",
    ):
        parser.add_argument(f"--{name}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(_child(args))))
        return
    print(f"latency {args.latency_ms} ms per request, concurrency {args.concurrency}")
    for size in (int(s) for s in args.users.split(",")):
        print(_report(size, run_size(size, args.latency_ms, args.concurrency)), flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "src"))
    main()
