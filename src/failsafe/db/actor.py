"""Who is acting: the principal every transaction runs as.

The actor always comes from the authenticated principal (or names a background job), never from
a request body. It reaches PostgreSQL as transaction-local settings that the row-level security
policies read; an unset actor sees nothing.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass

from failsafe.db.urls import APP_ALL_ROLE, APP_CLIENT_ROLE, APP_JOB_ROLE, APP_PARTNER_ROLE


class Role(enum.StrEnum):
    """A user's one role."""

    CLIENT = "client"
    PARTNER = "partner"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class UserActor:
    """A signed-in user (or a personal API token standing for one)."""

    user_id: uuid.UUID
    account_id: uuid.UUID
    role: Role

    @property
    def role_name(self) -> str:
        return self.role.value

    @property
    def label(self) -> str:
        return f"user:{self.user_id}"


@dataclass(frozen=True, slots=True)
class SystemActor:
    """A background job. Scoped to one engagement when ``engagement_id`` is given."""

    name: str
    engagement_id: uuid.UUID | None = None

    @property
    def role_name(self) -> str:
        return "system"

    @property
    def label(self) -> str:
        return f"system:{self.name}"


Actor = UserActor | SystemActor


def sees_all(actor: Actor) -> bool:
    """Admins and background jobs not scoped to one engagement see every engagement."""
    if isinstance(actor, UserActor):
        return actor.role is Role.ADMIN
    return actor.engagement_id is None


def actor_settings(actor: Actor) -> dict[str, str]:
    """The ``failsafe.*`` settings the RLS policies read for this actor, and the database role
    its transaction runs as (``role``: the policies differ by role, see ``failsafe.db.rls``)."""
    if isinstance(actor, UserActor):
        return {
            "failsafe.role": actor.role.value,
            "failsafe.user_id": str(actor.user_id),
            "failsafe.account_id": str(actor.account_id),
            "failsafe.engagement_id": "",
            "failsafe.actor": actor.label,
            "role": database_role(actor),
        }
    return {
        "failsafe.role": "system",
        "failsafe.user_id": "",
        "failsafe.account_id": "",
        "failsafe.engagement_id": str(actor.engagement_id) if actor.engagement_id else "",
        "failsafe.actor": actor.label,
        "role": database_role(actor),
    }


_USER_ROLES = {
    Role.ADMIN: APP_ALL_ROLE,
    Role.CLIENT: APP_CLIENT_ROLE,
    Role.PARTNER: APP_PARTNER_ROLE,
}


def database_role(actor: Actor) -> str:
    """The role the actor's transactions run as: each kind of actor has its own policies."""
    if isinstance(actor, UserActor):
        return _USER_ROLES[actor.role]
    return APP_ALL_ROLE if sees_all(actor) else APP_JOB_ROLE
