"""Provider timestamps to aware UTC datetimes; the providers' "never" markers become None."""

from __future__ import annotations

import re
from datetime import UTC, datetime

_FRACTION = re.compile(r"\.(\d{6})\d+")
_NEVER_YEARS = (1, 1970)  # Graph "0001-01-01T00:00:00Z", Google "1970-01-01T00:00:00.000Z"


def parse_time(value: object) -> datetime | None:
    """An ISO-8601 / RFC 3339 string as aware UTC, or None for missing and "never" values."""
    if not isinstance(value, str) or not value:
        return None
    try:
        # Python 3.11 reads "Z" and 7-digit fractions itself; this runs once per message and
        # sign-in, so the regex clean-up below is only the fallback for odd spellings.
        parsed = datetime.fromisoformat(value)
    except ValueError:
        text = _FRACTION.sub(r".\1", value.strip()).replace("Z", "+00:00")
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    elif parsed.tzinfo is not UTC:
        parsed = parsed.astimezone(UTC)
    return None if parsed.year in _NEVER_YEARS else parsed


def from_epoch_ms(value: object) -> datetime | None:
    """Gmail's ``internalDate`` (epoch milliseconds as a string)."""
    try:
        return datetime.fromtimestamp(int(str(value)) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def iso_z(moment: datetime) -> str:
    """A UTC timestamp as Graph and Google filters expect it (second precision, ``Z``)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
