"""The server-rendered portal: Jinja2 pages (autoescape on), htmx, server-side SVG charts.

One router per area, all combined into :data:`router`, which the web app includes. Every page
that shows engagement data takes ``VisibleEngagement`` (404 otherwise) and the actor's
``DbSession`` (RLS); every form carries a CSRF token.
"""

from __future__ import annotations

from fastapi import APIRouter

from failsafe.portal import account_pages, auth_pages, mfa_pages, static_files

router = APIRouter(include_in_schema=False)

# One area per line.
for _module in (static_files, auth_pages, mfa_pages, account_pages):
    router.include_router(_module.router)
