"""Table: engagements."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from failsafe.db.base import Base, created_at, uuid_pk


class Engagement(Base):
    """One customer's assessment, optionally managed by a partner."""

    __tablename__ = "engagements"

    id: Mapped[uuid.UUID] = uuid_pk()
    customer_account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    partner_account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    name: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, server_default="active")  # active | completed
    scan_interval_days: Mapped[int] = mapped_column(server_default="7")
    completed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at()
