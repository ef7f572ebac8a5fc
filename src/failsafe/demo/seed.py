"""Demo accounts: one partner with two clients, and one FailSafe admin. Idempotent."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.accounts.models import Account, User
from failsafe.audit.service import record
from failsafe.db.actor import SystemActor
from failsafe.engagements.models import Engagement

SEED_ACTOR = SystemActor("demo.seed")


@dataclass(frozen=True)
class DemoUser:
    email: str
    role: str
    account: str


@dataclass(frozen=True)
class DemoEngagement:
    id: uuid.UUID
    name: str
    customer: str


@dataclass(frozen=True)
class DemoSeed:
    users: list[DemoUser]
    engagements: list[DemoEngagement]
    created: bool


PARTNER = "Northwind IT Partners"
CLIENTS = ("Contoso Dental", "Fabrikam Legal")
INTERNAL = "FailSafe Staff"


async def seed_demo(session: AsyncSession) -> DemoSeed:
    """Create the demo accounts once; later runs report what is there."""
    existing = await session.scalar(select(Account).where(Account.name == PARTNER))
    created = existing is None
    if created:
        await _create(session)
    return await _describe(session, created)


async def _create(session: AsyncSession) -> None:
    internal = Account(kind="internal", name=INTERNAL)
    partner = Account(kind="partner", name=PARTNER)
    session.add_all([internal, partner])
    await session.flush()

    session.add(
        User(
            account_id=internal.id,
            email="admin@failsafe.test",
            role="admin",
            display_name="Ada Admin",
        )
    )
    session.add(
        User(
            account_id=partner.id,
            email="partner@northwind.test",
            role="partner",
            display_name="Pat Partner",
        )
    )
    for name in CLIENTS:
        client = Account(kind="customer", name=name, managed_by_account_id=partner.id)
        session.add(client)
        await session.flush()
        slug = name.split()[0].lower()
        session.add(
            User(
                account_id=client.id,
                email=f"owner@{slug}.test",
                role="client",
                display_name=f"{name} Owner",
            )
        )
        session.add(
            Engagement(
                customer_account_id=client.id,
                partner_account_id=partner.id,
                name=f"{name} posture review",
            )
        )
    await session.flush()
    await record(
        session,
        SEED_ACTOR,
        "demo.seeded",
        target_type="account",
        target_id=partner.id,
        account_id=partner.id,
    )


async def _describe(session: AsyncSession, created: bool) -> DemoSeed:
    accounts = {a.id: a for a in await session.scalars(select(Account))}
    users = [
        DemoUser(email=u.email, role=u.role, account=accounts[u.account_id].name)
        for u in await session.scalars(select(User).order_by(User.role, User.email))
        if accounts[u.account_id].name in (PARTNER, INTERNAL, *CLIENTS)
    ]
    engagements = [
        DemoEngagement(id=e.id, name=e.name, customer=accounts[e.customer_account_id].name)
        for e in await session.scalars(select(Engagement).order_by(Engagement.name))
        if accounts[e.customer_account_id].name in CLIENTS
    ]
    return DemoSeed(users=users, engagements=engagements, created=created)
