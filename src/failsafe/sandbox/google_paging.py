"""Google list conventions: ``maxResults`` bounds, opaque ``pageToken``, ``fields``."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from failsafe.sandbox import google_fields
from failsafe.sandbox.wire import Reply, Req, google_error, ok


class GoogleBadRequest(Exception):
    """A parameter Google would refuse with 400 invalid/badRequest."""


def max_results(req: Req, default: int, maximum: int) -> int:
    """``maxResults`` within Google's bounds (400 outside them)."""
    raw = req.arg("maxResults")
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise GoogleBadRequest(f"Invalid value for maxResults: {raw} (1 to {maximum})")
    return int(raw)


def token_for(offset: int) -> str:
    """An opaque nextPageToken for ``offset``."""
    return base64.urlsafe_b64encode(f"sbx1:{offset}".encode()).decode().rstrip("=")


def offset_of(req: Req) -> int:
    """The offset a page token (or skiptoken) stands for."""
    raw = req.arg("pageToken")
    if not raw:
        return 0
    try:
        prefix, _, value = (
            base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode().partition(":")
        )
        if prefix != "sbx1":
            raise ValueError(raw)
        return int(value)
    except ValueError as exc:
        raise GoogleBadRequest("Invalid pageToken") from exc


def listing(
    req: Req,
    total: int,
    render: Callable[[int], dict[str, Any] | None],
    *,
    key: str,
    size: int,
    head: dict[str, Any],
) -> Reply:
    """Items ``render(i)`` for the page's index range (None entries are skipped)."""
    offset = offset_of(req)
    end = min(offset + size, total)
    items = [item for i in range(offset, end) if (item := render(i)) is not None]
    body: dict[str, Any] = dict(head)
    if items:
        body[key] = items  # Google omits the key on an empty page
    if end < total:
        body["nextPageToken"] = token_for(end)
    return respond(req, body)


def respond(req: Req, body: dict[str, Any]) -> Reply:
    """Apply the ``fields`` partial-response parameter."""
    raw = req.arg("fields")
    if not raw:
        return ok(body)
    try:
        tree = google_fields.parse(raw)
    except google_fields.FieldsError:
        return google_error(400, "invalidParameter", f"Invalid field selection {raw}")
    return ok(google_fields.apply(body, tree))
