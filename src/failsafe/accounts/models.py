"""Tables: accounts, users, and their credentials (sessions, MFA, API and email tokens)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, LargeBinary, Text
from sqlalchemy.dialects.postgresql import INET
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


class UserSession(Base):
    """A signed-in browser: only the SHA-256 of its cookie token is stored."""

    __tablename__ = "sessions"

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    token_hash: Mapped[bytes] = mapped_column(LargeBinary)
    mfa_verified: Mapped[bool] = mapped_column(server_default="false")
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(INET)
    user_agent: Mapped[str] = mapped_column(Text, server_default="")


class TotpFactor(Base):
    """A user's TOTP secret, sealed with the key ring; usable once ``confirmed_at`` is set."""

    __tablename__ = "mfa_totp"

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    # Sealed with failsafe.secrets (associated data: accounts.mfa.TOTP_SECRET); never plaintext.
    sealed_secret: Mapped[str] = mapped_column(Text)
    confirmed_at: Mapped[datetime | None]
    # The last accepted 30-second step: a code is accepted once, never replayed.
    last_used_step: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]


class RecoveryCode(Base):
    """One single-use MFA recovery code, stored as SHA-256 (codes carry 80 random bits)."""

    __tablename__ = "mfa_recovery_codes"

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    code_hash: Mapped[bytes] = mapped_column(LargeBinary)
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class ApiToken(Base):
    """A personal API token (``fs_...``), scoped read or write, hashed at rest."""

    __tablename__ = "api_tokens"

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(Text)
    prefix: Mapped[str] = mapped_column(Text)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary)
    scope: Mapped[str] = mapped_column(Text)  # read | write
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class EmailToken(Base):
    """A single-use emailed token: email verification, password reset or invitation."""

    __tablename__ = "email_tokens"

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    purpose: Mapped[str] = mapped_column(Text)  # verify_email | reset_password | invite
    token_hash: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
