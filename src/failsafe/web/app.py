"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from starlette.types import ASGIApp

from failsafe import __version__
from failsafe.accounts.clock import SYSTEM_CLOCK, Clock
from failsafe.billing.routes import router as billing_router
from failsafe.billing.webhook import router as billing_webhook_router
from failsafe.notifications.routes import router as unsubscribe_router
from failsafe.portal import router as portal_router
from failsafe.runtime import Runtime, build_runtime
from failsafe.web import health
from failsafe.web.activity import ActivityMiddleware
from failsafe.web.api import router as api_router
from failsafe.web.errors import install_error_handlers
from failsafe.web.heap import freeze_startup_heap
from failsafe.web.middleware import SecurityMiddleware

# Every router of the web process, one per line (the portal adds its own here).
ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    api_router,
    portal_router,
    billing_webhook_router,
    billing_router,
    unsubscribe_router,
)


class FailSafeApp(FastAPI):
    """FastAPI with the security middleware wrapped around the whole stack.

    Outside Starlette's own error middleware, so a 500 carries the security headers too; inside
    it, the activity middleware writes what a request's credential lookup noted once the app
    has answered (``failsafe.web.activity``).
    """

    max_request_bytes: int = 2_000_000

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityMiddleware(
            ActivityMiddleware(super().build_middleware_stack()),
            max_request_bytes=self.max_request_bytes,
        )


def create_app(runtime: Runtime, *, clock: Clock = SYSTEM_CLOCK) -> FastAPI:
    """Build the app around an already-validated runtime (``clock`` is injectable for tests)."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        freeze_startup_heap()
        yield
        await runtime.database.dispose()

    app = FailSafeApp(
        title="FailSafe",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,  # Swagger UI needs inline script; the CSP forbids it. /openapi.json stays.
        redoc_url=None,
    )
    app.max_request_bytes = runtime.settings.max_request_bytes
    app.state.runtime = runtime
    app.state.clock = clock
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    return app


def app_from_environment() -> FastAPI:
    """The app from the environment's settings: the factory each ``serve --workers`` process
    imports (``failsafe.web.app:app_from_environment``)."""
    return create_app(build_runtime())
