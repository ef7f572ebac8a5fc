"""Start-up checks for production: refuse a database reached over the network without TLS."""

from __future__ import annotations

import ipaddress

from psycopg import conninfo

from failsafe.db.urls import DatabaseTarget
from failsafe.errors import ConfigurationError
from failsafe.settings import Settings

# libpq modes that guarantee an encrypted connection (verify-* also authenticate the server).
TLS_MODES = frozenset({"require", "verify-ca", "verify-full"})


def _is_local(host: str) -> bool:
    if not host or host.startswith("/") or host == "localhost":
        return True  # a Unix socket path or the loopback name
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_url(url: str, which: str) -> None:
    params = conninfo.conninfo_to_dict(url)
    hosts = [h for h in str(params.get("host") or "").split(",")]
    hostaddrs = [h for h in str(params.get("hostaddr") or "").split(",") if h]
    remote = [h for h in hosts + hostaddrs if not _is_local(h)]
    if not remote:
        return
    mode = str(params.get("sslmode") or "prefer")
    if mode not in TLS_MODES:
        raise ConfigurationError(
            f"the {which} database connection goes to a non-loopback host without TLS:"
            " add sslmode=require (or verify-full) to the URL"
        )


def check_production_database(settings: Settings, target: DatabaseTarget) -> None:
    """In production, raise ConfigurationError for a remote database without sslmode >= require.

    Both the bootstrap (migrations) and the app-role connection are checked. Development and
    the embedded server (a Unix socket) are not affected.
    """
    if not settings.is_production or target.embedded:
        return
    _check_url(target.bootstrap_url, "owner")
    _check_url(target.app_url, "app")
