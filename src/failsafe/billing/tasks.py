"""Billing jobs: cancel a soft-deleted account's Stripe subscription (retried with back-off
while Stripe is unreachable; idempotent, so a retry after a crash is harmless)."""

from __future__ import annotations

import uuid

import procrastinate
from procrastinate import JobContext

from failsafe.billing.cancel import cancel_account_subscription
from failsafe.jobs.app import runtime_of
from failsafe.operations import hooks

blueprint = procrastinate.Blueprint()

RETRY = procrastinate.RetryStrategy(max_attempts=12, exponential_wait=10)


@blueprint.task(name="cancel_subscription", queue="billing", pass_context=True, retry=RETRY)
async def cancel_subscription(context: JobContext, account_id: str) -> bool:
    """Cancel the account's subscription at Stripe."""
    runtime = runtime_of(context)
    await hooks.reach("billing.cancel_subscription")
    return await cancel_account_subscription(
        runtime.database, runtime.settings, uuid.UUID(account_id)
    )
