"""Google Reports sections: token audit (grants and app use) and login audit (sign-ins)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from failsafe.connectors.google.client import GoogleClient
from failsafe.connectors.google.directory import GoogleIndex
from failsafe.connectors.timeparse import iso_z, parse_time
from failsafe.inventory.builder import InventoryBuilder
from failsafe.inventory.model import App, Grant

AUDIT_WINDOW = timedelta(days=180)  # the furthest back the Reports API answers
# Google's own clients show up in the token log too; the names are the giveaway.
FIRST_PARTY_PREFIXES = ("google ", "android", "ios account manager", "gmail", "chrome")
PHISHING_RESISTANT = {"security_key": "security_key", "passkey": "passkey"}


def _param(event: dict[str, Any], name: str) -> Any:
    """A parameter by name (never by position), whatever its value type."""
    for parameter in event.get("parameters") or []:
        if parameter.get("name") == name:
            for key in ("value", "multiValue", "boolValue", "intValue"):
                if key in parameter:
                    return parameter[key]
    return None


def _activities(google: GoogleClient, application: str, now: datetime) -> Any:
    url = f"{google.admin_base}/admin/reports/v1/activity/users/all/applications/{application}"
    params = {"maxResults": "1000", "startTime": iso_z(now - AUDIT_WINDOW)}
    token = google.admin_token("admin.reports.audit.readonly")
    return google.pages(url, params, "items", token)


async def token_audit(google: GoogleClient, builder: InventoryBuilder, now: datetime) -> int:
    """authorize/revoke give the current grants; activity events give app use."""
    latest: dict[tuple[str, str], tuple[datetime, str, tuple[str, ...]]] = {}
    events = 0
    async for page in _activities(google, "token", now):
        for activity in page:
            at = parse_time((activity.get("id") or {}).get("time"))
            user = str((activity.get("actor") or {}).get("email") or "").lower()
            if at is None or not user:
                continue
            for event in activity.get("events") or []:
                events += 1
                _fold_token_event(builder, latest, event, user, at)
    for (client_id, user), (at, name, scopes) in latest.items():
        if name == "authorize":
            builder.grants.append(
                Grant(
                    client_id,
                    "delegated",
                    scopes,
                    False,
                    user=user,
                    granted_at=at,
                    source="token_audit",
                )
            )
    return events


def _fold_token_event(
    builder: InventoryBuilder,
    latest: dict[tuple[str, str], tuple[datetime, str, tuple[str, ...]]],
    event: dict[str, Any],
    user: str,
    at: datetime,
) -> None:
    client_id = str(_param(event, "client_id") or "")
    if not client_id:
        return
    app_name = str(_param(event, "app_name") or client_id)
    name = str(event.get("name") or "")
    builder.add_app(_app(client_id, app_name))
    if name == "activity":
        builder.sign_ins.add(client_id, app_name, user, at, False)
        return
    if name not in ("authorize", "revoke"):
        return
    scopes = _param(event, "scope") or []
    scopes = tuple(sorted(str(s) for s in (scopes if isinstance(scopes, list) else [scopes])))
    previous = latest.get((client_id, user))
    if previous is None or at >= previous[0]:
        latest[(client_id, user)] = (at, name, scopes)


def _app(client_id: str, app_name: str) -> App:
    first_party = app_name.lower().startswith(FIRST_PARTY_PREFIXES)
    # Limitation: the token log names no publisher or verification status; a catalog lookup
    # by client id would fill them.
    return App(
        client_id,
        app_name,
        "Google" if first_party else None,
        True if first_party else None,
        first_party,
        None,
    )


async def login_audit(
    google: GoogleClient, builder: InventoryBuilder, index: GoogleIndex, now: datetime
) -> int:
    """Successful logins refine last sign-in and show phishing-resistant methods."""
    events = 0
    async for page in _activities(google, "login", now):
        for activity in page:
            at = parse_time((activity.get("id") or {}).get("time"))
            email = str((activity.get("actor") or {}).get("email") or "").lower()
            draft = builder.users.get(index.id_by_email.get(email, ""))
            if at is None or draft is None:
                continue
            for event in activity.get("events") or []:
                if event.get("name") != "login_success":
                    continue
                events += 1
                if draft.last_sign_in_at is None or at > draft.last_sign_in_at:
                    draft.last_sign_in_at = at
                methods = _param(event, "login_challenge_method") or []
                extra = {PHISHING_RESISTANT[m] for m in methods if m in PHISHING_RESISTANT}
                if extra - set(draft.mfa_methods):
                    draft.mfa_methods = tuple(sorted(set(draft.mfa_methods) | extra))
    return events
