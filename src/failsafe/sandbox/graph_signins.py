"""The Graph sign-in log of a sandbox tenant, generated lazily and newest first.

Planted sign-ins come first, then ``SIGN_INS_PER_USER`` first-party sign-ins per user spread
evenly over 25 days, so event ``n`` and the ``createdDateTime ge`` cut-off are O(1) / O(log n).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from failsafe.sandbox import catalog
from failsafe.sandbox.apps import SignIn, planted_sign_ins
from failsafe.sandbox.graph_model import M, iso
from failsafe.sandbox.people import email, object_id, person
from failsafe.sandbox.spec import TenantSpec, digest, guid


def sign_in_json(spec: TenantSpec, event: SignIn, n: int) -> dict[str, Any]:
    """One signIn resource."""
    p = person(spec, M, event.index)
    ok = event.error_code == 0
    return {
        "id": guid(spec.seed, "signin", n),
        "createdDateTime": iso(event.at),
        "userDisplayName": p.display_name,
        "userPrincipalName": email(spec, M, p),
        "userId": object_id(spec, M, event.index),
        "appId": event.app_id,
        "appDisplayName": event.app_name,
        "ipAddress": f"198.51.100.{event.index % 250 + 1}",
        "clientAppUsed": event.client_app,
        "correlationId": guid(spec.seed, "corr", n),
        "conditionalAccessStatus": "success" if ok else "failure",
        "isInteractive": True,
        "resourceDisplayName": "Microsoft Graph",
        "resourceId": catalog.GRAPH_APP_ID,
        "riskDetail": "none",
        "riskLevelAggregated": "none",
        "riskLevelDuringSignIn": "none",
        "riskState": "none",
        "riskEventTypes": [],
        "riskEventTypes_v2": [],
        "status": {
            "errorCode": event.error_code,
            "failureReason": None if ok else "Invalid username or password.",
            "additionalDetails": None,
        },
        "deviceDetail": {
            "deviceId": "",
            "displayName": "",
            "operatingSystem": "Windows10",
            "browser": "Edge 120.0.0",
            "isCompliant": False,
            "isManaged": False,
            "trustType": "",
        },
        "location": {
            "city": "Seattle",
            "state": "Washington",
            "countryOrRegion": "US",
            "geoCoordinates": {"altitude": None, "latitude": 47.6, "longitude": -122.3},
        },
        "appliedConditionalAccessPolicies": [],
    }


# The properties a $select can name that are cheap to render alone; any other selection renders
# the whole resource first. Pages hold 1,000 events, so skipping unwanted GUIDs matters.
_SELECTABLE: dict[str, Callable[[TenantSpec, SignIn, int], Any]] = {
    "id": lambda spec, event, n: guid(spec.seed, "signin", n),
    "createdDateTime": lambda spec, event, n: iso(event.at),
    "userPrincipalName": lambda spec, event, n: email(spec, M, person(spec, M, event.index)),
    "userId": lambda spec, event, n: object_id(spec, M, event.index),
    "appId": lambda spec, event, n: event.app_id,
    "appDisplayName": lambda spec, event, n: event.app_name,
    "clientAppUsed": lambda spec, event, n: event.client_app,
    "status": lambda spec, event, n: {
        "errorCode": event.error_code,
        "failureReason": None if event.error_code == 0 else "Invalid username or password.",
        "additionalDetails": None,
    },
}


def sign_in_selected(
    spec: TenantSpec, event: SignIn, n: int, names: Sequence[str]
) -> dict[str, Any]:
    """The ``id`` and ``names`` properties of one signIn resource (``$select``)."""
    keys = ("id", *names)
    if all(k in _SELECTABLE for k in keys):
        return {k: _SELECTABLE[k](spec, event, n) for k in keys}
    item = sign_in_json(spec, event, n)
    return {k: item.get(k) for k in keys}


SIGN_INS_PER_USER = 2
BULK_STEP = timedelta(minutes=7)


def sign_in_count(spec: TenantSpec) -> int:
    """How many sign-ins the log holds."""
    return len(planted_sign_ins(spec)) + SIGN_INS_PER_USER * spec.users


def sign_in_event(spec: TenantSpec, n: int) -> SignIn:
    """Sign-in ``n`` of the log (0 = newest): planted ones first, then bulk first-party use."""
    planted = planted_sign_ins(spec)
    if n < len(planted):
        return planted[n]
    bulk = n - len(planted)
    index = bulk % spec.users
    p = person(spec, M, index)
    if not p.enabled or p.last_sign_in is None or p.slot in _QUIET:
        index = 0  # people who must look inactive never sign in; a global admin does instead
    app_id, name = catalog.SIGN_IN_APPS[digest(spec.seed, "app", bulk) % len(catalog.SIGN_IN_APPS)]
    client = "Browser" if bulk % 3 else "Mobile Apps and Desktop clients"
    start = spec.anchor - timedelta(hours=12)  # after every planted sign-in
    span = timedelta(days=25) / max(SIGN_INS_PER_USER * spec.users, 1)
    return SignIn(index, app_id, name, start - span * bulk, client)


_QUIET = frozenset(
    {
        "admin_stale",
        "member_stale",
        "guest_stale",
        "never_signed_in",
        "admin_disabled",
        "disabled_licensed",
    }
)


def sign_in_cutoff(spec: TenantSpec, since: datetime) -> int:
    """How many events (from the newest) are at or after ``since``; binary search, O(log n)."""
    lo, hi = 0, sign_in_count(spec)
    while lo < hi:
        mid = (lo + hi) // 2
        if sign_in_event(spec, mid).at >= since:
            lo = mid + 1
        else:
            hi = mid
    return lo
