"""The permission manifest: every Graph application permission and Google scope FailSafe asks
for, why, and which sections use it. This is the one list; the connectors, the setup guides,
``failsafe permissions`` and the consent screen all read it. A test refuses any write
permission or scope here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from failsafe.inventory.model import Provider, Section

GOOGLE_SCOPE_PREFIX = "https://www.googleapis.com/auth/"


@dataclass(frozen=True)
class Permission:
    """One permission or scope, the reason for it and the sections that need it."""

    provider: Provider
    name: str  # Graph permission value, or the full Google scope URL
    reason: str
    sections: tuple[Section, ...]
    required: bool = True  # False: only used when the customer turns the option on
    no_read_only_variant: str | None = None  # why a non-.readonly Google scope is requested
    kind: Literal["application", "scope"] = "application"


def _g(scope: str) -> str:
    return GOOGLE_SCOPE_PREFIX + scope


S = Section

MICROSOFT: tuple[Permission, ...] = (
    Permission(
        "microsoft",
        "Organization.Read.All",
        "Tenant name, verified domains and purchased licence SKUs.",
        (S.ORGANIZATION, S.LICENSES),
    ),
    Permission(
        "microsoft",
        "User.Read.All",
        "Users, whether they are enabled, guests or members, and their assigned licences.",
        (S.USERS, S.LICENSES),
    ),
    Permission(
        "microsoft",
        "AuditLog.Read.All",
        "Last sign-in per user, MFA registration details and the sign-in log per app.",
        (S.SIGN_IN_ACTIVITY, S.MFA, S.APP_USAGE),
    ),
    Permission(
        "microsoft",
        "RoleManagement.Read.Directory",
        "Who holds which directory (admin) role.",
        (S.ADMIN_ROLES,),
    ),
    Permission(
        "microsoft",
        "Application.Read.All",
        "Enterprise apps, their publishers and application-permission assignments.",
        (S.APPS, S.GRANTS),
    ),
    Permission(
        "microsoft",
        "Directory.Read.All",
        "Delegated permission grants (no narrower read permission exists for them) and the "
        "sign-in log, which Microsoft documents as needing it beside AuditLog.Read.All.",
        (S.GRANTS, S.APP_USAGE),
    ),
    Permission(
        "microsoft",
        "Policy.Read.All",
        "User-consent settings, security defaults and conditional-access policies.",
        (S.CONSENT_POLICY, S.CONDITIONAL_ACCESS),
    ),
    Permission(
        "microsoft",
        "Mail.ReadBasic.All",
        "Sender address and date of messages to spot SaaS sign-up and billing mail; FailSafe "
        "requests only from and receivedDateTime and never reads subjects, bodies or previews.",
        (S.EMAIL_SIGNALS,),
        required=False,
    ),
)

GOOGLE: tuple[Permission, ...] = (
    Permission(
        "google",
        _g("admin.directory.user.readonly"),
        "Users, 2-step verification enrolment and enforcement, admin flags, last login.",
        (S.ORGANIZATION, S.USERS, S.SIGN_IN_ACTIVITY, S.MFA),
        kind="scope",
    ),
    Permission(
        "google",
        _g("admin.directory.rolemanagement.readonly"),
        "Admin roles and who holds them.",
        (S.ADMIN_ROLES,),
        kind="scope",
    ),
    Permission(
        "google",
        _g("admin.reports.audit.readonly"),
        "Token audit events (the primary source of third-party OAuth grants and app use) and "
        "login audit events (sign-in methods).",
        (S.APPS, S.GRANTS, S.APP_USAGE, S.SIGN_IN_ACTIVITY),
        kind="scope",
    ),
    Permission(
        "google",
        _g("apps.licensing"),
        "Licence assignments per user. Google defines no read-only scope for the Licensing "
        "API; FailSafe only lists assignments.",
        (S.LICENSES,),
        no_read_only_variant=(
            "apps.licensing is the only scope of the Enterprise License Manager API. The "
            "impersonated admin holds a custom role with licence read privileges only, so the "
            "token cannot change assignments even though the scope name would allow it."
        ),
        kind="scope",
    ),
    Permission(
        "google",
        _g("admin.directory.user.security"),
        "Optional: per-user OAuth tokens (tokens.list) for a complete grant list beyond the "
        "audit window. Off unless the customer enables it on the connection.",
        (S.GRANTS,),
        required=False,
        no_read_only_variant=(
            "tokens.list accepts only admin.directory.user.security, which also permits "
            "revoking tokens. It is off by default; the impersonated admin's custom role grants "
            "no write privileges, and FailSafe's transport sends GET requests only."
        ),
        kind="scope",
    ),
    Permission(
        "google",
        _g("gmail.metadata"),
        "Sender and date headers of messages to spot SaaS sign-up and billing mail; the "
        "metadata scope cannot read bodies, and FailSafe asks only for From and Date.",
        (S.EMAIL_SIGNALS,),
        required=False,
        kind="scope",
    ),
)

PERMISSIONS: tuple[Permission, ...] = MICROSOFT + GOOGLE


def for_provider(provider: Provider) -> tuple[Permission, ...]:
    """The manifest entries of one provider, in display order."""
    return tuple(p for p in PERMISSIONS if p.provider == provider)


def google_scope(short_name: str) -> str:
    """The full URL of a manifest scope; raises KeyError if it is not in the manifest."""
    full = _g(short_name)
    if not any(p.name == full for p in GOOGLE):
        raise KeyError(short_name)
    return full


def sections_needing(name: str) -> tuple[Section, ...]:
    """Which sections a permission or scope feeds."""
    for permission in PERMISSIONS:
        if permission.name == name:
            return permission.sections
    raise KeyError(name)
