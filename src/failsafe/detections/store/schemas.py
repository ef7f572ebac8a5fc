"""Rows and pages the findings service returns."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from failsafe.errors import ValidationFailed

FindingStatus = Literal["open", "accepted", "resolved"]


@dataclass(frozen=True)
class StoredFinding:
    """One finding as stored for one scan."""

    id: int
    scan_id: uuid.UUID
    rule_id: str
    fingerprint: str
    subject: str
    family: str
    severity: str
    title: str
    evidence: dict[str, Any]
    monthly_cost: float | None
    provider: str
    change: str
    status: FindingStatus
    first_seen_scan_id: uuid.UUID
    first_seen_at: datetime


@dataclass(frozen=True)
class FindingsPage:
    items: list[StoredFinding]
    next_cursor: str | None


@dataclass(frozen=True)
class PersistResult:
    """What persisting a scan's findings did, against the connection's previous scan."""

    scan_id: uuid.UUID
    previous_scan_id: uuid.UUID | None
    written: int
    new: int
    unchanged: int
    resolved: int


@dataclass(frozen=True)
class FindingFilters:
    family: str | None = None
    severity: str | None = None
    status: FindingStatus | None = None
    provider: str | None = None
    control: str | None = None  # "framework:id", e.g. "cis_v8:6.5"
    rule_id: str | None = None


def encode_cursor(rank: int, row_id: int) -> str:
    """Opaque keyset cursor for (severity rank, id)."""
    return base64.urlsafe_b64encode(f"{rank}:{row_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, int]:
    """Inverse of :func:`encode_cursor`; a malformed cursor is a validation error."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        rank, _, row_id = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        return int(rank), int(row_id)
    except (ValueError, UnicodeDecodeError) as error:
        raise ValidationFailed("invalid cursor") from error
