"""Incremental aggregators: sign-ins per (app, user) and email signals per (vendor, user, kind).

They keep one small slotted record per key and nothing of the raw events, so memory grows with
the number of distinct keys, not with the number of events read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from failsafe.inventory.email import SignalKind
from failsafe.inventory.model import AppUsage, EmailSignal


@dataclass(slots=True)
class _Span:
    first: datetime
    last: datetime
    count: int = 1

    def see(self, at: datetime) -> None:
        if at < self.first:
            self.first = at
        if at > self.last:
            self.last = at
        self.count += 1


@dataclass(slots=True)
class _Usage:
    name: str
    span: _Span
    legacy: bool


class SignInAggregator:
    """Counts sign-ins per (app, user) with first/last seen and a legacy-protocol flag."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str | None, str], _Usage] = {}

    def add(self, app_id: str | None, app_name: str, user: str, at: datetime, legacy: bool) -> None:
        """Count one sign-in."""
        row = self._rows.get((app_id, user))
        if row is None:
            self._rows[(app_id, user)] = _Usage(app_name, _Span(at, at), legacy)
            return
        row.span.see(at)
        row.legacy = row.legacy or legacy

    def __len__(self) -> int:
        return len(self._rows)

    def results(self) -> Iterator[AppUsage]:
        """One AppUsage per (app, user)."""
        for (app_id, user), row in self._rows.items():
            yield AppUsage(
                app_id=app_id,
                app_name=row.name,
                user=user,
                first_seen=row.span.first,
                last_seen=row.span.last,
                sign_ins=row.span.count,
                legacy_auth=row.legacy,
            )


class EmailSignalAggregator:
    """Counts vendor mail per (vendor, user, kind); may start from a previous scan's signals."""

    def __init__(self, seed: Iterable[EmailSignal] = ()) -> None:
        self._rows: dict[tuple[str, str, SignalKind], _Span] = {}
        for signal in seed:
            key = (signal.vendor_domain, signal.user, signal.kind)
            self._rows[key] = _Span(signal.first_seen, signal.last_seen, signal.count)
        self.messages_seen = 0

    def add(self, vendor: str, user: str, kind: SignalKind, at: datetime) -> None:
        """Count one classified message."""
        span = self._rows.get((vendor, user, kind))
        if span is None:
            self._rows[(vendor, user, kind)] = _Span(at, at)
        else:
            span.see(at)

    def __len__(self) -> int:
        return len(self._rows)

    def results(self) -> Iterator[EmailSignal]:
        """One EmailSignal per (vendor, user, kind)."""
        for (vendor, user, kind), span in self._rows.items():
            yield EmailSignal(
                vendor_domain=vendor,
                user=user,
                kind=kind,
                first_seen=span.first,
                last_seen=span.last,
                count=span.count,
            )
