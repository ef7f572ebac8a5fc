"""``/me``: who the caller is, their password and their sessions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel, Field
from sqlalchemy import select

from failsafe.accounts import reset
from failsafe.accounts.context import AuthContext
from failsafe.accounts.models import UserSession
from failsafe.accounts.sessions import revoke_session
from failsafe.audit.service import record
from failsafe.errors import NotFound
from failsafe.web.api.schemas import ERRORS, In, OkOut
from failsafe.web.context import auth_context, client_ip
from failsafe.web.deps import CurrentPrincipal, DbSession, PendingPrincipal

router = APIRouter(prefix="/me", tags=["me"], responses=ERRORS)
Ctx = Annotated[AuthContext, Depends(auth_context)]


class MeOut(BaseModel):
    user_id: uuid.UUID
    account_id: uuid.UUID
    role: str
    via: str
    mfa_enrolled: bool
    mfa_verified: bool
    mfa_step_required: bool
    mfa_enrolment_required: bool
    csrf_token: str | None


@router.get("", response_model=MeOut)
async def me(principal: PendingPrincipal) -> MeOut:
    """The signed-in user, what authentication steps remain, and the session's CSRF token."""
    return MeOut(
        user_id=principal.actor.user_id,
        account_id=principal.actor.account_id,
        role=principal.actor.role.value,
        via=principal.via,
        mfa_enrolled=principal.mfa_enrolled,
        mfa_verified=principal.mfa_verified,
        mfa_step_required=principal.needs_mfa_step,
        mfa_enrolment_required=principal.needs_enrolment,
        csrf_token=principal.csrf_token,
    )


class PasswordChangeIn(In):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class PasswordChangeOut(BaseModel):
    other_sessions_revoked: int


@router.post("/password", response_model=PasswordChangeOut)
async def change_password(
    body: PasswordChangeIn,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    ctx: Ctx,
) -> PasswordChangeOut:
    """Change the password; every other session is signed out."""
    revoked = await reset.change_password(
        ctx,
        session,
        principal.actor,
        current=body.current_password,
        new=body.new_password,
        keep_session=principal.credential_id if principal.via == "session" else None,
        ip=client_ip(request),
    )
    return PasswordChangeOut(other_sessions_revoked=revoked)


class SessionOut(BaseModel):
    id: uuid.UUID
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ip: str | None
    user_agent: str
    current: bool


@router.get("/sessions", response_model=list[SessionOut])
async def sessions(principal: CurrentPrincipal, session: DbSession, ctx: Ctx) -> list[SessionOut]:
    """The caller's live sessions."""
    now = ctx.clock.now()
    rows = await session.scalars(
        select(UserSession)
        .where(
            UserSession.user_id == principal.actor.user_id,
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > now,
            UserSession.last_seen_at > now - ctx.policy.idle,
        )
        .order_by(UserSession.created_at.desc())
    )
    return [
        SessionOut(
            id=row.id,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            expires_at=row.expires_at,
            ip=str(row.ip) if row.ip else None,
            user_agent=row.user_agent,
            current=principal.via == "session" and row.id == principal.credential_id,
        )
        for row in rows
    ]


@router.delete("/sessions/{session_id}", response_model=OkOut, status_code=status.HTTP_200_OK)
async def revoke(
    session_id: uuid.UUID,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    ctx: Ctx,
) -> OkOut:
    """Sign out one of the caller's sessions (RLS: only their own are reachable)."""
    if not await revoke_session(session, session_id, now=ctx.clock.now(), reason="user_revoked"):
        raise NotFound("session not found")
    await record(
        session,
        principal.actor,
        "auth.session_revoked",
        target_type="session",
        target_id=session_id,
        ip=client_ip(request),
    )
    return OkOut(status="revoked")
