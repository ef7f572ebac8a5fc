"""Run the worker's jobs in-process for the browser tests (no worker process needed)."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable, Coroutine
from typing import Any

from failsafe.reports.job import render_stored_report
from failsafe.reports.storage import store_for
from failsafe.runtime import Runtime
from failsafe.scans.runner import execute_scan


def _in_thread(make: Callable[[Runtime], Coroutine[Any, Any, Any]], template: Runtime) -> None:
    """Run one job on its own event loop and runtime (the caller's thread drives a browser)."""
    failure: list[BaseException] = []

    def target() -> None:
        runtime = Runtime(
            settings=template.settings, target=template.target, keyring=template.keyring
        )

        async def main() -> None:
            try:
                await make(runtime)
            finally:
                await runtime.database.dispose()

        try:
            asyncio.run(main())
        except BaseException as exc:  # reported to the test below
            failure.append(exc)

    thread = threading.Thread(target=target, name="portal-test-job")
    thread.start()
    thread.join(timeout=120)
    if failure:
        raise failure[0]


def run_scan(runtime: Runtime, scan_id: uuid.UUID, engagement_id: uuid.UUID) -> None:
    """What the worker's ``scans:run_scan`` does."""
    _in_thread(lambda rt: execute_scan(rt, scan_id, engagement_id), runtime)


def render_report(runtime: Runtime, report_id: uuid.UUID, engagement_id: uuid.UUID) -> None:
    """What the worker's ``reports:render_report`` does."""
    _in_thread(
        lambda rt: render_stored_report(rt, store_for(rt.settings), report_id, engagement_id),
        runtime,
    )
