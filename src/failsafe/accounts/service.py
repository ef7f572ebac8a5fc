"""Managing accounts, users and engagements as a signed-in actor (RLS applies throughout).

- Partners create client accounts they manage, engagements for those clients, and invite the
  clients' users; clients invite colleagues to their own account; admins create partner and
  customer accounts. Admin users are created only by ``failsafe admin create``.
- :func:`set_demo_password` gives a seeded demo user a fresh random password to print.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.accounts import emailtokens
from failsafe.accounts.elevate import elevated
from failsafe.accounts.lookup import normalise_email
from failsafe.accounts.mail import send_email
from failsafe.accounts.models import Account, User
from failsafe.accounts.passwords import PasswordService, check_password
from failsafe.audit.service import record
from failsafe.db.actor import Actor, Role, UserActor
from failsafe.engagements.models import Engagement
from failsafe.errors import Conflict, Forbidden, NotFound
from failsafe.settings import get_settings

ROLE_OF_KIND = {"customer": "client", "partner": "partner"}


async def visible_account(session: AsyncSession, account_id: uuid.UUID) -> Account:
    account = await session.get(Account, account_id)
    if account is None:
        raise NotFound("account not found")
    return account


async def list_accounts(session: AsyncSession) -> list[Account]:
    """Every account the actor's RLS lets it see."""
    return list(await session.scalars(select(Account).order_by(Account.name, Account.id)))


async def create_account(
    session: AsyncSession, actor: UserActor, *, name: str, kind: str, ip: str | None
) -> Account:
    """Partners create customer accounts they manage; admins create customers and partners."""
    if actor.role is Role.PARTNER and kind == "customer":
        account = Account(kind="customer", name=name, managed_by_account_id=actor.account_id)
    elif actor.role is Role.ADMIN and kind in ("customer", "partner"):
        account = Account(kind=kind, name=name)
    else:
        raise Forbidden("you may not create this kind of account")
    session.add(account)
    await session.flush()
    await record(
        session,
        actor,
        "account.created",
        account_id=account.id,
        target_type="account",
        target_id=account.id,
        ip=ip,
        details={"kind": kind},
    )
    return account


def _may_manage_users(actor: UserActor, account: Account) -> bool:
    if account.kind == "internal" or account.status != "active":
        return False
    if actor.role is Role.ADMIN or account.id == actor.account_id:
        return True
    return actor.role is Role.PARTNER and account.managed_by_account_id == actor.account_id


async def list_users(session: AsyncSession, account: Account) -> list[User]:
    return list(
        await session.scalars(
            select(User).where(User.account_id == account.id).order_by(User.email, User.id)
        )
    )


async def invite_user(
    session: AsyncSession,
    actor: UserActor,
    account: Account,
    *,
    email: str,
    name: str,
    link_base: str,
    now: datetime,
    ip: str | None,
) -> User:
    """Create a user without a password and email them an invitation link."""
    if not _may_manage_users(actor, account):
        raise Forbidden("you may not add users to this account")
    email = normalise_email(email)
    async with elevated(session, actor, "accounts.invite"):
        # The uniqueness check must see every user, not only the actor's tenants.
        taken = await session.scalar(select(User.id).where(User.email == email))
    if taken is not None:
        raise Conflict("a user with this email already exists")
    user = User(
        account_id=account.id, email=email, display_name=name, role=ROLE_OF_KIND[account.kind]
    )
    session.add(user)
    await session.flush()
    async with elevated(session, actor, "accounts.invite"):
        token = await emailtokens.issue(session, user.id, "invite", now)
        await send_email(
            session,
            email,
            "invite",
            {"link": f"{link_base}/invitation?token={token}", "days": 7, "inviter": "Your team"},
            account_id=account.id,
        )
    await record(
        session,
        actor,
        "user.invited",
        account_id=account.id,
        target_type="user",
        target_id=user.id,
        ip=ip,
    )
    return user


async def list_engagements(session: AsyncSession) -> list[Engagement]:
    return list(
        await session.scalars(select(Engagement).order_by(Engagement.created_at, Engagement.id))
    )


async def create_engagement(
    session: AsyncSession,
    actor: UserActor,
    *,
    customer_account_id: uuid.UUID,
    name: str,
    ip: str | None,
) -> Engagement:
    """A new engagement for a customer account the actor manages (or owns, or any: admin)."""
    account = await visible_account(session, customer_account_id)
    if account.kind != "customer" or account.status != "active":
        raise Forbidden("engagements belong to active customer accounts")
    if actor.role is Role.PARTNER:
        if account.managed_by_account_id != actor.account_id:
            raise Forbidden("you do not manage this account")
        partner_id: uuid.UUID | None = actor.account_id
    elif actor.role is Role.CLIENT:
        if account.id != actor.account_id:
            raise Forbidden("you may only create engagements for your own account")
        partner_id = account.managed_by_account_id
    else:
        partner_id = account.managed_by_account_id
    engagement = Engagement(
        customer_account_id=account.id, partner_account_id=partner_id, name=name
    )
    session.add(engagement)
    await session.flush()
    await record(
        session,
        actor,
        "engagement.created",
        engagement_id=engagement.id,
        target_type="engagement",
        target_id=engagement.id,
        ip=ip,
    )
    return engagement


def generate_password() -> str:
    """A random 20-character password (about 119 bits), never on any list."""
    alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(20))


async def set_demo_password(
    session: AsyncSession, email: str, *, passwords: PasswordService | None = None
) -> str:
    """Give a (seeded, system-actor) user a fresh random password, verified email; return it."""
    user = await session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound("no such user")
    hasher = passwords or PasswordService.from_settings(get_settings())
    password = generate_password()
    user.password_hash = hasher.hash(password)
    user.email_verified_at = user.email_verified_at or datetime.now().astimezone()
    await session.flush()
    return password


STAFF_ACCOUNT = "FailSafe Staff"


async def create_admin(
    session: AsyncSession,
    actor: Actor,
    *,
    email: str,
    name: str,
    password: str,
    passwords: PasswordService,
) -> User:
    """Create an admin user in the internal staff account (a system-actor session)."""
    email = normalise_email(email)
    check_password(password, email=email, names=(name,))
    if await session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict("a user with this email already exists")
    staff = await session.scalar(select(Account).where(Account.kind == "internal").limit(1))
    if staff is None:
        staff = Account(kind="internal", name=STAFF_ACCOUNT)
        session.add(staff)
        await session.flush()
    user = User(
        account_id=staff.id,
        email=email,
        display_name=name,
        role="admin",
        password_hash=passwords.hash(password),
        email_verified_at=datetime.now().astimezone(),
    )
    session.add(user)
    await session.flush()
    await record(
        session, actor, "admin.created", account_id=staff.id, target_type="user", target_id=user.id
    )
    return user
