"""The Google Workspace customer of a sandbox spec, rendered as Admin SDK / Reports JSON."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

from failsafe.sandbox import catalog
from failsafe.sandbox.people import Person, email, object_id, person
from failsafe.sandbox.spec import TenantSpec, company, digest

G: Final = "google"
# A backup service account holding domain-wide delegation (risky profile, AP-008 / AP-001).
DWD_CLIENT = ("104817625337920651234", "Spanning Backup for Google Workspace")
DWD_SCOPES = ("https://mail.google.com/", "https://www.googleapis.com/auth/drive")
LOW_SCOPES = (
    "openid",
    "https://www.googleapis.com/auth/userinfo.email",
    "https://www.googleapis.com/auth/userinfo.profile",
)
ROLES: tuple[tuple[str, str, str, bool], ...] = (
    # (key, roleId, roleName, isSuperAdminRole)
    ("super_admin", "91447453409034241", "_SEED_ADMIN_ROLE", True),
    ("groups", "91447453409034242", "_GROUPS_ADMIN_ROLE", False),
    ("user_management", "91447453409034243", "_USER_MANAGEMENT_ADMIN_ROLE", False),
    ("help_desk", "91447453409034244", "_HELP_DESK_ADMIN_ROLE", False),
)


def chatgpt_client(spec: TenantSpec) -> tuple[str, str]:
    """The OAuth client (id, name) of ChatGPT in the Google tenant."""
    return (
        f"{digest(spec.seed, 'chatgpt') % 10**12:012d}-openai.apps.googleusercontent.com",
        "ChatGPT",
    )


def rfc3339(moment: datetime | None) -> str:
    """Google's timestamp form; None is the epoch, Google's "never"."""
    if moment is None:
        return "1970-01-01T00:00:00.000Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def user_json(spec: TenantSpec, index: int) -> dict[str, Any]:
    """users.list item (full projection; ``fields`` trims it)."""
    p = person(spec, G, index)
    org = company(spec)
    primary = email(spec, G, p)
    role = p.role
    return {
        "kind": "admin#directory#user",
        "id": object_id(spec, G, index),
        "etag": f'"{digest(spec.seed, "etag", index):x}"',
        "primaryEmail": primary,
        "name": {"givenName": p.given, "familyName": p.family, "fullName": p.display_name},
        "isAdmin": role == "super_admin" and p.enabled,
        "isDelegatedAdmin": role is not None and role != "super_admin",
        "lastLoginTime": rfc3339(p.last_sign_in),
        "creationTime": rfc3339(p.created_at),
        "agreedToTerms": True,
        "suspended": not p.enabled,
        **({"suspensionReason": "ADMIN"} if not p.enabled else {}),
        "archived": False,
        "changePasswordAtNextLogin": False,
        "ipWhitelisted": False,
        "emails": [{"address": primary, "primary": True}],
        "customerId": org.customer_id,
        "orgUnitPath": "/" if role else "/Staff",
        "isMailboxSetup": bool(p.licenses),
        "isEnrolledIn2Sv": bool(p.mfa_methods),
        "isEnforcedIn2Sv": p.mfa_enforced and bool(p.mfa_methods),
        "includeInGlobalAddressList": True,
    }


def roles_json() -> list[dict[str, Any]]:
    """Google's system admin roles."""
    return [
        {
            "kind": "admin#directory#role",
            "etag": f'"{role_id}"',
            "roleId": role_id,
            "roleName": name,
            "roleDescription": name.strip("_").replace("_", " ").title(),
            "isSystemRole": True,
            "isSuperAdminRole": is_super,
            "rolePrivileges": [{"privilegeName": "USERS_RETRIEVE", "serviceId": "00haapch16h1ysv"}],
        }
        for _key, role_id, name, is_super in ROLES
    ]


def role_holders(spec: TenantSpec) -> list[Person]:
    """People holding an admin role (all within the first slots)."""
    return [p for i in range(min(spec.users, 41)) if (p := person(spec, G, i)).role]


def role_assignments_json(spec: TenantSpec) -> list[dict[str, Any]]:
    """Who holds which Google admin role."""
    ids = {key: role_id for key, role_id, _n, _s in ROLES}
    return [
        {
            "kind": "admin#directory#roleAssignment",
            "etag": f'"ra{p.index}"',
            "roleAssignmentId": str(91447453409035000 + p.index),
            "roleId": ids[p.role or "help_desk"],
            "assignedTo": object_id(spec, G, p.index),
            "assigneeType": "user",
            "scopeType": "CUSTOMER",
        }
        for p in role_holders(spec)
    ]


def _param(name: str, value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"name": name, "boolValue": value}
    if isinstance(value, list | tuple):
        return {"name": name, "multiValue": list(value)}
    return {"name": name, "value": value}


