"""Sandbox tenants: a loopback simulator of the Graph and Google endpoints FailSafe reads.

Public surface::

    from failsafe.sandbox import TenantSpec, running_sandbox, settings_overrides, ground_truth

    with running_sandbox(TenantSpec(seed=7, users=500, profile="risky")) as sandbox:
        settings = Settings(**sandbox.settings_overrides())
        creds = sandbox.microsoft()          # tenant id, client id, client secret
        key = sandbox.google().service_account
        sandbox.faults.add(Fault("graph", "/users", "throttle", nth=(3,)))
        ...
        assert sandbox.log.only_reads()

See :mod:`failsafe.sandbox.app` for the URL layout, :mod:`failsafe.sandbox.truth` for the
ground truth and the rule assumptions, :mod:`failsafe.sandbox.faults` for fault schedules.
"""

from failsafe.sandbox.faults import Fault, FaultPlan
from failsafe.sandbox.log import LoggedRequest, RequestLog
from failsafe.sandbox.server import Sandbox, running_sandbox, serve, settings_overrides
from failsafe.sandbox.spec import RULE_IDS, TenantSpec
from failsafe.sandbox.truth import GroundTruth, Planted, ground_truth

__all__ = [
    "RULE_IDS",
    "Fault",
    "FaultPlan",
    "GroundTruth",
    "LoggedRequest",
    "Planted",
    "RequestLog",
    "Sandbox",
    "TenantSpec",
    "ground_truth",
    "running_sandbox",
    "serve",
    "settings_overrides",
]
