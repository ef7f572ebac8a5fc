"""Alembic environment: connect with the bootstrap URL, then act as the owner role."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from failsafe.db.engine import make_sync_engine
from failsafe.db.urls import OWNER_ROLE, SCHEMA


def run_migrations_online() -> None:
    url = context.config.attributes["bootstrap_url"]
    engine = make_sync_engine(url)
    with engine.connect() as connection:
        connection.execute(text(f"SET ROLE {OWNER_ROLE}"))
        connection.execute(text(f"SET search_path = {SCHEMA}"))
        connection.execute(text("SET lock_timeout = '10s'"))
        connection.commit()
        context.configure(
            connection=connection,
            version_table_schema=SCHEMA,
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
