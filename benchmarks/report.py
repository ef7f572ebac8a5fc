"""PDF render time and peak RSS: the posture report of a stored scan with 100, 1,000 and 10,000
findings, built from the database and rendered with WeasyPrint, each size in a fresh process.

    .venv/bin/python -m benchmarks.report [--findings 100,1000,10000] [--profile]

A scratch database gets one engagement per size, each with a finished scan that holds the
inventory of a risky sandbox tenant (``TenantSpec(41, 250, "risky")`` read with the real
Microsoft connector) and N findings written by ``persist_findings``: the tenant's own findings
from the real rules (about 50), cycled in fingerprint order with a new subject and fingerprint
per copy, as more apps, users and vendors would give. For each size a fresh child does what the
render job does: ``build_view`` in the render actor's transaction (under RLS), then
``render_pdf`` (Jinja2, WeasyPrint layout, PDF), timed after one warm-up render of the same
report without findings. ``--profile`` prints a cProfile of one more render to stderr.

Target: a 1,000-finding report renders under 10 s, and grows linearly (seconds per 1,000
findings at 10,000 within 1.5x of that at 1,000).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import dataclasses
import io
import json
import pstats
import sys
import time
import uuid
from collections.abc import Sequence
from typing import Any

from benchmarks.common import (
    bench_runtime,
    child_target,
    collect_sandbox,
    peak_rss_mb,
    quiet_logging,
    run_child,
    scratch_database,
    seed_scan,
)
from failsafe.detections.model import Finding, fingerprint
from failsafe.inventory.model import Inventory

MODULE = "benchmarks.report"
SEED, USERS = 41, 250
LINEAR_WITHIN = 1.5
TARGET_FINDINGS = 1_000
TARGET_SECONDS = 10.0


def scaled_findings(base: Sequence[Finding], count: int, tenant_id: str) -> list[Finding]:
    """``count`` findings cycling through ``base``; every copy after the first gets its own
    subject (in its title too) and fingerprint, as another app, user or vendor would."""
    ordered = sorted(base, key=lambda f: f.fingerprint)  # a stable mix of rules and severities
    out: list[Finding] = []
    for i in range(count):
        finding = ordered[i % len(ordered)]
        copy = i // len(ordered)
        if copy:
            subject = f"{finding.subject}-{copy}"
            finding = dataclasses.replace(
                finding,
                subject=subject,
                title=finding.title.replace(finding.subject, subject)
                if finding.subject
                else finding.title,
                fingerprint=fingerprint(finding.rule_id, tenant_id, subject),
            )
        out.append(finding)
    return out


# ----------------------------------------------------------------------------- child stages


def seed_stage(sizes: Sequence[int]) -> dict[str, Any]:
    """Collect the sandbox tenant, run the rules, store one scan per size."""
    from failsafe.detections.engine import evaluate, findings_of
    from failsafe.sandbox import TenantSpec

    inventory = collect_sandbox(TenantSpec(SEED, USERS, "risky")).inventory
    base = findings_of(evaluate(inventory))
    return asyncio.run(_seed(inventory, base, sizes))


async def _seed(inventory: Inventory, base: list[Finding], sizes: Sequence[int]) -> dict[str, Any]:
    runtime = bench_runtime(child_target())
    scans: dict[str, list[str]] = {}
    try:
        for size in sizes:
            findings = scaled_findings(base, size, inventory.tenant.tenant_id)
            engagement, scan = await seed_scan(runtime, f"Bench {size}", inventory, findings)
            scans[str(size)] = [str(engagement), str(scan)]
    finally:
        await runtime.database.dispose()
    return {"base_findings": len(base), "users": len(inventory.identities), "scans": scans}


async def _view(engagement: uuid.UUID, scan: uuid.UUID) -> tuple[Any, float]:
    from failsafe.reports.build import build_view
    from failsafe.reports.job import render_actor

    runtime = bench_runtime(child_target())
    try:
        started = time.perf_counter()
        async with runtime.database.transaction(render_actor(engagement)) as session:
            view = await build_view(session, scan)
        return view, time.perf_counter() - started
    finally:
        await runtime.database.dispose()


def render_stage(engagement: uuid.UUID, scan: uuid.UUID, profile: bool) -> dict[str, Any]:
    """Build the view from the stored scan and render it, as the render job does."""
    from failsafe.reports.render import render_pdf

    view, view_seconds = asyncio.run(_view(engagement, scan))
    empty = render_pdf(dataclasses.replace(view, findings=()))  # templates, fonts, CSS warm
    rendered = render_pdf(view)
    result = {
        "findings": len(view.findings),
        "pages": rendered.pages,
        "seconds": rendered.seconds,
        "view_seconds": view_seconds,
        "empty_seconds": empty.seconds,
        "pdf_mb": rendered.size / 2**20,
        "peak_rss_mb": peak_rss_mb(),
    }
    if profile:
        profiler = cProfile.Profile()
        profiler.runcall(render_pdf, view)
        report = io.StringIO()
        stats = pstats.Stats(profiler, stream=report).sort_stats("cumulative")
        stats.print_stats(30)
        stats.sort_stats("tottime").print_stats(20)
        print(report.getvalue(), file=sys.stderr)
    return result


# ----------------------------------------------------------------------------- parent

HEADER = (
    f"{'findings':>8} | {'pages':>5} | {'seconds':>8} | {'s per 1k findings':>17}"
    f" | {'peak RSS MB':>11} | {'view s':>6} | {'empty report s':>14} | {'PDF MB':>6}"
)


def per_k(r: dict[str, Any]) -> float:
    return float(r["seconds"]) / int(r["findings"]) * 1000


def line(r: dict[str, Any]) -> str:
    return (
        f"{r['findings']:>8} | {r['pages']:>5} | {r['seconds']:>8.2f} | {per_k(r):>17.3f}"
        f" | {r['peak_rss_mb']:>11.1f} | {r['view_seconds']:>6.2f} | {r['empty_seconds']:>14.2f}"
        f" | {r['pdf_mb']:>6.2f}"
    )


def summary(results: Sequence[dict[str, Any]]) -> list[str]:
    """The growth ratio (largest size against 1,000, or the smallest) and the target verdict."""
    ordered = sorted(results, key=lambda r: r["findings"])
    large = ordered[-1]
    at_target = [r for r in ordered if r["findings"] == TARGET_FINDINGS]
    small = at_target[0] if at_target and at_target[0] is not large else ordered[0]
    ratio = per_k(large) / per_k(small)
    verdict = "ok" if ratio <= LINEAR_WITHIN else "GROWS FASTER THAN LINEAR"
    lines = [
        f"growth ratio (s per 1k findings at {large['findings']} / at {small['findings']}):"
        f" {ratio:.2f}x (linear if <= {LINEAR_WITHIN:.2f}x: {verdict})"
    ]
    if at_target:
        seconds = at_target[0]["seconds"]
        under = "yes" if seconds < TARGET_SECONDS else "NO"
        lines.append(
            f"{TARGET_FINDINGS:,} findings under {TARGET_SECONDS:.0f} s: {under} ({seconds:.2f} s)"
        )
    else:
        lines.append(f"{TARGET_FINDINGS:,} findings under {TARGET_SECONDS:.0f} s: not measured")
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--findings", default="100,1000,10000")
    parser.add_argument("--profile", action="store_true", help="cProfile one render per size")
    parser.add_argument("--stage", choices=("seed", "render"), help=argparse.SUPPRESS)
    parser.add_argument("--engagement", type=uuid.UUID, help=argparse.SUPPRESS)
    parser.add_argument("--scan", type=uuid.UUID, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.findings.split(",")]

    if args.stage is not None:
        if args.stage == "seed":
            result = seed_stage(sizes)
        else:
            result = render_stage(args.engagement, args.scan, args.profile)
        print(json.dumps(result))
        return

    with scratch_database("fs_bench_report") as target:
        seeded = run_child(MODULE, ["--stage", "seed", "--findings", args.findings], target=target)
        print(
            f"posture report of a stored scan: risky sandbox tenant ({seeded['users']} users),"
            f" findings cycled from its {seeded['base_findings']} real ones;"
            " build_view + render_pdf, one fresh process per size"
        )
        print(HEADER, flush=True)
        results = []
        for size in sizes:
            engagement, scan = seeded["scans"][str(size)]
            command = ["--stage", "render", "--engagement", engagement, "--scan", scan]
            if args.profile:
                command.append("--profile")
            results.append(run_child(MODULE, command, target=target, echo_stderr=args.profile))
            print(line(results[-1]), flush=True)
    for text in summary(results):
        print(text)


if __name__ == "__main__":
    quiet_logging()
    main()
