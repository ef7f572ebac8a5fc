"""Detection time and peak RSS: every rule over the inventory of a risky sandbox tenant as the
real connector collects it, from 1,000 to 50,000 users, each size in a fresh process.

    .venv/bin/python -m benchmarks.detect [--users 1000,5000,10000,25000,50000] [--repeat 3]
        [--provider microsoft|google] [--profile]

Per size, one child process generates ``TenantSpec(seed, users, profile="risky")``, serves it
on a loopback sandbox and reads it with ``collect_tenant`` (the provider-neutral Inventory of a
real scan), then pickles the inventory; a second, fresh child loads it, loads the catalogs and
the rule metadata, and times ``failsafe.detections.engine.evaluate(inventory)`` (all rules,
best of ``--repeat`` runs), so its peak RSS is the interpreter, the inventory and detection
only. ``--profile`` prints the child's cProfile of one run to stderr.

Target: linear (seconds per 1,000 users at the largest size within 1.5x of the smallest) and
50,000 users under 10 s.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import pickle
import pstats
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.common import collect_sandbox, peak_rss_mb, quiet_logging, run_child

MODULE = "benchmarks.detect"
SEED = 41
LINEAR_WITHIN = 1.5  # per-1k time at the largest size over the smallest
TARGET_USERS = 50_000
TARGET_SECONDS = 10.0


# ----------------------------------------------------------------------------- child stages


def collect_stage(users: int, provider: str, out: Path) -> dict[str, Any]:
    """Collect the sandbox tenant with the real connector and pickle its inventory."""
    from failsafe.sandbox import TenantSpec

    started = time.perf_counter()
    collected = collect_sandbox(TenantSpec(SEED, users, "risky"), provider)  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    inventory = collected.inventory
    with out.open("wb") as fh:
        pickle.dump(inventory, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return {
        "identities": len(inventory.identities),
        "records": sum(r.records for r in inventory.sections.values()),
        "collect_seconds": seconds,
    }


def detect_stage(path: Path, repeat: int, profile: bool) -> dict[str, Any]:
    """Load the pickled inventory and time every rule over it."""
    import psutil

    from failsafe.catalog.loader import load_catalogs
    from failsafe.detections.engine import evaluate, rule_specs

    with path.open("rb") as fh:
        inventory = pickle.load(fh)
    load_catalogs()
    rule_specs()  # both cached per process, as in a worker that has scanned before
    gc.collect()
    inventory_mb = psutil.Process().memory_info().rss / 2**20

    times: list[float] = []
    for _ in range(repeat):
        started = time.perf_counter()
        outcomes = evaluate(inventory)
        times.append(time.perf_counter() - started)
        findings = sum(len(o.findings) for o in outcomes)
        evaluated = sum(o.status == "evaluated" for o in outcomes)
        del outcomes
    if profile:
        profiler = cProfile.Profile()
        profiler.runcall(evaluate, inventory)
        report = io.StringIO()
        pstats.Stats(profiler, stream=report).sort_stats("cumulative").print_stats(25)
        print(report.getvalue(), file=sys.stderr)
    return {
        "identities": len(inventory.identities),
        "rules": len(rule_specs()),
        "evaluated": evaluated,
        "findings": findings,
        "seconds": min(times),
        "first_seconds": times[0],
        "inventory_mb": inventory_mb,
        "peak_rss_mb": peak_rss_mb(),
    }


# ----------------------------------------------------------------------------- parent


def measure(users: int, provider: str, repeat: int, profile: bool) -> dict[str, Any]:
    """Collect, then detect, each in its own fresh process."""
    with tempfile.TemporaryDirectory(prefix="fs-bench-detect-") as tmp:
        path = Path(tmp) / f"inventory-{users}.pickle"
        collect = ["--users", str(users), "--provider", provider, "--out", str(path)]
        collected = run_child(MODULE, ["--stage", "collect", *collect])
        detect = ["--inventory", str(path), "--repeat", str(repeat)]
        if profile:
            detect.append("--profile")
        detected = run_child(MODULE, ["--stage", "detect", *detect], echo_stderr=profile)
    return {**collected, **detected, "users": users}


HEADER = (
    f"{'users':>7} | {'rules':>5} | {'findings':>8} | {'seconds':>8} | {'s per 1k users':>14}"
    f" | {'peak RSS MB':>11} | {'inventory MB':>12} | {'first run s':>11} | {'collect s':>9}"
)


def line(r: dict[str, Any]) -> str:
    per_k = r["seconds"] / r["users"] * 1000
    return (
        f"{r['users']:>7} | {r['rules']:>5} | {r['findings']:>8} | {r['seconds']:>8.3f}"
        f" | {per_k:>14.4f} | {r['peak_rss_mb']:>11.1f} | {r['inventory_mb']:>12.1f}"
        f" | {r['first_seconds']:>11.3f} | {r['collect_seconds']:>9.1f}"
    )


def summary(results: Sequence[dict[str, Any]]) -> list[str]:
    """The linearity ratio and the 50,000-user verdict."""
    ordered = sorted(results, key=lambda r: r["users"])
    small, large = ordered[0], ordered[-1]
    per_k_small = small["seconds"] / small["users"] * 1000
    per_k_large = large["seconds"] / large["users"] * 1000
    ratio = per_k_large / per_k_small
    verdict = "ok" if ratio <= LINEAR_WITHIN else "NOT LINEAR"
    lines = [
        f"linearity ratio (s per 1k users at {large['users']} / at {small['users']}):"
        f" {ratio:.2f}x (linear if <= {LINEAR_WITHIN:.2f}x: {verdict})"
    ]
    at_target = [r for r in results if r["users"] == TARGET_USERS]
    if at_target:
        seconds = at_target[0]["seconds"]
        under = "yes" if seconds < TARGET_SECONDS else "NO"
        lines.append(
            f"{TARGET_USERS:,} users under {TARGET_SECONDS:.0f} s: {under} ({seconds:.3f} s)"
        )
    else:
        lines.append(f"{TARGET_USERS:,} users under {TARGET_SECONDS:.0f} s: not measured")
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--users", default="1000,5000,10000,25000,50000")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; the best counts")
    parser.add_argument("--provider", choices=("microsoft", "google"), default="microsoft")
    parser.add_argument("--profile", action="store_true", help="cProfile one run per size")
    parser.add_argument("--stage", choices=("collect", "detect"), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--inventory", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.stage is not None:
        if args.stage == "collect":
            result = collect_stage(int(args.users), args.provider, args.out)
        else:
            result = detect_stage(args.inventory, args.repeat, args.profile)
        print(json.dumps(result))
        return

    sizes = [int(s) for s in args.users.split(",")]
    print(
        f"all rules over risky sandbox tenants (seed {SEED}, {args.provider} connector),"
        f" best of {args.repeat}, one fresh process per size"
    )
    print(HEADER, flush=True)
    results = []
    for users in sizes:
        results.append(measure(users, args.provider, args.repeat, args.profile))
        print(line(results[-1]), flush=True)
    for text in summary(results):
        print(text)


if __name__ == "__main__":
    quiet_logging()
    main()
