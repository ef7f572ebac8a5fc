"""Billing routes for the signed-in account: its plan, a Checkout link, a portal link.

Only the account's own users start Checkout or open the portal for it; the Stripe customer
mapping is written as a named system actor (billing state is system-written) after that check.
Card details are entered on Stripe's pages only.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import func, select

from failsafe.accounts.elevate import elevated
from failsafe.accounts.models import Account, User
from failsafe.audit.service import record
from failsafe.billing.checkout import portal_link, start_checkout
from failsafe.billing.features import effective_plan
from failsafe.billing.plans import FEATURES, Plan
from failsafe.billing.state import get_subscription
from failsafe.db.actor import Role
from failsafe.errors import Forbidden, ValidationFailed
from failsafe.runtime import Runtime
from failsafe.web.deps import CurrentActor, DbSession

router = APIRouter(prefix="/api/v1/billing", tags=["billing"])


class BillingView(BaseModel):
    plan: str
    status: str | None
    quantity: int | None
    current_period_end: str | None
    features: list[str]


class CheckoutRequest(BaseModel):
    plan: Plan


class RedirectView(BaseModel):
    url: str


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


@router.get("", response_model=BillingView)
async def billing(actor: CurrentActor, session: DbSession) -> BillingView:
    """The account's plan and the features it unlocks."""
    subscription = await get_subscription(session, actor.account_id)
    plan = effective_plan(subscription)
    return BillingView(
        plan=subscription.plan.value if subscription else Plan.NONE.value,
        status=subscription.status if subscription else None,
        quantity=subscription.quantity if subscription else None,
        current_period_end=(
            subscription.current_period_end.isoformat()
            if subscription and subscription.current_period_end
            else None
        ),
        features=sorted(f.value for f in FEATURES[plan]),
    )


@router.post("/checkout", response_model=RedirectView)
async def checkout(
    body: CheckoutRequest, request: Request, actor: CurrentActor, session: DbSession
) -> RedirectView:
    """A Stripe Checkout URL for a plan; partners pay per managed client."""
    if actor.role is Role.ADMIN:
        raise Forbidden("staff accounts are not billed")
    account = await session.get(Account, actor.account_id)
    me = await session.get(User, actor.user_id)
    if account is None or me is None:
        raise Forbidden("no account")
    if (body.plan is Plan.PARTNER_MONTHLY) != (account.kind == "partner"):
        raise ValidationFailed("partner plans are for partner accounts only")
    clients = int(
        (
            await session.execute(
                select(func.count())
                .select_from(Account)
                .where(Account.managed_by_account_id == account.id)
            )
        ).scalar_one()
    )
    async with elevated(session, actor, "billing.checkout"):
        url = await start_checkout(
            session,
            _runtime(request).settings,
            account.id,
            body.plan,
            email=me.email,
            name=account.name,
            managed_clients=clients,
        )
    await record(
        session,
        actor,
        "billing.checkout_started",
        target_type="account",
        target_id=account.id,
        details={"plan": body.plan.value},
    )
    return RedirectView(url=url)


@router.post("/portal", response_model=RedirectView)
async def portal(request: Request, actor: CurrentActor, session: DbSession) -> RedirectView:
    """A Stripe billing portal URL (payment methods, invoices, cancellation)."""
    url = await portal_link(session, _runtime(request).settings, actor.account_id)
    return RedirectView(url=url)
