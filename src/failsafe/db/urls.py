"""Which database FailSafe talks to, and as whom."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import conninfo, sql

from failsafe.db.embedded import start_embedded_server
from failsafe.errors import ConfigurationError
from failsafe.settings import Settings

SCHEMA = "failsafe"
OWNER_ROLE = "failsafe_owner"
APP_ROLE = "failsafe_app"
# The role the app switches to (SET LOCAL ROLE) for actors that see every engagement: admins and
# unscoped background jobs. Same privileges as the app role, its own RLS policies.
APP_ALL_ROLE = "failsafe_app_all"
# The roles the app switches to for scoped actors, one per kind, each holding only the arm of the
# visible-set policy that fits it (see failsafe.db.rls): clients, partners, jobs of one engagement.
APP_CLIENT_ROLE = "failsafe_app_client"
APP_PARTNER_ROLE = "failsafe_app_partner"
APP_JOB_ROLE = "failsafe_app_job"
# Every role a transaction may switch to: NOLOGIN, the app role's privileges, their own policies.
SWITCH_ROLES = (APP_ALL_ROLE, APP_CLIENT_ROLE, APP_PARTNER_ROLE, APP_JOB_ROLE)
EMBEDDED_DATABASE = "failsafe"


@dataclass(frozen=True)
class DatabaseTarget:
    """Connection strings (libpq form) for bootstrap/migrations and for the app role."""

    bootstrap_url: str
    app_url: str
    embedded: bool

    def with_database(self, name: str) -> DatabaseTarget:
        """The same server and roles, another database (tests use one per worker)."""
        return DatabaseTarget(
            bootstrap_url=_replace(self.bootstrap_url, dbname=name),
            app_url=_replace(self.app_url, dbname=name),
            embedded=self.embedded,
        )

    @property
    def database_name(self) -> str:
        return str(conninfo.conninfo_to_dict(self.bootstrap_url)["dbname"])


def _replace(url: str, **fields: str | None) -> str:
    params: dict[str, object] = dict(conninfo.conninfo_to_dict(url))
    params.update(fields)
    return _make(params)


def _make(params: dict[str, object]) -> str:
    return conninfo.make_conninfo("", **{k: str(v) for k, v in params.items() if v is not None})


def _normalise(url: str) -> str:
    """Accept SQLAlchemy-style URLs too ("postgresql+psycopg://")."""
    for prefix in ("postgresql+psycopg://", "postgresql+asyncpg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


def resolve_target(settings: Settings) -> DatabaseTarget:
    """Work out the bootstrap and app connections from the settings."""
    if settings.database_url is not None:
        bootstrap = _normalise(settings.database_url.get_secret_value())
        embedded = False
    else:
        server_url = start_embedded_server(settings.data_dir)
        ensure_database(server_url, EMBEDDED_DATABASE)
        bootstrap = _replace(server_url, dbname=EMBEDDED_DATABASE)
        embedded = True

    if settings.app_database_url is not None:
        app = _normalise(settings.app_database_url.get_secret_value())
    else:
        password = settings.app_db_password
        if password is None and not embedded:
            raise ConfigurationError(
                "set FAILSAFE_APP_DATABASE_URL or FAILSAFE_APP_DB_PASSWORD for the app role"
            )
        app = _replace(
            bootstrap,
            user=APP_ROLE,
            password=password.get_secret_value() if password else None,
        )
    return DatabaseTarget(bootstrap_url=bootstrap, app_url=app, embedded=embedded)


def ensure_database(server_url: str, name: str) -> None:
    """Create database ``name`` on the server if it does not exist yet."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def redacted(url: str) -> str:
    """A connection string fit for printing: the password masked."""
    params: dict[str, object] = dict(conninfo.conninfo_to_dict(url))
    if params.get("password"):
        params["password"] = "********"
    return _make(params)
