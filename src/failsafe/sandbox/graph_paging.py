"""Graph query options: ``$select``, ``$top``, opaque ``$skiptoken`` nextLinks, ``$filter``."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from failsafe.sandbox.wire import Reply, Req, graph_bad_request, ok

FILTER_TERM = re.compile(
    r"^\s*(?P<field>[A-Za-z/]+)\s+(?P<op>eq|ne|ge|gt|le|lt)\s+(?P<value>'[^']*'|\S+)\s*$"
)


class BadQuery(Exception):
    """A query option the sandbox (like Graph) refuses with 400."""


def select_of(req: Req, allowed: Sequence[str]) -> frozenset[str] | None:
    """The ``$select`` set, or None when absent; unknown properties are a 400 as in Graph."""
    raw = req.arg("$select")
    if raw is None:
        return None
    names = frozenset(n.strip() for n in raw.split(",") if n.strip())
    unknown = names - frozenset(allowed)
    if unknown:
        raise BadQuery(f"Could not find a property named '{sorted(unknown)[0]}' on type.")
    return names


def top_of(req: Req, default: int, maximum: int) -> int:
    """``$top`` clamped to the endpoint's maximum."""
    raw = req.arg("$top")
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise BadQuery(f"Invalid $top value '{raw}'.") from exc
    if value < 1:
        raise BadQuery("$top must be positive.")
    return min(value, maximum)


def encode_skip(offset: int) -> str:
    # Opaque to clients, like Graph's; the prefix only makes stray values easy to reject.
    """An opaque ``$skiptoken`` for ``offset``."""
    return base64.urlsafe_b64encode(f"sbx1:{offset}".encode()).decode().rstrip("=")


def offset_of(req: Req, name: str = "$skiptoken") -> int:
    """The offset a page token (or skiptoken) stands for."""
    raw = req.arg(name)
    if raw is None:
        return 0
    if name == "$skip":
        return int(raw) if raw.isdigit() else 0
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        prefix, _, value = text.partition(":")
        if prefix != "sbx1":
            raise ValueError(text)
        return int(value)
    except ValueError as exc:
        raise BadQuery("The specified page token value has expired or is invalid.") from exc


def next_link(req: Req, offset: int, name: str = "$skiptoken") -> str:
    """An absolute nextLink carrying the original query."""
    rest = req.query_without("$skiptoken", "$skip")
    token = encode_skip(offset) if name == "$skiptoken" else str(offset)
    query = f"{rest}&{name}={quote(token)}" if rest else f"{name}={quote(token)}"
    return f"{req.base}{req.path}?{query}"


def page(
    req: Req,
    total: int,
    render: Callable[[int], dict[str, Any]],
    *,
    size: int,
    context: str,
    link: str = "$skiptoken",
) -> Reply:
    """One page of ``render(i)`` for ``i`` in ``[offset, offset + size)`` of ``total``."""
    offset = offset_of(req, link)
    end = min(offset + size, total)
    body: dict[str, Any] = {
        "@odata.context": f"https://graph.microsoft.com/v1.0/$metadata#{context}",
        "value": [render(i) for i in range(offset, end)],
    }
    if end < total:
        body["@odata.nextLink"] = next_link(req, end, link)
    return ok(body)


def collection(
    req: Req, items: Sequence[dict[str, Any]], context: str, *, size: int = 100, maximum: int = 999
) -> Reply:
    """Page through a small materialised list, honouring ``$select`` and ``$top``."""
    chosen = req.arg("$select")
    names = [n.strip() for n in chosen.split(",")] if chosen else None

    def render(i: int) -> dict[str, Any]:
        item = items[i]
        if names is None:
            return item
        keep = {k: item.get(k) for k in names}
        if "@odata.type" in item:
            keep["@odata.type"] = item["@odata.type"]
        return keep

    return page(req, len(items), render, size=top_of(req, size, maximum), context=context)


def parse_filter(req: Req) -> list[tuple[str, str, str]]:
    """``a eq 'x' and b ge 2024-01-01T00:00:00Z`` as (field, op, value) terms."""
    raw = req.arg("$filter")
    if not raw:
        return []
    terms = []
    for part in re.split(r"\s+and\s+", raw.strip()):
        match = FILTER_TERM.match(part)
        if match is None:
            raise BadQuery(f"Invalid filter clause: {part}")
        value = match.group("value")
        terms.append((match.group("field"), match.group("op"), value.strip("'")))
    return terms


def parse_time(value: str) -> datetime:
    """A filter timestamp literal."""
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadQuery(f"Invalid DateTimeOffset literal '{value}'.") from exc


def compare(left: Any, op: str, right: Any) -> bool:
    """Apply a filter operator."""
    return bool(
        {
            "eq": left == right,
            "ne": left != right,
            "ge": left >= right,
            "gt": left > right,
            "le": left <= right,
            "lt": left < right,
        }[op]
    )


def bad(exc: BadQuery) -> Reply:
    """The 400 reply of a refused query option."""
    return graph_bad_request(str(exc))
