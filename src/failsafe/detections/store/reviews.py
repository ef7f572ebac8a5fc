"""Accept (with reason and expiry) or resolve a finding; every decision is audit-logged.

A decision applies to the fingerprint in every stored scan of the engagement, and the summaries
of those scans (score, open counts, waste) are recomputed in the same transaction, so the
engagements home and the overview reflect it at once.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.audit.service import record
from failsafe.db.actor import Actor, UserActor
from failsafe.detections.store.schemas import FindingStatus
from failsafe.errors import NotFound, ValidationFailed
from failsafe.scans.summaries import refresh_summaries

MAX_ACCEPT = timedelta(days=366)

_LATEST = text(
    "SELECT DISTINCT ON (fingerprint) fingerprint, action, expires_at FROM finding_reviews"
    " WHERE engagement_id = :engagement ORDER BY fingerprint, created_at DESC, id DESC"
)
_FINDING = text(
    "SELECT rule_id FROM findings WHERE engagement_id = :engagement"
    " AND fingerprint = :fingerprint LIMIT 1"
)
_INSERT = text(
    "INSERT INTO finding_reviews (engagement_id, fingerprint, rule_id, action, reason,"
    " expires_at, actor_user_id, actor)"
    " VALUES (:engagement, :fingerprint, :rule, :action, :reason, :expires, :user, :actor)"
)
_STATUS = text(
    "UPDATE findings SET status = :status"
    " WHERE engagement_id = :engagement AND fingerprint = :fingerprint RETURNING scan_id"
)


async def review_states(
    session: AsyncSession, engagement_id: uuid.UUID, *, now: datetime
) -> dict[str, FindingStatus]:
    """The status each reviewed fingerprint carries into a new scan.

    An acceptance holds until it expires. A resolution is the user's claim that the risk is
    gone; a new scan that still finds it proves otherwise, so it comes back open.
    """
    states: dict[str, FindingStatus] = {}
    for fingerprint, action, expires_at in await session.execute(
        _LATEST, {"engagement": engagement_id}
    ):
        if action == "accept" and expires_at is not None and expires_at > now:
            states[fingerprint] = "accepted"
    return states


async def _review(
    session: AsyncSession,
    actor: Actor,
    engagement_id: uuid.UUID,
    fingerprint: str,
    *,
    action: str,
    status: FindingStatus,
    reason: str,
    expires_at: datetime | None,
) -> None:
    rule_id = (
        await session.execute(_FINDING, {"engagement": engagement_id, "fingerprint": fingerprint})
    ).scalar_one_or_none()
    if rule_id is None:
        raise NotFound("finding not found")
    await session.execute(
        _INSERT,
        {
            "engagement": engagement_id,
            "fingerprint": fingerprint,
            "rule": rule_id,
            "action": action,
            "reason": reason,
            "expires": expires_at,
            "user": actor.user_id if isinstance(actor, UserActor) else None,
            "actor": actor.label,
        },
    )
    changed = await session.execute(
        _STATUS, {"status": status, "engagement": engagement_id, "fingerprint": fingerprint}
    )
    await refresh_summaries(session, {row.scan_id for row in changed})
    await record(
        session,
        actor,
        f"finding.{action}ed" if action != "resolve" else "finding.resolved",
        engagement_id=engagement_id,
        target_type="finding",
        target_id=fingerprint,
        details={"rule_id": rule_id, "expires_at": expires_at, "reason_length": len(reason)},
    )
    await session.flush()


async def accept_finding(
    session: AsyncSession,
    actor: Actor,
    engagement_id: uuid.UUID,
    fingerprint: str,
    *,
    reason: str,
    expires_at: datetime,
    now: datetime | None = None,
) -> None:
    """Accept the risk until ``expires_at`` (at most a year ahead) for ``reason``."""
    now = now or datetime.now(UTC)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("accepting a risk needs a reason")
    if expires_at.tzinfo is None:
        raise ValidationFailed("expiry must carry a time zone")
    if not now < expires_at <= now + MAX_ACCEPT:
        raise ValidationFailed("expiry must be in the future and within a year")
    await _review(
        session, actor, engagement_id, fingerprint,
        action="accept", status="accepted", reason=reason, expires_at=expires_at,
    )  # fmt: skip


async def resolve_finding(
    session: AsyncSession,
    actor: Actor,
    engagement_id: uuid.UUID,
    fingerprint: str,
    *,
    reason: str = "",
) -> None:
    """Mark the finding resolved; the next scan confirms it or reopens it."""
    await _review(
        session, actor, engagement_id, fingerprint,
        action="resolve", status="resolved", reason=reason.strip(), expires_at=None,
    )  # fmt: skip


async def reopen_finding(
    session: AsyncSession, actor: Actor, engagement_id: uuid.UUID, fingerprint: str
) -> None:
    """Undo an acceptance or resolution."""
    await _review(
        session, actor, engagement_id, fingerprint,
        action="reopen", status="open", reason="", expires_at=None,
    )  # fmt: skip
