"""Gather each vendor's evidence and decide whether it is sanctioned (docs/rules.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from failsafe.catalog.domains import registrable_domain
from failsafe.catalog.models import Vendor
from failsafe.inventory.model import Section

if TYPE_CHECKING:
    from failsafe.detections.context import Context, VendorEvidence


def _entry(found: dict[str, VendorEvidence], subject: str, vendor: Vendor | None) -> VendorEvidence:
    from failsafe.detections.context import VendorEvidence

    entry = found.get(subject)
    if entry is None:
        entry = found[subject] = VendorEvidence(subject=subject, vendor=vendor)
    return entry


def _app_subject(ctx: Context, app_id: str) -> tuple[str, Vendor | None] | None:
    """The vendor subject of an app: its catalog vendor, else its registrable domain."""
    vendor = ctx.app_vendor.get(app_id)
    if vendor is not None:
        return vendor.id, vendor
    app = ctx.apps.get(app_id)
    if app is not None and app.domains:
        return registrable_domain(app.domains[0]), None
    return None


def collect_vendor_evidence(ctx: Context) -> dict[str, VendorEvidence]:
    """Evidence per vendor subject; the sanctioned flags are filled in here too."""
    found: dict[str, VendorEvidence] = {}
    inventory = ctx.inventory
    admin_only: dict[str, bool] = {}

    if inventory.assessed(Section.GRANTS):
        for app_id, grants in ctx.grants_by_app.items():
            if not ctx.third_party(app_id):
                continue
            subject = _app_subject(ctx, app_id)
            if subject is None:
                continue
            entry = _entry(found, *subject)
            entry.apps.add(app_id)
            entry.grant_users |= {g.user for g in grants if g.user}
            every_admin = all(g.all_users and g.kind != "domain_wide" for g in grants)
            admin_only[entry.subject] = admin_only.get(entry.subject, True) and every_admin

    if inventory.assessed(Section.APP_USAGE):
        vendors = ctx.catalogs.vendors
        for usage in inventory.app_usage:
            app = ctx.apps.get(usage.app_id) if usage.app_id else None
            if app is not None and app.first_party:
                continue
            subject = _app_subject(ctx, usage.app_id) if usage.app_id else None
            if subject is None:
                vendor = vendors.by_name(usage.app_name)
                if vendor is None:
                    continue
                subject = (vendor.id, vendor)
            entry = _entry(found, *subject)
            entry.usage_users.add(usage.user)
            if entry.vendor is not None and entry.vendor.sso:
                entry.sso = True

    if inventory.assessed(Section.EMAIL_SIGNALS):
        for signal in inventory.email_signals:
            entry = _entry(found, *ctx.mail_vendor(signal))
            entry.mail_users[signal.kind].add(signal.user)
            entry.mail_count += signal.count

    for key, entry in found.items():
        entry.admin_consented_only = admin_only.get(key, False)
    return found


def is_sanctioned(ctx: Context, entry: VendorEvidence) -> bool:
    """On the allow-list, reached through SSO, or only ever admin-consented for everyone."""
    allow = ctx.allow_list
    names = {entry.subject}
    if entry.vendor is not None:
        names |= {entry.vendor.id, *entry.vendor.domains}
    if names & allow.vendors or {a.lower() for a in entry.apps} & allow.apps:
        return True
    return entry.sso or entry.admin_consented_only


def unknown_vendors(ctx: Context) -> list[tuple[str, str]]:
    """(registrable domain, public name) of vendors in use that the catalog lacks.

    Most users first, so a capped number of enrichment requests goes where it matters. Only
    what is public is offered: the domain, and as the name the publisher the provider verified
    (an unverified app name is whatever its author typed, possibly the tenant's own project),
    else the domain again. The tenant's own domains are never offered.
    """
    own = {registrable_domain(d) for d in ctx.inventory.tenant.domains}
    found = [
        entry
        for entry in ctx.vendor_evidence.values()
        if entry.vendor is None and entry.in_use and entry.subject not in own
    ]
    found.sort(key=lambda e: (-len(e.users), e.subject))
    return [(entry.subject, _public_name(ctx, entry)) for entry in found]


def _public_name(ctx: Context, entry: VendorEvidence) -> str:
    publishers = sorted(
        app.publisher
        for app in (ctx.apps.get(app_id) for app_id in entry.apps)
        if app is not None and app.publisher and app.publisher_verified
    )
    return publishers[0] if publishers else entry.subject


def unsanctioned(ctx: Context) -> list[VendorEvidence]:
    """Vendors in use that nobody sanctioned, in subject order."""
    return sorted(
        (e for e in ctx.vendor_evidence.values() if not is_sanctioned(ctx, e)),
        key=lambda e: e.subject,
    )
