"""Reports API activities: the token and login audit logs (newest first)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from failsafe.sandbox import google_model as gmod
from failsafe.sandbox.google_auth import GoogleCaller
from failsafe.sandbox.google_paging import GoogleBadRequest, listing, max_results
from failsafe.sandbox.wire import Reply, Req, google_forbidden

HEAD = {"kind": "admin#reports#activities", "etag": '"sbx"'}


def _time(req: Req, name: str) -> datetime | None:
    raw = req.arg(name)
    if raw is None:
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError as exc:
        raise GoogleBadRequest(f"Invalid value for {name}") from exc


def _at(activity: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(activity["id"]["time"]).replace("Z", "+00:00"))


def activities(caller: GoogleCaller, req: Req, m: re.Match[str]) -> Reply:
    """GET activities.list for the token or login application."""
    if not caller.has("admin.reports.audit.readonly"):
        return google_forbidden("Request had insufficient authentication scopes.")
    if not caller.is_admin:
        return google_forbidden()
    if m.group("user") != "all":
        # Limitation: only userKey=all is simulated.
        raise GoogleBadRequest("Only users/all is supported by the sandbox")
    start, end = _time(req, "startTime"), _time(req, "endTime")
    if start is not None and end is not None and start >= end:
        raise GoogleBadRequest("Start time must be less than end time")
    size = max_results(req, 1000, 1000)
    name = req.arg("eventName")
    app = m.group("app")
    spec = caller.spec
    if app == "login":
        # Lazily: event e is person e's login, so the log is already newest first.
        def render(i: int) -> dict[str, Any] | None:
            item = gmod.login_activity(spec, i)
            if item is None or not _keep(item, start, end, name):
                return None
            return item

        total = _login_cutoff(spec, start)
        return listing(req, total, render, key="items", size=size, head=HEAD)
    items = gmod.token_activities(spec) if app == "token" else []
    items = [i for i in items if _keep(i, start, end, name)]
    return listing(req, len(items), lambda i: items[i], key="items", size=size, head=HEAD)


def _keep(
    item: dict[str, Any], start: datetime | None, end: datetime | None, name: str | None
) -> bool:
    at = _at(item)
    if (start is not None and at < start) or (end is not None and at >= end):
        return False
    return name is None or any(e.get("name") == name for e in item["events"])


def _login_cutoff(spec: Any, start: datetime | None) -> int:
    if start is None:
        return int(spec.users)
    lo, hi = 0, int(spec.users)
    while lo < hi:  # login_time decreases with the index
        mid = (lo + hi) // 2
        if gmod.login_time(spec, mid) >= start:
            lo = mid + 1
        else:
            hi = mid
    return lo
