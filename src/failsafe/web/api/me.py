"""``/me``: who the caller is."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import BaseModel

from failsafe.web.api.schemas import ERRORS
from failsafe.web.deps import PendingPrincipal

router = APIRouter(tags=["me"], responses=ERRORS)


class MeOut(BaseModel):
    user_id: uuid.UUID
    account_id: uuid.UUID
    role: str
    via: str
    mfa_enrolled: bool
    mfa_verified: bool
    mfa_step_required: bool
    mfa_enrolment_required: bool


@router.get("/me", response_model=MeOut)
async def me(principal: PendingPrincipal) -> MeOut:
    """The signed-in user and what authentication steps remain."""
    return MeOut(
        user_id=principal.actor.user_id,
        account_id=principal.actor.account_id,
        role=principal.actor.role.value,
        via=principal.via,
        mfa_enrolled=principal.mfa_enrolled,
        mfa_verified=principal.mfa_verified,
        mfa_step_required=principal.needs_mfa_step,
        mfa_enrolment_required=principal.needs_enrolment,
    )
