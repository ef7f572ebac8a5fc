"""Run the sandbox: in a background thread for tests (:func:`running_sandbox`) or in the
foreground for the CLI (:func:`serve`). Loopback only, always.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog
import uvicorn

from failsafe.sandbox.app import create_app
from failsafe.sandbox.faults import FaultPlan
from failsafe.sandbox.graph_model import sku_counts
from failsafe.sandbox.log import RequestLog
from failsafe.sandbox.spec import TenantSpec, company
from failsafe.sandbox.state import SandboxState
from failsafe.sandbox.truth import GroundTruth, ground_truth

log = structlog.get_logger(__name__)
LOOPBACK = "127.0.0.1"


def settings_overrides(root: str) -> dict[str, str]:
    """FailSafe settings that point every provider URL at a sandbox served at ``root``."""
    root = root.rstrip("/")
    return {
        "graph_base_url": f"{root}/graph/v1.0",
        "microsoft_login_base_url": f"{root}/login",
        "google_token_uri": f"{root}/google/token",
        "google_admin_base_url": f"{root}/google/admin",
        "google_licensing_base_url": f"{root}/google/licensing",
        "google_gmail_base_url": f"{root}/google/gmail",
        "google_batch_url": f"{root}/google/batch",
    }


@dataclass(frozen=True)
class MicrosoftDemo:
    tenant_id: str
    domain: str
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class GoogleDemo:
    customer_id: str
    domain: str
    admin_email: str
    service_account: dict[str, str]  # the key file JSON


class Sandbox:
    """A running sandbox: URLs, demo credentials, the request log and the fault controls."""

    def __init__(self, state: SandboxState, root: str) -> None:
        self.state = state
        self.root = root

    @property
    def spec(self) -> TenantSpec:
        """The first (default) tenant spec."""
        return self.state.specs[0]

    @property
    def log(self) -> RequestLog:
        """The request log."""
        return self.state.log

    @property
    def faults(self) -> FaultPlan:
        """The fault plan."""
        return self.state.faults

    def settings_overrides(self) -> dict[str, str]:
        """Base URLs plus FailSafe's app registration as the sandbox knows it."""
        return {
            **settings_overrides(self.root),
            "microsoft_client_id": self.state.client_id,
            "microsoft_client_secret": self.state.client_secret,
        }

    def microsoft(self, spec: TenantSpec | None = None) -> MicrosoftDemo:
        """Demo Microsoft credentials of a tenant."""
        spec = spec or self.spec
        org = company(spec)
        return MicrosoftDemo(
            org.tenant_id, org.domain, self.state.client_id, self.state.client_secret
        )

    def google(self, spec: TenantSpec | None = None) -> GoogleDemo:
        """Demo Google credentials (key file JSON, admin to impersonate)."""
        spec = spec or self.spec
        org = company(spec)
        from failsafe.sandbox.people import email, person

        admin = email(spec, "google", person(spec, "google", 0))
        key = self.state.service_account.key_file(self.settings_overrides()["google_token_uri"])
        return GoogleDemo(org.customer_id, org.domain, admin, key)

    def truth(self, spec: TenantSpec | None = None) -> GroundTruth:
        """Ground truth of a tenant."""
        return ground_truth(spec or self.spec)

    def set_latency(self, milliseconds: int) -> None:
        """Fixed latency added to every HTTP request from now on (the benchmark's floor)."""
        self.state.latency_ms = max(int(milliseconds), 0)

    def expire_tokens(self) -> None:
        """Expire every token issued so far."""
        self.state.expire_tokens()

    def advance(self, seconds: float) -> None:
        """Move the sandbox clock forward."""
        self.state.advance(seconds)

    def write_key_file(self, path: Path) -> Path:
        """Write the service-account key file (mode 0600)."""
        path.write_text(json.dumps(self.google().service_account, indent=2))
        path.chmod(0o600)
        return path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def make_state(
    specs: list[TenantSpec], *, latency_ms: int = 0, token_lifetime: int = 3599
) -> SandboxState:
    """A fresh sandbox state serving ``specs``."""
    for spec in specs:
        sku_counts(spec)  # the one O(users) pass, done before the first request is timed
    return SandboxState(specs=specs, latency_ms=latency_ms, token_lifetime=token_lifetime)


def _config(state: SandboxState, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        create_app(state),
        host=LOOPBACK,
        port=port,
        log_config=None,
        access_log=False,
        lifespan="off",
        log_level="warning",
        timeout_keep_alive=30,
    )


@contextmanager
def running_sandbox(
    *specs: TenantSpec, latency_ms: int = 0, token_lifetime: int = 3599
) -> Iterator[Sandbox]:
    """Serve ``specs`` (default: one clean 50-user tenant) on a free loopback port.

    Yields a :class:`Sandbox`; the server thread stops when the block exits.
    """
    state = make_state(
        list(specs) or [TenantSpec()], latency_ms=latency_ms, token_lifetime=token_lifetime
    )
    port = _free_port()
    server = uvicorn.Server(_config(state, port))
    thread = threading.Thread(target=server.run, name="failsafe-sandbox", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the sandbox server did not start")
        time.sleep(0.01)
    log.info("sandbox.started", port=port, tenants=len(state.specs))
    try:
        yield Sandbox(state, f"http://{LOOPBACK}:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        log.info("sandbox.stopped", port=port, requests=len(state.log))


def serve(specs: list[TenantSpec], port: int, *, latency_ms: int = 0, on_ready: Any = None) -> None:
    """Serve in the foreground until interrupted (the CLI)."""
    state = make_state(specs, latency_ms=latency_ms)
    sandbox = Sandbox(state, f"http://{LOOPBACK}:{port}")
    if on_ready is not None:
        on_ready(sandbox)
    uvicorn.Server(_config(state, port)).run()
