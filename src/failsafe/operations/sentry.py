"""Error reporting to Sentry, with tenant data scrubbed before anything leaves the process.

Only the exception, its stack and FailSafe's own ids survive: request bodies, cookies, headers,
query strings, user emails and IPs are removed in ``before_send``, and default PII collection
(``send_default_pii``) is off so the SDK does not collect them in the first place.
"""

from __future__ import annotations

from typing import Any

import sentry_sdk

from failsafe import __version__
from failsafe.settings import Settings

_REQUEST_KEYS = ("data", "cookies", "headers", "query_string", "env")
_USER_KEYS_KEPT = ("id",)


def scrub_event(event: dict[str, Any], _hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """Remove tenant data from a Sentry event (also used for transactions)."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in _REQUEST_KEYS:
            request.pop(key, None)
        url = request.get("url")
        if isinstance(url, str):
            request["url"] = url.split("?", 1)[0]
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {k: v for k, v in user.items() if k in _USER_KEYS_KEPT}
    # Breadcrumbs may carry log messages and SQL with values; keep only their categories.
    crumbs = event.get("breadcrumbs")
    if isinstance(crumbs, dict):
        for crumb in crumbs.get("values", []):
            if isinstance(crumb, dict):
                crumb.pop("data", None)
                crumb.pop("message", None)
    # Local variables in frames can hold anything a function touched.
    for exc in (event.get("exception") or {}).get("values", []) or []:
        for frame in ((exc or {}).get("stacktrace") or {}).get("frames", []) or []:
            if isinstance(frame, dict):
                frame.pop("vars", None)
    event.pop("extra", None)
    return event


def init_sentry(settings: Settings) -> bool:
    """Start the Sentry SDK when ``sentry_dsn`` is set; returns whether it was started."""
    if settings.sentry_dsn is None:
        return False
    sentry_sdk.init(
        dsn=settings.sentry_dsn.get_secret_value(),
        environment=settings.env,
        release=f"failsafe@{__version__}",
        # send_default_pii stays unset, which this SDK treats as False (setting it at all is
        # deprecated in favour of data_collection and warns); the test asserts the outcome.
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_event,  # type: ignore[arg-type]
        before_send_transaction=scrub_event,  # type: ignore[arg-type]
        traces_sample_rate=0.0,
    )
    return True
