"""Table: connections."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from failsafe.db.base import Base, created_at, uuid_pk


class Connection(Base):
    """A Microsoft 365 or Google Workspace tenant connected read-only to an engagement."""

    __tablename__ = "connections"

    id: Mapped[uuid.UUID] = uuid_pk()
    engagement_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("engagements.id"))
    provider: Mapped[str] = mapped_column(Text)  # microsoft | google
    tenant_ref: Mapped[str] = mapped_column(Text)
    display_name: Mapped[str] = mapped_column(Text, server_default="")
    status: Mapped[str] = mapped_column(Text, server_default="pending")
    # Sealed with failsafe.secrets (associated data: CONNECTION_CREDENTIALS); never plaintext.
    sealed_credentials: Mapped[str | None] = mapped_column(Text)
    options: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())
    revoked_at: Mapped[datetime | None]
    last_scan_at: Mapped[datetime | None]
