"""Google's HTTP batch format (multipart/mixed): build a body of GETs, parse the replies."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from failsafe.connectors.errors import UnexpectedResponse

BATCH_LIMIT = 100  # Google accepts at most 100 calls per batch


@dataclass(frozen=True)
class PartReply:
    index: int
    status: int
    body: dict[str, Any]
    retry_after: float | None


def build_body(paths: Sequence[str]) -> tuple[bytes, str]:
    """(body, boundary) for GETs of ``paths`` (absolute paths with query strings)."""
    assert 0 < len(paths) <= BATCH_LIMIT
    boundary = "batch_" + secrets.token_hex(12)
    lines: list[str] = []
    for index, path in enumerate(paths):
        lines += [
            f"--{boundary}",
            "Content-Type: application/http",
            f"Content-ID: <item{index}>",
            "",
            f"GET {path} HTTP/1.1",
            "",
            "",
        ]
    lines.append(f"--{boundary}--")
    return "\r\n".join(lines).encode(), boundary


def parse_reply(content_type: str, body: bytes) -> list[PartReply]:
    """The parts of a multipart/mixed batch response."""
    boundary = _boundary(content_type)
    replies = []
    for chunk in body.split(f"--{boundary}".encode())[1:]:
        if chunk.startswith(b"--"):
            break
        replies.append(_part(chunk))
    return replies


def _boundary(content_type: str) -> str:
    for piece in content_type.split(";"):
        name, _, value = piece.strip().partition("=")
        if name.lower() == "boundary" and value:
            return value.strip('"')
    raise UnexpectedResponse("batch response without a multipart boundary")


def _part(chunk: bytes) -> PartReply:
    text = chunk.decode("utf-8", errors="replace").replace("\r\n", "\n").strip("\n")
    outer, _, inner = text.partition("\n\n")
    index = _content_index(outer)
    head, _, payload = inner.partition("\n\n")
    status_line, *header_lines = head.split("\n")
    try:
        status = int(status_line.split()[1])
    except (IndexError, ValueError) as exc:
        raise UnexpectedResponse("batch part without an HTTP status line") from exc
    retry_after = None
    for line in header_lines:
        name, _, value = line.partition(":")
        if name.strip().lower() == "retry-after":
            try:
                retry_after = float(value.strip())
            except ValueError:
                retry_after = None
    try:
        parsed = orjson.loads(payload) if payload.strip() else {}
    except ValueError as exc:
        raise UnexpectedResponse("batch part with malformed JSON") from exc
    return PartReply(index, status, parsed if isinstance(parsed, dict) else {}, retry_after)


def _content_index(outer: str) -> int:
    for line in outer.split("\n"):
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-id":
            digits = "".join(ch for ch in value.rpartition("item")[2] if ch.isdigit())
            if digits:
                return int(digits)
    raise UnexpectedResponse("batch part without a Content-ID")
