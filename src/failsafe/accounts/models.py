"""Tables: accounts and users."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from failsafe.db.base import Base, created_at, uuid_pk


class Account(Base):
    """A direct customer, a channel partner (MSP) or FailSafe's own staff account."""

    __tablename__ = "accounts"

    id: Mapped[uuid.UUID] = uuid_pk()
    kind: Mapped[str] = mapped_column(Text)  # customer | partner | internal
    name: Mapped[str] = mapped_column(Text)
    managed_by_account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    status: Mapped[str] = mapped_column(Text, server_default="active")
    deleted_at: Mapped[datetime | None]
    terminated_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at()


class User(Base):
    """A person who signs in; exactly one role."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = uuid_pk()
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    email: Mapped[str] = mapped_column(Text)
    display_name: Mapped[str] = mapped_column(Text, server_default="")
    role: Mapped[str] = mapped_column(Text)  # client | partner | admin
    status: Mapped[str] = mapped_column(Text, server_default="active")
    password_hash: Mapped[str | None] = mapped_column(Text)
    email_verified_at: Mapped[datetime | None]
    last_sign_in_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at()
