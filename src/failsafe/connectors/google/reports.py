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


Latest = dict[tuple[str, str], tuple[datetime, str, tuple[str, ...]]]
Delegations = dict[str, tuple[datetime, frozenset[str]]]  # client id -> (newest, scopes)


async def token_audit(google: GoogleClient, builder: InventoryBuilder, now: datetime) -> int:
    """authorize/revoke give the current grants; activity events give app use.

    An event whose actor is an app impersonating the user (``actor.applicationInfo``) is
    domain-wide delegation: an admin let that app act as every user, so its scopes become one
    tenant-wide ``domain_wide`` grant rather than a per-user consent.
    """
    latest: Latest = {}
    delegations: Delegations = {}
    # FailSafe reads through its own delegated service account; that is not the tenant's app.
    own_client = str(google.credentials.info.get("client_id") or "")
    events = 0
    async for page in _activities(google, "token", now):
        for activity in page:
            at = parse_time((activity.get("id") or {}).get("time"))
            actor = activity.get("actor") or {}
            user = str(actor.get("email") or "").lower()
            if at is None or not user:
                continue
            application = actor.get("applicationInfo") or {}
            impersonating = application.get("impersonation") is True
            acting_client = application.get("oauthClientId")
            for event in activity.get("events") or []:
                events += 1
                client_id = str(_param(event, "client_id") or acting_client or "")
                if not client_id or client_id == own_client:
                    continue
                app_name = str(
                    _param(event, "app_name") or application.get("applicationName") or client_id
                )
                builder.add_app(_app(client_id, app_name))
                if impersonating:
                    _fold_delegation(builder, delegations, event, client_id, app_name, user, at)
                else:
                    _fold_token_event(builder, latest, event, client_id, app_name, user, at)
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
    for client_id, (at, delegated) in delegations.items():
        builder.grants.append(
            Grant(
                client_id,
                "domain_wide",
                tuple(sorted(delegated)),
                True,
                granted_at=at,
                source="token_audit",
            )
        )
    return events


def _scopes(event: dict[str, Any]) -> tuple[str, ...]:
    scopes = _param(event, "scope") or []
    return tuple(sorted(str(s) for s in (scopes if isinstance(scopes, list) else [scopes])))


def _fold_token_event(
    builder: InventoryBuilder,
    latest: Latest,
    event: dict[str, Any],
    client_id: str,
    app_name: str,
    user: str,
    at: datetime,
) -> None:
    name = str(event.get("name") or "")
    if name == "activity":
        builder.sign_ins.add(client_id, app_name, user, at, False)
        return
    if name not in ("authorize", "revoke"):
        return
    previous = latest.get((client_id, user))
    if previous is None or at >= previous[0]:
        latest[(client_id, user)] = (at, name, _scopes(event))


def _fold_delegation(
    builder: InventoryBuilder,
    delegations: Delegations,
    event: dict[str, Any],
    client_id: str,
    app_name: str,
    user: str,
    at: datetime,
) -> None:
    # A user cannot revoke domain-wide delegation (only an admin can, out of this log's
    # sight), so every impersonating event adds to the app's grant and none removes it.
    name = str(event.get("name") or "")
    if name == "activity":
        builder.sign_ins.add(client_id, app_name, user, at, False)
    previous = delegations.get(client_id)
    scopes = frozenset(_scopes(event) if name == "authorize" else ())
    if previous is None:
        delegations[client_id] = (at, scopes)
    else:
        delegations[client_id] = (max(at, previous[0]), previous[1] | scopes)


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
