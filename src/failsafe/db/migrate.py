"""Run Alembic programmatically; the migrations ship inside the package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from failsafe.db.roles import bootstrap_roles
from failsafe.db.urls import DatabaseTarget

_MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(target: DatabaseTarget) -> Config:
    """An Alembic config pointing at the packaged migrations and the bootstrap URL."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["bootstrap_url"] = target.bootstrap_url
    return config


def upgrade(target: DatabaseTarget, app_password: str | None, revision: str = "head") -> None:
    """Create the roles if needed, then migrate to ``revision``."""
    bootstrap_roles(target.bootstrap_url, app_password)
    command.upgrade(alembic_config(target), revision)


def downgrade(target: DatabaseTarget, revision: str) -> None:
    """Migrate down to ``revision`` (``base`` removes everything)."""
    command.downgrade(alembic_config(target), revision)
