"""The server-rendered portal: Jinja2 pages (autoescape on), htmx, server-side SVG charts.

One router per area, all combined into :data:`router`, which the web app includes. Every page
that shows engagement data takes ``VisibleEngagement`` (404 otherwise) and the actor's
``DbSession`` (RLS); every form carries a CSRF token.
"""

from __future__ import annotations

import importlib

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)

# One area per line. The app-detail route matches any path below /apps/, so it stays after
# the other engagement areas.
AREAS = (
    "static_files",
    "auth_pages",
    "mfa_pages",
    "account_pages",
    "home_pages",
    "engagement_pages",
    "connection_pages",
    "scan_pages",
    "findings_pages",
    "report_pages",
    "admin_pages",
    "settings_pages",
    "inventory_pages",
)
for _area in AREAS:
    router.include_router(importlib.import_module(f"failsafe.portal.{_area}").router)
