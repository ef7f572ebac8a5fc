"""The JSON API under ``/api/v1``: one router per resource, documented by the OpenAPI schema."""

from __future__ import annotations

from fastapi import APIRouter

from failsafe.web.api import (
    accounts,
    audit,
    auth,
    connections,
    engagements,
    findings,
    me,
    mfa,
    reports,
    scans,
    tokens,
)

router = APIRouter(prefix="/api/v1")

# One sub-router per line.
for _module in (
    auth,
    me,
    mfa,
    tokens,
    accounts,
    engagements,
    connections,
    scans,
    findings,
    reports,
    audit,
):
    router.include_router(_module.router)
