"""Read-only queries over the inventory of each tenant's latest complete scan.

An engagement may have several tenants; every query reads the newest succeeded or partial
scan of each connection (``_LATEST``), so one stale tenant never hides a fresh one. RLS
scopes every table to the engagements the actor may see; the engagement id is checked by the
page's ``VisibleEngagement`` before any of this runs.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.scans.latest import LATEST_COMPLETE_SCANS

_LATEST = f"WITH latest AS ({LATEST_COMPLETE_SCANS})\n"

STALE_DAYS = 90
ACTIVE_DAYS = 30

_IDENTITY_SUMMARY = (
    _LATEST
    + f"""
SELECT count(*) FILTER (WHERE kind = 'member' AND enabled) AS members,
       count(*) FILTER (WHERE kind = 'guest') AS guests,
       count(*) FILTER (WHERE is_admin) AS admins,
       count(*) FILTER (WHERE kind = 'member' AND enabled AND mfa_registered) AS mfa_on,
       count(*) FILTER (WHERE kind = 'member' AND enabled AND mfa_registered IS NULL)
           AS mfa_unknown,
       count(*) FILTER (WHERE enabled AND (last_sign_in_at IS NULL
           OR last_sign_in_at < now() - interval '{STALE_DAYS} days')) AS stale
FROM inventory_identities WHERE scan_id IN (SELECT id FROM latest)
"""
)

_IDENTITY_LIST = (
    _LATEST
    + f"""
SELECT email, display_name, kind, enabled, is_admin, mfa_registered, last_sign_in_at,
       (enabled AND (last_sign_in_at IS NULL
           OR last_sign_in_at < now() - interval '{STALE_DAYS} days')) AS stale
FROM inventory_identities
WHERE scan_id IN (SELECT id FROM latest)
  AND (is_admin OR kind = 'guest' OR NOT coalesce(mfa_registered, true)
       OR (enabled AND (last_sign_in_at IS NULL
           OR last_sign_in_at < now() - interval '{STALE_DAYS} days')))
ORDER BY is_admin DESC, kind, email
LIMIT :limit
"""
)

_LICENCES = (
    _LATEST
    + f"""
SELECT k.sku_id, k.sku_name, k.purchased, k.assigned,
       (SELECT count(*) FROM inventory_license_assignments a
        JOIN inventory_identities i ON i.scan_id = a.scan_id AND i.email = a.user_email
        WHERE a.scan_id = k.scan_id AND a.sku_id = k.sku_id AND i.enabled
          AND i.last_sign_in_at >= now() - interval '{ACTIVE_DAYS} days') AS active
FROM inventory_license_skus k
WHERE k.scan_id IN (SELECT id FROM latest)
ORDER BY k.sku_name
"""
)

# One row per discovered app, from the three ways FailSafe finds one: an OAuth grant, the
# sign-in log, vendor email. Email-only vendors have no app id; they are keyed by domain.
_APPS = (
    _LATEST
    + """
, found AS (
    SELECT coalesce(a.display_name, g.app_id) AS name, g.app_id AS key, 'grant' AS how,
           g.user_email, g.granted_at AS first_seen, g.granted_at AS last_seen
    FROM inventory_grants g
    LEFT JOIN inventory_apps a ON a.scan_id = g.scan_id AND a.app_id = g.app_id
    WHERE g.scan_id IN (SELECT id FROM latest)
    UNION ALL
    SELECT u.app_name, coalesce(u.app_id, u.app_name), 'sign-in', u.user_email,
           u.first_seen, u.last_seen
    FROM inventory_app_usage u WHERE u.scan_id IN (SELECT id FROM latest)
    UNION ALL
    SELECT e.vendor_domain, e.vendor_domain, 'email', e.user_email, e.first_seen, e.last_seen
    FROM inventory_email_signals e WHERE e.scan_id IN (SELECT id FROM latest)
)
-- Per (app, user) first, then per app: both steps hash, where count(DISTINCT ...) per app
-- would sort every row. Scopes come from grants alone (keyed by app id), gathered on the side
-- the same way, so ``found`` is read once and never materialised.
, per_user AS (
    SELECT key, user_email, min(name) AS name, bool_or(how = 'email') AS by_email,
           bool_or(how = 'grant') AS by_grant, bool_or(how = 'sign-in') AS by_sign_in,
           min(first_seen) AS first_seen, max(last_seen) AS last_seen
    FROM found {key_filter}
    GROUP BY key, user_email
), per_app AS (
    SELECT key, min(name) AS name,
           array_remove(ARRAY[CASE WHEN bool_or(by_email) THEN 'email' END,
                              CASE WHEN bool_or(by_grant) THEN 'grant' END,
                              CASE WHEN bool_or(by_sign_in) THEN 'sign-in' END], NULL) AS how,
           count(user_email) AS users, min(first_seen) AS first_seen,
           max(last_seen) AS last_seen
    FROM per_user GROUP BY key
), grant_scopes AS (
    SELECT DISTINCT g.app_id AS key, scope
    FROM inventory_grants g, unnest(g.scopes) AS scope
    WHERE g.scan_id IN (SELECT id FROM latest) {grant_filter}
), scopes AS (
    SELECT key, array_agg(scope ORDER BY scope) AS scopes FROM grant_scopes GROUP BY key
)
SELECT a.key, a.name, a.how, a.users, a.first_seen, a.last_seen, s.scopes
FROM per_app a LEFT JOIN scopes s ON s.key = a.key
ORDER BY a.users DESC, a.name
LIMIT :limit
"""
)
# The whole list, and one app's row: two statements rather than "(:key IS NULL OR key = :key)",
# which a prepared statement's generic plan estimates as selective for the list too.
_APPS_ALL = _APPS.format(key_filter="", grant_filter="")
_APPS_ONE = _APPS.format(key_filter="WHERE key = :key", grant_filter="AND g.app_id = :key")

_APP_USERS = (
    _LATEST
    + """
