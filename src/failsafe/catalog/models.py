"""Validated catalog records (pydantic): vendors, scopes, SKUs, controls, categories."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from failsafe.detections.model import Framework

Risk = Literal["H", "M", "L"]
Tier = Literal["critical", "high", "medium", "low"]
TIER_RANK: dict[str, int] = {"critical": 3, "high": 2, "medium": 1, "low": 0}

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_DOMAIN = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")
_GUID = re.compile(r"^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Category(_Frozen):
    id: str = Field(pattern=r"^[a-z_]+$")
    label: str
    description: str


class Vendor(_Frozen):
    """One SaaS vendor; ``id`` is the slug findings use as their subject."""

    id: str
    name: str
    domains: tuple[str, ...] = Field(min_length=1)
    mail_domains: tuple[str, ...] = ()
    category: str
    risk: Risk
    publishers: tuple[str, ...] = ()
    notes: str
    sso: bool = False  # an identity provider: sign-ins through it count as SSO

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError(f"vendor id {value!r} is not a slug")
        return value

    @field_validator("domains", "mail_domains")
    @classmethod
    def _domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for domain in value:
            if not _DOMAIN.match(domain):
                raise ValueError(f"{domain!r} is not a lower-case domain")
        return value


class Scope(_Frozen):
    """An OAuth scope or Graph permission with its base risk tier per grant kind."""

    provider: Literal["microsoft", "google"]
    name: str
    delegated_id: str | None = None
    application_id: str | None = None
    delegated_tier: Tier | None = None
    application_tier: Tier | None = None
    reason: str

    @field_validator("delegated_id", "application_id")
    @classmethod
    def _guid(cls, value: str | None) -> str | None:
        if value is not None and not _GUID.match(value):
            raise ValueError(f"{value!r} is not a GUID")
        return value


class Sku(_Frozen):
    """A license SKU with its list price (US$ per user-month; 0 for free SKUs)."""

    provider: Literal["microsoft", "google"]
    sku_id: str
    part_number: str
    name: str
    price: float = Field(ge=0)
    productivity: bool  # a mail/office suite (ID-015: not for dedicated admin accounts)
    includes: tuple[str, ...] = ()  # part numbers this SKU makes redundant

    @property
    def free(self) -> bool:
        return self.price == 0


class Control(_Frozen):
    framework: Framework
    id: str
    title: str
