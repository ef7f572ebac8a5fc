"""What the auth services need from the process: database, keys, settings, clock, hasher."""

from __future__ import annotations

from dataclasses import dataclass

from failsafe.accounts.clock import Clock
from failsafe.accounts.passwords import PasswordService
from failsafe.accounts.sessions import SessionPolicy
from failsafe.db.engine import Database
from failsafe.runtime import Runtime
from failsafe.secrets.keyring import KeyRing
from failsafe.settings import Settings


@dataclass(frozen=True)
class AuthContext:
    db: Database
    keyring: KeyRing
    settings: Settings
    clock: Clock
    passwords: PasswordService
    policy: SessionPolicy

    @classmethod
    def of(cls, runtime: Runtime, clock: Clock) -> AuthContext:
        return cls(
            db=runtime.database,
            keyring=runtime.keyring,
            settings=runtime.settings,
            clock=clock,
            passwords=PasswordService.from_settings(runtime.settings),
            policy=SessionPolicy.from_settings(runtime.settings),
        )

    def link(self, path: str, token: str) -> str:
        """An absolute link for an email (the token travels in the fragment-free query)."""
        return f"{self.settings.public_base_url.rstrip('/')}{path}?token={token}"
