"""Provider timestamps: the fast path and the clean-up fallback agree."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from failsafe.connectors.timeparse import parse_time

NOON = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-05-01T12:00:00Z", NOON),
        ("2024-05-01T12:00:00.1234567Z", NOON.replace(microsecond=123456)),  # Graph: 7 digits
        ("2024-05-01T12:00:00.000Z", NOON),  # Google
        ("2024-05-01T14:00:00+02:00", NOON),
        ("2024-05-01T12:00:00", NOON),  # no zone: UTC
        (" 2024-05-01T12:00:00Z ", NOON),  # the fallback strips
    ],
)
def test_timestamps_become_aware_utc(raw: str, expected: datetime) -> None:
    parsed = parse_time(raw)

    assert parsed == expected
    assert parsed is not None and parsed.utcoffset() == UTC.utcoffset(None)


@pytest.mark.parametrize(
    "raw", ["0001-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z", "", "soon", None, 17]
)
def test_never_markers_and_junk_are_none(raw: object) -> None:
    assert parse_time(raw) is None