def _activity(
    spec: TenantSpec,
    app: str,
    index: int,
    at: datetime,
    n: int,
    events: list[dict[str, Any]],
    application: dict[str, Any] | None = None,
) -> dict[str, Any]:
    p = person(spec, G, index)
    actor: dict[str, Any] = {
        "callerType": "USER",
        "email": email(spec, G, p),
        "profileId": object_id(spec, G, index),
    }
    if application is not None:
        actor["applicationInfo"] = application  # an app acting as the user
    return {
        "kind": "admin#reports#activity",
        "id": {
            "time": rfc3339(at),
            "uniqueQualifier": str(digest(spec.seed, app, index, n) % 10**18),
            "applicationName": app,
            "customerId": company(spec).customer_id,
        },
        "actor": actor,
        "ipAddress": f"203.0.113.{index % 250 + 1}",
        "events": events,
    }


def token_activities(spec: TenantSpec) -> list[dict[str, Any]]:
    """The token audit log, newest first (small: planted and first-party apps only)."""
    out: list[tuple[datetime, dict[str, Any]]] = []

    def add(
        index: int,
        days: float,
        name: str,
        client: tuple[str, str],
        scopes: tuple[str, ...],
        impersonating: bool = False,
    ) -> None:
        if index >= spec.users:
            return
        at = spec.anchor - timedelta(days=days)
        params = [_param("client_id", client[0]), _param("app_name", client[1])]
        if name == "authorize":
            params.append(_param("scope", scopes))
            # Google documents no client type for service accounts: they log as unspecified.
            params.append(_param("client_type", "TYPE_UNSPECIFIED" if impersonating else "WEB"))
        else:
            params += [
                _param("api_name", "gmail"),
                _param("method_name", "gmail.users.get"),
                _param("product_bucket", "GMAIL"),
            ]
        event = {"type": "auth", "name": name, "parameters": params}
        # Domain-wide delegation shows as the app impersonating the user: the Reports API's
        # documented actor.applicationInfo (oauthClientId, applicationName, impersonation).
        application = (
            {"oauthClientId": client[0], "applicationName": client[1], "impersonation": True}
            if impersonating
            else None
        )
        out.append((at, _activity(spec, "token", index, at, len(out), [event], application)))

    chrome = catalog.GOOGLE_CHROME_CLIENT
    for index in range(min(spec.users, 5)):
        add(index, 20 + index, "authorize", chrome, LOW_SCOPES)
        add(index, 1 + index / 10, "activity", chrome, ())
    if spec.risky:
        gpt = chatgpt_client(spec)
        for index in (5, 6):
            add(index, 12, "authorize", gpt, LOW_SCOPES)
            add(index, 2, "activity", gpt, ())
        add(7, 20, "authorize", DWD_CLIENT, DWD_SCOPES, impersonating=True)
    out.sort(key=lambda item: item[0], reverse=True)
    return [activity for _at, activity in out]


def tokens_json(spec: TenantSpec, index: int) -> list[dict[str, Any]]:
    """tokens.list items of one user (matches the token audit's live grants)."""
    uid = object_id(spec, G, index)
    grants: list[tuple[tuple[str, str], tuple[str, ...]]] = []
    if index < 5:
        grants.append((catalog.GOOGLE_CHROME_CLIENT, LOW_SCOPES))
    if spec.risky and index in (5, 6):
        grants.append((chatgpt_client(spec), LOW_SCOPES))
    return [
        {
            "kind": "admin#directory#token",
            "etag": f'"{uid}{n}"',
            "clientId": client[0],
            "displayText": client[1],
            "scopes": list(scopes),
            "anonymous": False,
            "nativeApp": False,
            "userKey": uid,
        }
        for n, (client, scopes) in enumerate(grants)
    ]


def login_step(spec: TenantSpec) -> timedelta:
    """Spacing of the login audit's events (one per active user, newest first)."""
    return timedelta(days=20) / max(spec.users, 1)


def login_activity(spec: TenantSpec, index: int) -> dict[str, Any] | None:
    """The login_success event of person ``index``, at its lastLoginTime; None if it has none."""
    p = person(spec, G, index)
    if not p.enabled or p.last_sign_in is None or p.slot == "member_stale":
        return None
    methods = ["security_key"] if "fido2" in p.mfa_methods else ["idv_preregistered_phone"]
    if not p.mfa_methods:
        methods = ["none"]
    event = {
        "type": "login",
        "name": "login_success",
        "parameters": [
            _param("login_type", "google_password"),
            _param("login_challenge_method", methods),
            _param("is_suspicious", False),
        ],
    }
    return _activity(spec, "login", index, login_time(spec, index), 0, [event])


def login_time(spec: TenantSpec, index: int) -> datetime:
    """Event e of the login log is person e's login, so the log is ordered by index."""
    return spec.anchor - timedelta(minutes=5) - login_step(spec) * index
