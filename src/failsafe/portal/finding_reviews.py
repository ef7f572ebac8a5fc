"""Decisions about a finding from the portal: accept the risk (reason and expiry, both required),
mark it resolved, or reopen it.

The findings store records each decision and writes the audit row; these routes only read the
form, refuse what is incomplete with the detail page and a message (nothing is recorded), and
send the browser back to the finding with a notice (post/redirect/get). The CSRF token is
checked by the shared dependencies before any of this runs.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path, Request, Response

from failsafe.detections.store import service
from failsafe.errors import ValidationFailed
from failsafe.portal.findings_view import detail_path, expiry_of, render_detail
from failsafe.portal.forms import see_other
from failsafe.portal.pages import page_router
from failsafe.web.context import clock_of
from failsafe.web.deps import CurrentActor, DbSession, VisibleEngagement

router = page_router()
PREFIX = "/engagements/{engagement_id}/findings/{fingerprint}"
Fingerprint = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]
Reason = Annotated[str, Form(max_length=2000)]
NEEDS_BOTH = "To accept a risk, give a reason and the date the acceptance expires."


@router.post(PREFIX + "/accept")
async def accept(
    request: Request,
    engagement: VisibleEngagement,
    actor: CurrentActor,
    session: DbSession,
    fingerprint: Fingerprint,
    reason: Reason = "",
    expires: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Accept the risk until the end of the chosen day, for the reason given."""
    now = clock_of(request).now()
    try:
        if not reason.strip() or not expires:
            raise ValidationFailed(NEEDS_BOTH)
        await service.accept_finding(
            session,
            actor,
            engagement.id,
            fingerprint,
            reason=reason,
            expires_at=expiry_of(expires),
            now=now,
        )
    except ValidationFailed as exc:
        return await render_detail(
            request,
            session,
            engagement,
            fingerprint,
            now=now,
            error=_sentence(exc.detail),
            typed={"reason": reason, "expires": expires},
            status=exc.status,
        )
    return see_other(detail_path(engagement.id, fingerprint, "accepted"))


@router.post(PREFIX + "/resolve")
async def resolve(
    engagement: VisibleEngagement,
    actor: CurrentActor,
    session: DbSession,
    fingerprint: Fingerprint,
    reason: Reason = "",
) -> Response:
    """Mark resolved (the next scan confirms it or opens it again)."""
    await service.resolve_finding(session, actor, engagement.id, fingerprint, reason=reason)
    return see_other(detail_path(engagement.id, fingerprint, "resolved"))


@router.post(PREFIX + "/reopen")
async def reopen(
    engagement: VisibleEngagement,
    actor: CurrentActor,
    session: DbSession,
    fingerprint: Fingerprint,
) -> Response:
    """Undo an acceptance or a resolution."""
    await service.reopen_finding(session, actor, engagement.id, fingerprint)
    return see_other(detail_path(engagement.id, fingerprint, "reopened"))


def _sentence(detail: str) -> str:
    """The store's short messages ("expiry must be ...") as a sentence for the page."""
    return detail[:1].upper() + detail[1:] + ("" if detail.endswith(".") else ".")
