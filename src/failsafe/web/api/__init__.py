"""The JSON API under ``/api/v1``: one router per resource, documented by the OpenAPI schema."""

from __future__ import annotations

from fastapi import APIRouter

from failsafe.web.api import me

router = APIRouter(prefix="/api/v1")

# One sub-router per line.
for _module in (me,):
    router.include_router(_module.router)
