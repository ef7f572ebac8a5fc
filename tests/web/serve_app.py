"""``uvicorn tests.web.serve_app:app --factory``: the app from the environment's settings."""

from __future__ import annotations

from fastapi import FastAPI

from failsafe.runtime import build_runtime
from failsafe.web.app import create_app


def app() -> FastAPI:
    return create_app(build_runtime())
