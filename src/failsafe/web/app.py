"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from failsafe import __version__
from failsafe.runtime import Runtime
from failsafe.web import health


def create_app(runtime: Runtime) -> FastAPI:
    """Build the app around an already-validated runtime."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await runtime.database.dispose()

    app = FastAPI(title="FailSafe", version=__version__, lifespan=lifespan)
    app.state.runtime = runtime
    app.include_router(health.router)
    return app
