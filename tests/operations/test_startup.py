"""Production refuses a remote database without TLS."""

from __future__ import annotations

import pytest

from failsafe.db.urls import DatabaseTarget
from failsafe.errors import ConfigurationError
from failsafe.operations.startup import check_production_database
from failsafe.settings import Settings

PROD = Settings(_env_file=None, env="production")  # type: ignore[call-arg]
DEV = Settings(_env_file=None)  # type: ignore[call-arg]


def target(url: str, app: str | None = None, embedded: bool = False) -> DatabaseTarget:
    return DatabaseTarget(bootstrap_url=url, app_url=app or url, embedded=embedded)


@pytest.mark.parametrize(
    "url",
    [
        "host=db.example.com dbname=failsafe",
        "host=db.example.com dbname=failsafe sslmode=prefer",
        "host=db.example.com dbname=failsafe sslmode=allow",
        "host=10.0.0.5 dbname=failsafe sslmode=disable",
        "host=127.0.0.1,db.example.com dbname=failsafe",
    ],
)
def test_remote_without_tls_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="sslmode=require"):
        check_production_database(PROD, target(url))


@pytest.mark.parametrize(
    "url",
    [
        "host=db.example.com dbname=failsafe sslmode=require",
        "host=db.example.com dbname=failsafe sslmode=verify-full",
        "host=127.0.0.1 dbname=failsafe",
        "host=::1 dbname=failsafe",
        "host=localhost dbname=failsafe",
        "host=/var/run/postgresql dbname=failsafe",
    ],
)
def test_tls_or_loopback_is_accepted(url: str) -> None:
    check_production_database(PROD, target(url))


def test_the_app_connection_is_checked_too() -> None:
    with pytest.raises(ConfigurationError, match="app"):
        check_production_database(
            PROD,
            target("host=db.example.com dbname=f sslmode=require", "host=db.example.com dbname=f"),
        )


def test_development_is_not_checked() -> None:
    check_production_database(DEV, target("host=db.example.com dbname=failsafe"))
