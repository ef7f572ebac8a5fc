"""Tables: reports, partner_branding."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from failsafe.db.base import Base, created_at, uuid_pk


class Report(Base):
    """queued -> rendering -> ready | failed."""

    __tablename__ = "reports"

    id: Mapped[uuid.UUID] = uuid_pk()
    engagement_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("engagements.id"))
    scan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("scans.id"))
    status: Mapped[str] = mapped_column(Text, server_default="queued")
    requested_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    storage_key: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(Text)
    size_bytes: Mapped[int | None]
    pages: Mapped[int | None]
    findings: Mapped[int | None]
    attempts: Mapped[int] = mapped_column(server_default="0")
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class PartnerBranding(Base):
    """A partner account's logo for report covers."""

    __tablename__ = "partner_branding"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_type: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())
