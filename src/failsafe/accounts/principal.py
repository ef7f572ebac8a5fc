"""Who made a request: a session or an API token standing for one user."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from failsafe.db.actor import Role, UserActor

# Roles that must have MFA enrolled before they may use anything else.
MFA_MANDATORY = frozenset({Role.PARTNER, Role.ADMIN})


@dataclass(frozen=True)
class Principal:
    """The authenticated caller and how far it has authenticated."""

    actor: UserActor
    via: Literal["session", "token"]
    credential_id: uuid.UUID
    mfa_enrolled: bool
    mfa_verified: bool
    scope: Literal["read", "write"] = "write"
    csrf_token: str | None = None

    @property
    def needs_mfa_step(self) -> bool:
        """Signed in with a password but the second factor is still owed."""
        return self.via == "session" and self.mfa_enrolled and not self.mfa_verified

    @property
    def needs_enrolment(self) -> bool:
        """A partner or admin without MFA: only enrolment is open to them."""
        return not self.mfa_enrolled and self.actor.role in MFA_MANDATORY

    @property
    def fully_authenticated(self) -> bool:
        return not self.needs_mfa_step and not self.needs_enrolment
