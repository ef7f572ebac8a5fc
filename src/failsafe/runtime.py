"""Everything a process needs, built once from the settings and passed down explicitly."""

from __future__ import annotations

from dataclasses import dataclass, field

from failsafe.db.engine import Database
from failsafe.db.urls import DatabaseTarget, resolve_target
from failsafe.logging import configure_logging
from failsafe.secrets.config import load_keyring
from failsafe.secrets.keyring import KeyRing
from failsafe.settings import Settings


@dataclass
class Runtime:
    """Settings, the database and the key ring of one process."""

    settings: Settings
    target: DatabaseTarget
    keyring: KeyRing
    database: Database = field(init=False)

    def __post_init__(self) -> None:
        self.database = Database(self.target, pool_size=self.settings.db_pool_size)

    @property
    def app_password(self) -> str | None:
        password = self.settings.app_db_password
        return password.get_secret_value() if password else None


def build_runtime(settings: Settings | None = None) -> Runtime:
    """Validate settings, configure logging, locate the database and load the keys."""
    settings = settings or Settings()
    configure_logging(settings)
    keyring = load_keyring(settings)
    target = resolve_target(settings)
    return Runtime(settings=settings, target=target, keyring=keyring)
