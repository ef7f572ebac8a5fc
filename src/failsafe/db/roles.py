"""The database roles: an owner that migrations use, an app role that owns nothing, and the
roles the app switches to per transaction.

``failsafe_owner`` (NOLOGIN) owns every table, function and trigger; migrations run after
``SET ROLE failsafe_owner``. ``failsafe_app`` logs in for ``serve`` and ``worker``: it is not a
superuser, has no BYPASSRLS, owns nothing and only holds the privileges the migrations grant.
``failsafe_app_all`` (NOLOGIN) is the same again for actors that see every engagement (admins,
unscoped jobs), and ``failsafe_app_client``, ``failsafe_app_partner`` and ``failsafe_app_job``
for the scoped kinds of actor: the app switches to one of them per transaction, and the
engagement-scoped tables give each a policy of its own, so an actor's queries carry only the
test that fits it. The app role is a NOINHERIT member of each: allowed to switch, never holding
their policies.
Its password is never written into SQL text: a SCRAM verifier is computed here and sent instead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import structlog
from psycopg import sql

from failsafe.db.urls import APP_ROLE, OWNER_ROLE, SCHEMA, SWITCH_ROLES
from failsafe.errors import ConfigurationError

log = structlog.get_logger(__name__)

MIN_SERVER_VERSION = 160000  # as psycopg's ConnectionInfo.server_version reports it

_SCRAM_ITERATIONS = 4096
_BOOTSTRAP_LOCK = 7_201_446_001


def scram_verifier(password: str, *, salt: bytes | None = None) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for ``password`` (RFC 5802, RFC 7677)."""
    salt = salt or secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, _SCRAM_ITERATIONS)
    client_key = hmac.digest(salted, b"Client Key", "sha256")
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.digest(salted, b"Server Key", "sha256")

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode()

    return f"SCRAM-SHA-256${_SCRAM_ITERATIONS}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def bootstrap_roles(bootstrap_url: str, app_password: str | None) -> None:
    """Create the roles and the schema if missing; idempotent and safe to run concurrently."""
    with _bootstrapping(bootstrap_url) as conn:
        _create_roles(conn)
        if app_password is not None:
            _set_app_password(conn, app_password)
        _create_schema(conn)
    log.info("db.roles_ready", owner=OWNER_ROLE, app=APP_ROLE)


def ensure_roles(bootstrap_url: str) -> None:
    """Create the roles if missing, nothing else: a restore into a new cluster needs them to
    exist before the dump's grants are replayed (the dump creates the schema itself)."""
    with _bootstrapping(bootstrap_url) as conn:
        _create_roles(conn)


@contextmanager
def _bootstrapping(bootstrap_url: str) -> Iterator[psycopg.Connection[Any]]:
    """A connection to a supported server holding the bootstrap lock (one bootstrap at a time)."""
    with psycopg.connect(bootstrap_url, autocommit=True) as conn:
        _require_server_version(conn)
        conn.execute("SELECT pg_advisory_lock(%s)", (_BOOTSTRAP_LOCK,))
        try:
            yield conn
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_BOOTSTRAP_LOCK,))


def _require_server_version(conn: psycopg.Connection) -> None:
    # GRANT ... WITH INHERIT FALSE, SET TRUE (the switch roles' membership) is PostgreSQL 16+.
    if conn.info.server_version < MIN_SERVER_VERSION:
        found = f"{conn.info.server_version // 10000}"
        raise ConfigurationError(
            f"FailSafe needs PostgreSQL 16 or later; the server at DATABASE_URL is {found}"
        )


def _role_exists(conn: psycopg.Connection, name: str) -> bool:
    row = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
    return row is not None


def _create_roles(conn: psycopg.Connection) -> None:
    if not _role_exists(conn, OWNER_ROLE):
        conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(OWNER_ROLE)))
    if not _role_exists(conn, APP_ROLE):
        conn.execute(
            sql.SQL(
                "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT"
            ).format(sql.Identifier(APP_ROLE))
        )
    for role in SWITCH_ROLES:
        if not _role_exists(conn, role):
            conn.execute(
                sql.SQL(
                    "CREATE ROLE {} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS"
                    " NOINHERIT"
                ).format(sql.Identifier(role))
            )
        conn.execute(
            sql.SQL("GRANT {} TO {} WITH INHERIT FALSE, SET TRUE").format(
                sql.Identifier(role), sql.Identifier(APP_ROLE)
            )
        )
    is_superuser = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    row = is_superuser.fetchone()
    if row is not None and not row[0]:
        # A managed database's admin user needs membership to SET ROLE to the owner.
        conn.execute(sql.SQL("GRANT {} TO current_user").format(sql.Identifier(OWNER_ROLE)))


def _set_app_password(conn: psycopg.Connection, password: str) -> None:
    conn.execute(
        sql.SQL("ALTER ROLE {} PASSWORD {}").format(
            sql.Identifier(APP_ROLE), sql.Literal(scram_verifier(password))
        )
    )


def _create_schema(conn: psycopg.Connection) -> None:
    conn.execute(
        sql.SQL("CREATE SCHEMA IF NOT EXISTS {} AUTHORIZATION {}").format(
            sql.Identifier(SCHEMA), sql.Identifier(OWNER_ROLE)
        )
    )
    conn.execute(
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
            sql.Identifier(conn.info.dbname), sql.Identifier(APP_ROLE)
        )
    )