SELECT DISTINCT user_email FROM (
    SELECT user_email FROM inventory_grants
    WHERE scan_id IN (SELECT id FROM latest) AND app_id = :key
    UNION ALL
    SELECT user_email FROM inventory_app_usage
    WHERE scan_id IN (SELECT id FROM latest) AND coalesce(app_id, app_name) = :key
    UNION ALL
    SELECT user_email FROM inventory_email_signals
    WHERE scan_id IN (SELECT id FROM latest) AND vendor_domain = :key
) u WHERE user_email IS NOT NULL ORDER BY user_email LIMIT 500
"""
)

# What the shadow-IT rules need to tie an app to a vendor (the catalog matches on these). One
# row per app id across tenants; an app any tenant's provider calls its own wins.
_APP_FACTS = (
    _LATEST
    + """
SELECT DISTINCT ON (app_id) app_id, display_name, publisher, first_party, domains
FROM inventory_apps
WHERE scan_id IN (SELECT id FROM latest) AND app_id = ANY(CAST(:keys AS text[]))
ORDER BY app_id, first_party DESC
"""
)


async def _rows(session: AsyncSession, sql: str, **params: Any) -> list[Any]:
    return list((await session.execute(text(sql), params)).all())


async def has_inventory(session: AsyncSession, engagement_id: uuid.UUID) -> bool:
    """Whether any tenant of the engagement has a complete scan yet."""
    found = await session.scalar(
        text(_LATEST + "SELECT count(*) FROM latest"), {"engagement_id": engagement_id}
    )
    return bool(found)


async def identity_summary(session: AsyncSession, engagement_id: uuid.UUID) -> Any:
    """Counts of members, guests, admins, MFA coverage and stale accounts."""
    return (await _rows(session, _IDENTITY_SUMMARY, engagement_id=engagement_id))[0]


async def risky_identities(
    session: AsyncSession, engagement_id: uuid.UUID, limit: int = 500
) -> list[Any]:
    """Admins, guests, users without MFA and stale accounts (the ones worth a look)."""
    return await _rows(session, _IDENTITY_LIST, engagement_id=engagement_id, limit=limit)


async def licences(session: AsyncSession, engagement_id: uuid.UUID) -> list[Any]:
    """Per SKU: bought, assigned, and assigned to someone active in the last 30 days."""
    return await _rows(session, _LICENCES, engagement_id=engagement_id)


async def apps(
    session: AsyncSession, engagement_id: uuid.UUID, *, key: str | None = None, limit: int = 500
) -> list[Any]:
    """Discovered apps with how each was found, users, first/last seen and scopes."""
    if key is None:
        return await _rows(session, _APPS_ALL, engagement_id=engagement_id, limit=limit)
    return await _rows(session, _APPS_ONE, engagement_id=engagement_id, key=key, limit=limit)


async def app_users(session: AsyncSession, engagement_id: uuid.UUID, key: str) -> list[str]:
    """Who uses one app (by grant, sign-in or email)."""
    rows = await _rows(session, _APP_USERS, engagement_id=engagement_id, key=key)
    return [row.user_email for row in rows]


async def app_facts(
    session: AsyncSession, engagement_id: uuid.UUID, keys: Sequence[str]
) -> dict[str, Any]:
    """Name, publisher, domains and first-party flag of the listed apps, by app id."""
    if not keys:
        return {}
    rows = await _rows(session, _APP_FACTS, engagement_id=engagement_id, keys=list(keys))
    return {row.app_id: row for row in rows}
