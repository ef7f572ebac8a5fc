"""Direct-customer sign-up, email verification and invitation acceptance.

Sign-up answers the same way whether or not the email already has an account; the owner of an
existing address gets an email saying so instead of a second account.
"""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy import update

from failsafe.accounts import emailtokens, limits, ratelimit
from failsafe.accounts.context import AuthContext
from failsafe.accounts.errors import InvalidToken
from failsafe.accounts.lookup import normalise_email, user_by_email
from failsafe.accounts.mail import send_email
from failsafe.accounts.models import Account, User
from failsafe.accounts.passwords import check_password
from failsafe.audit.service import record
from failsafe.db.actor import SystemActor
from failsafe.engagements.models import Engagement

log = structlog.get_logger(__name__)
SIGNUP_ACTOR = SystemActor("auth.signup")
VERIFY_ACTOR = SystemActor("auth.verify")


async def sign_up(
    ctx: AuthContext, *, email: str, password: str, name: str, company: str, ip: str | None
) -> None:
    """Create a customer account, its first client user and first engagement; email a link."""
    email = normalise_email(email)
    await limits.enforce(ctx, [(ratelimit.SIGNUP_IP, ip or "unknown")], ip=ip)
    check_password(password, email=email, names=(name, company))
    password_hash = ctx.passwords.hash(password)
    now = ctx.clock.now()

    async with ctx.db.transaction(SIGNUP_ACTOR) as session:
        existing = await user_by_email(session, email)
        if existing is not None:
            await send_email(
                session,
                email,
                "account_exists",
                {"link": ctx.link("/signin", "")},
                account_id=existing[0].account_id,
            )
            return
        account = Account(kind="customer", name=company)
        session.add(account)
        await session.flush()
        user = User(
            account_id=account.id,
            email=email,
            display_name=name,
            role="client",
            password_hash=password_hash,
        )
        session.add(user)
        session.add(Engagement(customer_account_id=account.id, name=f"{company} assessment"))
        await session.flush()
        token = await emailtokens.issue(session, user.id, "verify_email", now)
        await send_email(
            session,
            email,
            "verify_email",
            {"link": ctx.link("/verify", token), "hours": 48},
            account_id=account.id,
        )
        await record(
            session,
            SIGNUP_ACTOR,
            "account.signed_up",
            account_id=account.id,
            target_type="account",
            target_id=account.id,
            ip=ip,
        )
    log.info("account.signed_up", account_id=str(account.id), user_id=str(user.id))


async def verify_email(ctx: AuthContext, token: str, *, ip: str | None) -> uuid.UUID:
    """Spend a verification token and mark the email verified."""
    await limits.enforce(ctx, [(ratelimit.VERIFY_IP, ip or "unknown")], ip=ip)
    now = ctx.clock.now()
    async with ctx.db.transaction(VERIFY_ACTOR) as session:
        user_id = await emailtokens.consume(session, token, "verify_email", now)
        if user_id is None:
            raise InvalidToken("this link is invalid or has expired")
        await session.execute(
            update(User)
            .where(User.id == user_id, User.email_verified_at.is_(None))
            .values(email_verified_at=now)
        )
        await record(
            session,
            VERIFY_ACTOR,
            "user.email_verified",
            target_type="user",
            target_id=user_id,
            ip=ip,
        )
    return user_id


async def resend_verification(ctx: AuthContext, email: str, *, ip: str | None) -> None:
    """Send a fresh verification link if the address is waiting for one; silent otherwise."""
    email = normalise_email(email)
    await limits.enforce(
        ctx, [(ratelimit.VERIFY_ACCOUNT, email), (ratelimit.VERIFY_IP, ip or "unknown")], ip=ip
    )
    now = ctx.clock.now()
    async with ctx.db.transaction(VERIFY_ACTOR) as session:
        found = await user_by_email(session, email)
        if found is None or found[0].email_verified_at is not None:
            return
        token = await emailtokens.issue(session, found[0].id, "verify_email", now)
        await send_email(
            session,
            email,
            "verify_email",
            {"link": ctx.link("/verify", token), "hours": 48},
            account_id=found[0].account_id,
        )


async def accept_invitation(
    ctx: AuthContext, token: str, *, password: str, name: str | None, ip: str | None
) -> uuid.UUID:
    """Set the invited user's password (and name); the email counts as verified."""
    await limits.enforce(ctx, [(ratelimit.VERIFY_IP, ip or "unknown")], ip=ip)
    now = ctx.clock.now()
    async with ctx.db.transaction(VERIFY_ACTOR) as session:
        user_id = await emailtokens.peek(session, token, "invite", now)
        user = await session.get(User, user_id) if user_id else None
        if user is None:
            raise InvalidToken("this invitation is invalid or has expired")
        check_password(password, email=user.email, names=(name or user.display_name,))
        if await emailtokens.consume(session, token, "invite", now) is None:
            raise InvalidToken("this invitation is invalid or has expired")
        user.password_hash = ctx.passwords.hash(password)
        user.email_verified_at = user.email_verified_at or now
        if name:
            user.display_name = name
        await record(
            session,
            VERIFY_ACTOR,
            "user.invitation_accepted",
            account_id=user.account_id,
            target_type="user",
            target_id=user.id,
            ip=ip,
        )
    return user.id
