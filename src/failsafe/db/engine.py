"""Engines for the app role, created lazily per process (never at import time)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
import structlog
from sqlalchemy import Engine, NullPool, create_engine
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from failsafe.db.actor import Actor, actor_settings
from failsafe.db.urls import SCHEMA, DatabaseTarget

# In the driver's own placeholders: the actor is bound on the driver connection (see set_actor).
_SET_ACTOR = (
    "SELECT set_config('failsafe.role', %(role)s, true),"
    " set_config('failsafe.user_id', %(user_id)s, true),"
    " set_config('failsafe.account_id', %(account_id)s, true),"
    " set_config('failsafe.engagement_id', %(engagement_id)s, true),"
    " set_config('failsafe.actor', %(actor)s, true),"
    " set_config('role', %(database_role)s, true)"
)


SEARCH_PATH_OPTION = f"-c search_path={SCHEMA}"

log = structlog.get_logger(__name__)


def connect_sync(url: str, **kwargs: Any) -> psycopg.Connection[Any]:
    """A psycopg connection with FailSafe's search path."""
    return psycopg.connect(url, options=SEARCH_PATH_OPTION, **kwargs)


def make_sync_engine(url: str) -> Engine:
    """A synchronous engine without pooling (migrations, one-off commands)."""
    return create_engine(
        "postgresql+psycopg://", creator=lambda: connect_sync(url), poolclass=NullPool
    )


def make_engine(
    url: str, *, pool_size: int = 10, max_overflow: int | None = None, pool_timeout: float = 30.0
) -> AsyncEngine:
    """An async SQLAlchemy engine over psycopg 3 for a libpq URL (overflow: ``pool_size`` more
    connections unless given)."""

    async def connect() -> psycopg.AsyncConnection[Any]:
        return await psycopg.AsyncConnection.connect(url, options=SEARCH_PATH_OPTION)

    # No pre-ping (a round trip before every transaction, ~0.3 ms of CPU per request): a pooled
    # connection the server dropped is found by the transaction's first statement instead, and
    # Database.transaction retries on a fresh one (see there).
    return create_async_engine(
        "postgresql+psycopg://",
        async_creator=connect,
        pool_size=pool_size,
        max_overflow=pool_size if max_overflow is None else max_overflow,
        pool_timeout=pool_timeout,
    )


class Database:
    """The app role's engine and the one way to open a transaction: as an actor."""

    def __init__(
        self,
        target: DatabaseTarget,
        *,
        pool_size: int = 10,
        max_overflow: int | None = None,
        pool_timeout: float = 30.0,
    ) -> None:
        self.target = target
        self._pool_size, self._max_overflow = pool_size, max_overflow
        self._pool_timeout = pool_timeout
        self._engine: AsyncEngine | None = None
        self._sessions: async_sessionmaker[AsyncSession] | None = None

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            self._engine = make_engine(
                self.target.app_url,
                pool_size=self._pool_size,
                max_overflow=self._max_overflow,
                pool_timeout=self._pool_timeout,
            )
        return self._engine

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        if self._sessions is None:
            self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        return self._sessions

    @asynccontextmanager
    async def transaction(self, actor: Actor) -> AsyncIterator[AsyncSession]:
        """One transaction as ``actor``: committed on success, rolled back on error."""
        session = await self._bound_session(actor)
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
        finally:
            await session.close()

    async def _bound_session(self, actor: Actor) -> AsyncSession:
        """A session whose transaction has begun as ``actor``.

        The transaction's BEGIN and the actor's binding leave in one pipeline: one round trip
        where psycopg would make two (on loopback that saves no CPU, measured; across a real
        network it saves a round trip of latency per transaction).

        Binding is the first statement on the pooled connection: if the server dropped that
        connection while it idled (a restart, a failover, an idle timeout), nothing has run yet,
        so it is safe to start again. A restart leaves every pooled connection dead, so the
        retry starts a fresh pool rather than meet the next dead one.
        """
        for attempt in range(2):
            session = self.sessions()
            driver: psycopg.AsyncConnection[Any] | None = None
            try:
                driver = await driver_connection(session)
                async with driver.pipeline():
                    await _bind(driver, actor)
            except psycopg.OperationalError:
                dropped = driver is not None and driver.broken
                if dropped:
                    await (await session.connection()).invalidate()
                await session.close()
                if attempt or not dropped:
                    raise
                log.warning("db.connection_dropped_retrying")
                await self.engine.dispose()  # closes the idle ones; checked-out ones finish
                continue
            except BaseException:
                await session.close()
                raise
            return session
        raise AssertionError("unreachable: the second attempt returns or raises")

    async def dispose(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None
            self._sessions = None


async def driver_connection(session: AsyncSession) -> psycopg.AsyncConnection[Any]:
    """The psycopg connection under the session's transaction (checked out from the pool)."""
    connection = await (await session.connection()).get_raw_connection()
    driver = connection.driver_connection
    assert isinstance(driver, psycopg.AsyncConnection)  # make_engine connects with psycopg
    return driver


async def set_actor(session: AsyncSession, actor: Actor) -> None:
    """Bind ``actor`` to the session's current transaction (transaction-local settings)."""
    await _bind(await driver_connection(session), actor)


async def _bind(driver: psycopg.AsyncConnection[Any], actor: Actor) -> None:
    # Straight on the driver: SQLAlchemy would only add its statement bookkeeping, and the
    # first binding of a transaction shares a pipeline with the BEGIN (Database._bound_session).
    settings = actor_settings(actor)
    await driver.execute(
        _SET_ACTOR,
        {
            "role": settings["failsafe.role"],
            "user_id": settings["failsafe.user_id"],
            "account_id": settings["failsafe.account_id"],
            "engagement_id": settings["failsafe.engagement_id"],
            "actor": settings["failsafe.actor"],
            "database_role": settings["role"],
        },
    )
