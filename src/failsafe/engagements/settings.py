"""Per-engagement settings: what the customer has sanctioned, and what it pays for licences.

``sanctioned`` lists vendor ids, vendor domains and app ids the shadow-IT rules treat as
approved. ``sku_prices`` maps a SKU id or part number to the price per user-month the customer
actually pays (partners negotiate), replacing the catalog's list price in licence-waste money.
Both feed the next scan's detection and every report rendered after the change.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.audit.service import record
from failsafe.db.actor import Actor, UserActor
from failsafe.errors import ValidationFailed

MAX_SANCTIONED = 1000
MAX_PRICES = 200
MAX_PRICE = 10_000.0
# Vendor ids ("slack"), domains ("slack.com") and app ids (GUIDs, Google client ids).
_ENTRY = re.compile(r"^[a-z0-9][a-z0-9._:@-]{0,252}$")
_SKU_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_./-]{0,99}$")

_GET = text(
    "SELECT sanctioned, sku_prices FROM engagement_settings WHERE engagement_id = :engagement"
)
_UPSERT = text(
    "INSERT INTO engagement_settings (engagement_id, sanctioned, sku_prices, updated_by)"
    " VALUES (:engagement, :sanctioned, CAST(:prices AS jsonb), :user)"
    " ON CONFLICT (engagement_id) DO UPDATE SET sanctioned = EXCLUDED.sanctioned,"
    " sku_prices = EXCLUDED.sku_prices, updated_by = EXCLUDED.updated_by, updated_at = now()"
)


@dataclass(frozen=True)
class EngagementSettings:
    """An engagement's settings; the defaults when none were saved."""

    sanctioned: tuple[str, ...] = ()
    sku_prices: dict[str, float] = field(default_factory=dict)


def validated(sanctioned: Iterable[str], sku_prices: Mapping[str, float]) -> EngagementSettings:
    """Normalised settings, or :class:`ValidationFailed` naming the first bad entry."""
    entries = sorted({entry.strip().lower() for entry in sanctioned if entry.strip()})
    if len(entries) > MAX_SANCTIONED:
        raise ValidationFailed(f"at most {MAX_SANCTIONED} sanctioned vendors or apps")
    for entry in entries:
        if not _ENTRY.match(entry):
            raise ValidationFailed(f"not a vendor id, domain or app id: {entry[:80]!r}")

    if len(sku_prices) > MAX_PRICES:
        raise ValidationFailed(f"at most {MAX_PRICES} licence prices")
    prices: dict[str, float] = {}
    for key, price in sku_prices.items():
        if not _SKU_KEY.match(key):
            raise ValidationFailed(f"not a SKU id or part number: {key[:80]!r}")
        if not math.isfinite(price) or not 0 <= price <= MAX_PRICE:
            raise ValidationFailed(f"price of {key} must be between 0 and {MAX_PRICE:,.0f}")
        prices[key.lower()] = round(float(price), 2)
    return EngagementSettings(tuple(entries), prices)


async def get_settings(session: AsyncSession, engagement_id: uuid.UUID) -> EngagementSettings:
    """The engagement's settings as the actor may see them (defaults when none are saved)."""
    row = (await session.execute(_GET, {"engagement": engagement_id})).one_or_none()
    if row is None:
        return EngagementSettings()
    prices = {str(k): float(v) for k, v in dict(row.sku_prices).items()}
    return EngagementSettings(tuple(row.sanctioned), prices)


async def save_settings(
    session: AsyncSession,
    actor: Actor,
    engagement_id: uuid.UUID,
    settings: EngagementSettings,
    *,
    ip: str | None = None,
) -> EngagementSettings:
    """Replace the engagement's settings (RLS decides whether the actor may) and audit it."""
    await session.execute(
        _UPSERT,
        {
            "engagement": engagement_id,
            "sanctioned": list(settings.sanctioned),
            "prices": json.dumps(settings.sku_prices, sort_keys=True),
            "user": actor.user_id if isinstance(actor, UserActor) else None,
        },
    )
    await record(
        session,
        actor,
        "engagement.settings_changed",
        engagement_id=engagement_id,
        target_type="engagement",
        target_id=engagement_id,
        ip=ip,
        details={"sanctioned": len(settings.sanctioned), "sku_prices": len(settings.sku_prices)},
    )
    return settings
