"""``/engagements``: the unit of access. Every ``{engagement_id}`` route starts with
``VisibleEngagement``, the one access check (404 for what the caller may not see)."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Request, status
from pydantic import BaseModel, Field

from failsafe.accounts import service
from failsafe.audit.service import record
from failsafe.db.actor import Role
from failsafe.engagements.models import Engagement
from failsafe.engagements.settings import get_settings, save_settings, validated
from failsafe.web.api.schemas import ERRORS, In
from failsafe.web.context import client_ip
from failsafe.web.deps import CurrentActor, DbSession, VisibleEngagement

router = APIRouter(prefix="/engagements", tags=["engagements"], responses=ERRORS)


class EngagementOut(BaseModel):
    id: uuid.UUID
    customer_account_id: uuid.UUID
    partner_account_id: uuid.UUID | None
    name: str
    status: str
    scan_interval_days: int
    created_at: datetime
    completed_at: datetime | None

    @classmethod
    def of(cls, row: Engagement) -> EngagementOut:
        return cls(
            id=row.id,
            customer_account_id=row.customer_account_id,
            partner_account_id=row.partner_account_id,
            name=row.name,
            status=row.status,
            scan_interval_days=row.scan_interval_days,
            created_at=row.created_at,
            completed_at=row.completed_at,
        )


class EngagementIn(In):
    customer_account_id: uuid.UUID
    name: str = Field(min_length=1, max_length=200)


@router.get("", response_model=list[EngagementOut])
async def list_engagements(
    request: Request, actor: CurrentActor, session: DbSession
) -> list[EngagementOut]:
    """Engagements the caller may see."""
    rows = await service.list_engagements(session)
    if actor.role is Role.ADMIN:
        await record(
            session,
            actor,
            "admin.engagement_read",
            target_type="engagement_list",
            ip=client_ip(request),
            details={"count": len(rows)},
        )
    return [EngagementOut.of(row) for row in rows]


@router.post("", response_model=EngagementOut, status_code=status.HTTP_201_CREATED)
async def create_engagement(
    body: EngagementIn, request: Request, actor: CurrentActor, session: DbSession
) -> EngagementOut:
    """A new engagement for a customer account the caller manages."""
    engagement = await service.create_engagement(
        session,
        actor,
        customer_account_id=body.customer_account_id,
        name=body.name,
        ip=client_ip(request),
    )
    return EngagementOut.of(engagement)


@router.get("/{engagement_id}", response_model=EngagementOut)
async def get_engagement(engagement: VisibleEngagement) -> EngagementOut:
    """One engagement."""
    return EngagementOut.of(engagement)


class SettingsBody(In):
    sanctioned: list[str] = Field(
        default_factory=list,
        max_length=1000,
        description="Vendor ids, vendor domains and app ids the customer has approved.",
    )
    sku_prices: dict[str, float] = Field(
        default_factory=dict,
        description="SKU id or part number -> price per user-month the customer pays.",
    )


@router.get("/{engagement_id}/settings", response_model=SettingsBody)
async def read_settings(engagement: VisibleEngagement, session: DbSession) -> SettingsBody:
    """Sanctioned vendors and apps, and negotiated licence prices."""
    current = await get_settings(session, engagement.id)
    return SettingsBody(sanctioned=list(current.sanctioned), sku_prices=current.sku_prices)


@router.put("/{engagement_id}/settings", response_model=SettingsBody)
async def replace_settings(
    body: SettingsBody,
    request: Request,
    engagement: VisibleEngagement,
    actor: CurrentActor,
    session: DbSession,
) -> SettingsBody:
    """Replace the settings; the next scan and every later report use them."""
    saved = await save_settings(
        session,
        actor,
        engagement.id,
        validated(body.sanctioned, body.sku_prices),
        ip=client_ip(request),
    )
    return SettingsBody(sanctioned=list(saved.sanctioned), sku_prices=saved.sku_prices)
