"""What every collection needs, loaded once per process before the first scan starts."""

from __future__ import annotations

import structlog

from failsafe.catalog.domains import registrable_domain
from failsafe.catalog.loader import load_catalogs
from failsafe.connectors.client import tls_context

log = structlog.get_logger(__name__)


def warm_up() -> None:
    """Load the TLS context, the catalogs and the Public Suffix List now.

    Each is loaded lazily on first use, which inside a scan means on the event loop while
    requests are in flight: about 100 ms during which no answer is read (the first mail page
    parses the suffix list). ``failsafe worker`` calls this when it starts.
    """
    tls_context()
    load_catalogs()
    registrable_domain("example.com")
    log.debug("connectors.warmed_up")
