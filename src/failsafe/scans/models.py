"""Table: scans."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from failsafe.db.base import Base, uuid_pk


class Scan(Base):
    """queued -> running -> succeeded | partial | failed."""

    __tablename__ = "scans"

    id: Mapped[uuid.UUID] = uuid_pk()
    engagement_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("engagements.id"))
    connection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("connections.id"))
    status: Mapped[str] = mapped_column(Text, server_default="queued")
    trigger: Mapped[str] = mapped_column(Text, server_default="manual")
    progress: Mapped[int] = mapped_column(server_default="0")
    progress_detail: Mapped[str] = mapped_column(Text, server_default="")
    # [{"name": "users", "status": "collected" | "not_assessed", "reason": "..."}]
    sections: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    error: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[uuid.UUID | None]
    queued_at: Mapped[datetime] = mapped_column(server_default=func.now())
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
