"""Per-app objects the routes reach through the request: runtime, clock, session policy."""

from __future__ import annotations

from fastapi import Request

from failsafe.accounts.clock import Clock
from failsafe.accounts.context import AuthContext
from failsafe.accounts.sessions import SessionPolicy
from failsafe.runtime import Runtime


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def clock_of(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def policy_of(request: Request) -> SessionPolicy:
    return SessionPolicy.from_settings(runtime_of(request).settings)


def client_ip(request: Request) -> str | None:
    """The peer address (uvicorn's proxy_headers resolves X-Forwarded-For from trusted hops).

    Limitation: behind a proxy missing from ``--forwarded-allow-ips`` every client shares the
    proxy's address, and so one per-IP rate-limit bucket; configure the proxy as trusted.
    """
    return request.client.host if request.client else None


def user_agent(request: Request) -> str:
    return request.headers.get("user-agent", "")[:300]


def auth_context(request: Request) -> AuthContext:
    """The auth services' context for this app (built per request; it is a few references)."""
    return AuthContext.of(runtime_of(request), clock_of(request))
