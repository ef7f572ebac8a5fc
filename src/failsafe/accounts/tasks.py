"""Account jobs: the queued half of a password reset request."""

from __future__ import annotations

import uuid
from datetime import datetime

import procrastinate
from procrastinate import JobContext

from failsafe.accounts.clock import SYSTEM_CLOCK
from failsafe.accounts.context import AuthContext
from failsafe.accounts.reset import RESET_QUEUE, send_reset_link
from failsafe.jobs.app import runtime_of

blueprint = procrastinate.Blueprint()

RETRY = procrastinate.RetryStrategy(max_attempts=5, exponential_wait=2)


@blueprint.task(name="send_reset_link", queue=RESET_QUEUE, pass_context=True, retry=RETRY)
async def send_reset_link_job(
    context: JobContext, user_id: str | None, requested_at: str
) -> dict[str, bool]:
    """Issue the reset token and queue its email (nothing when the request named no one)."""
    ctx = AuthContext.of(runtime_of(context), SYSTEM_CLOCK)
    sent = await send_reset_link(
        ctx, uuid.UUID(user_id) if user_id else None, datetime.fromisoformat(requested_at)
    )
    return {"sent": sent}
