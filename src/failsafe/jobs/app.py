"""Build the procrastinate app: one connector to PostgreSQL as the app role, every domain's tasks.

Each domain declares its tasks on a ``procrastinate.Blueprint`` named ``blueprint`` in its own
``tasks`` module and lists it in ``TASK_MODULES``. Task bodies get the process
:class:`~failsafe.runtime.Runtime` from ``context.additional_context["runtime"]`` (see
:func:`runtime_of`), so no client is created at import time.
"""

from __future__ import annotations

import importlib
from typing import Any

import procrastinate
from procrastinate import JobContext

from failsafe.db.engine import SEARCH_PATH_OPTION
from failsafe.runtime import Runtime

# One module per line: "<package>.tasks" exposing ``blueprint``; its namespace is the package.
TASK_MODULES: tuple[str, ...] = (
    "accounts.tasks",
    "scans.tasks",
    "reports.tasks",
    "notifications.tasks",
    "operations.tasks",
    "billing.tasks",
)


def connector(runtime: Runtime) -> procrastinate.PsycopgConnector:
    """A procrastinate connector on the app role with FailSafe's search path."""
    return procrastinate.PsycopgConnector(
        conninfo=runtime.target.app_url,
        kwargs={"options": SEARCH_PATH_OPTION},
        min_size=1,
        max_size=4,
    )


def create_job_app(runtime: Runtime) -> procrastinate.App:
    """The job app with every domain's tasks registered."""
    app = procrastinate.App(connector=connector(runtime))
    for module_name in TASK_MODULES:
        blueprint = _unbound_blueprint(f"failsafe.{module_name}")
        app.add_tasks_from(blueprint, namespace=module_name.split(".")[0])
    return app


def _unbound_blueprint(module_name: str) -> procrastinate.Blueprint:
    # Adding a blueprint to an app renames its tasks and binds them to that app (periodic
    # deferral goes through the bound app's connector). A second app in the same process (the
    # demo's in-process worker, the tests) therefore gets the module re-executed: fresh tasks.
    module = importlib.import_module(module_name)
    if any(":" in name for name in module.blueprint.tasks):
        module = importlib.reload(module)
    blueprint: procrastinate.Blueprint = module.blueprint
    return blueprint


def worker_context(runtime: Runtime) -> dict[str, Any]:
    """What every task finds in ``context.additional_context``."""
    return {"runtime": runtime}


def runtime_of(context: JobContext) -> Runtime:
    """The runtime of the worker running this job."""
    runtime = context.additional_context["runtime"]
    assert isinstance(runtime, Runtime)
    return runtime
