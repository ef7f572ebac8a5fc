"""What the portal shows and changes of an engagement's settings: which vendor an apps-page row
sanctions, whether it is sanctioned already, and the price used for each licence SKU.

The shadow-IT rules group evidence per vendor *subject* (:mod:`failsafe.detections.vendors`):
the catalog vendor's id when the catalog knows the app, sign-in or sender, else the registrable
domain. A row's "Mark sanctioned" adds that subject, so the next scan drops every finding about
the vendor whichever way it was found. A row counts as sanctioned when any name the rules
match (the subject, the catalog vendor's id and domains, the app id) is on the list, and
"Remove" takes all of those off, or the vendor would stay sanctioned through an alias.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from failsafe.catalog.domains import registrable_domain
from failsafe.catalog.loader import load_catalogs
from failsafe.catalog.models import Sku, Vendor
from failsafe.engagements.settings import MAX_PRICE, EngagementSettings
from failsafe.errors import ValidationFailed

# What settings.validated accepts as a sanctioned entry (checked there too).
_ENTRY = re.compile(r"^[a-z0-9][a-z0-9._:@-]{0,252}$")
_CENT = Decimal("0.01")

NOTICES = {
    "sanctioned": (
        "Marked as sanctioned. It applies from the next scan: its shadow-IT findings stay open "
        "until then, and reports generated from now on list it as sanctioned."
    ),
    "unsanctioned": (
        "Removed from sanctioned. From the next scan it is reported as shadow IT again while "
        "it is still in use."
    ),
    "price-set": (
        "Negotiated price saved. It applies from the next scan; the waste shown is still the "
        "latest scan's."
    ),
    "price-cleared": (
        "Negotiated price cleared. The list price applies from the next scan; the waste shown "
        "is still the latest scan's."
    ),
}


@dataclass(frozen=True, slots=True)
class RowSanction:
    """The sanction control of one apps-page row."""

    entry: str | None  # what "Mark sanctioned" adds; None: the rules tie the row to no vendor
    vendor: str  # who that is, for the button's accessible name
    matched: tuple[str, ...]  # entries on the list that already cover the row
    first_party: bool = False

    @property
    def sanctioned(self) -> bool:
        return bool(self.matched)


def _subject(row: Any, app: Any | None) -> tuple[str, Vendor | None] | None:
    """The rules' vendor subject of a row, by the same look-ups in the same order."""
    vendors = load_catalogs().vendors
    how = set(row.how or ())
    if app is not None:
        vendor = vendors.match_app(app.domains, app.publisher, app.display_name)
        if vendor is not None:
            return vendor.id, vendor
        if app.domains:
            return registrable_domain(app.domains[0]), None
    if "email" in how:
        vendor = vendors.by_domain(row.key)
        return (vendor.id, vendor) if vendor else (registrable_domain(row.key), None)
    if "sign-in" in how:
        vendor = vendors.by_name(row.name)  # sign-ins of apps the tenant does not list
        if vendor is not None:
            return vendor.id, vendor
    return None


def row_sanction(row: Any, app: Any | None, sanctioned: Iterable[str]) -> RowSanction:
    """The sanction state of one row of :func:`inventory_query.apps` (``app``: its facts)."""
    if app is not None and app.first_party:
        return RowSanction(None, row.name, (), first_party=True)  # the provider's own apps
    names: set[str] = set()
    is_app = app is not None or "grant" in (row.how or ())
    if is_app:
        names.add(str(row.key).lower())
    found = _subject(row, app)
    if found is not None:
        subject, vendor = found
        names.add(subject)
        if vendor is not None:
            names |= {vendor.id, *vendor.domains}
        entry, label = subject, (vendor.name if vendor else subject)
    elif is_app and _ENTRY.match(str(row.key).lower()):
        # No vendor yet (no domain, not in the catalog): the app id is still an entry the
        # rules honour once a later scan or catalog ties the app to a vendor.
        entry, label = str(row.key).lower(), row.name
    else:
        entry, label = None, row.name
    return RowSanction(entry, label, tuple(sorted(names & set(sanctioned))))


def entry_label(entry: str) -> str:
    """A sanctioned entry as people know it: the catalog vendor's name when there is one."""
    vendors = load_catalogs().vendors
    vendor = vendors.get(entry)
    if vendor is None and "." in entry:
        owner = vendors.by_domain(entry)
        # Only a domain the rules match exactly (not a mail or sub-domain) names the vendor.
        vendor = owner if owner is not None and entry in owner.domains else None
    return vendor.name if vendor is not None else entry


def with_entry(current: EngagementSettings, entry: str) -> list[str]:
    """The sanctioned list with ``entry`` added (validation is the service's)."""
    return [*current.sanctioned, entry]


def without_entries(current: EngagementSettings, entries: Iterable[str]) -> list[str]:
    """The sanctioned list without ``entries`` (entries not on it are ignored)."""
    gone = {entry.strip().lower() for entry in entries}
    return [entry for entry in current.sanctioned if entry not in gone]


# -- licence prices ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SkuPrice:
    """The price per user-month the next scan uses for one SKU, and where it comes from."""

    label: str  # the catalog's friendly name, else the tenant's SKU name
    list_price: float | None  # None: the catalog does not know the SKU
    negotiated: float | None

    @property
    def used(self) -> float | None:
        return self.negotiated if self.negotiated is not None else self.list_price


def _catalog_sku(sku_id: str, sku_name: str | None) -> Sku | None:
    return load_catalogs().skus.get(sku_id, sku_name)


def sku_aliases(sku_id: str, sku_name: str | None = None) -> set[str]:
    """Every key a price override of this SKU may be stored under (the catalog looks up all)."""
    sku = _catalog_sku(sku_id, sku_name)
    keys = {sku_id, sku_name or "", *((sku.sku_id, sku.part_number) if sku else ())}
    return {key.lower() for key in keys if key}


def sku_price(sku_id: str, sku_name: str | None, prices: Mapping[str, float]) -> SkuPrice:
    """List and negotiated price of one SKU, looked up the way the scan's catalog does."""
    sku = _catalog_sku(sku_id, sku_name)
    order = (sku_id, sku_name, *((sku.sku_id, sku.part_number) if sku else ()))
    negotiated = next((prices[k.lower()] for k in order if k and k.lower() in prices), None)
    label = sku.name if sku is not None else (sku_name or sku_id)
    return SkuPrice(label, sku.price if sku is not None else None, negotiated)


def priced_skus(skus: Sequence[Any], settings: EngagementSettings) -> dict[str, SkuPrice]:
    """:func:`sku_price` of every row of :func:`inventory_query.licences`, by SKU id."""
    return {k.sku_id: sku_price(k.sku_id, k.sku_name, settings.sku_prices) for k in skus}


def with_price(
    current: EngagementSettings, sku_id: str, sku_name: str | None, price: float | None
) -> dict[str, float]:
    """The price overrides with this SKU's replaced (``None``: back to the list price).

    Every alias goes first, so the SKU never carries two prices of which only the catalog's
    look-up order would tell which one wins.
    """
    aliases = sku_aliases(sku_id, sku_name)
    prices = {k: v for k, v in current.sku_prices.items() if k not in aliases}
    if price is not None:
        prices[sku_id] = price
    return prices


def parse_price(typed: str, label: str) -> float:
    """A price per user-month as typed (``12``, ``12.5``, ``12.50``), or a precise refusal."""
    value = typed.strip()
    if not value:
        raise ValidationFailed(
            f"Enter the negotiated price of {label}, or clear it to use the list price."
        )
    try:
        price = Decimal(value)
    except InvalidOperation:
        price = Decimal("NaN")
    if not price.is_finite():
        raise ValidationFailed(f"The price of {label} must be a number, like 4.50.")
    if not 0 <= price <= Decimal(str(MAX_PRICE)):
        raise ValidationFailed(
            f"The price of {label} must be between 0 and {MAX_PRICE:,.0f} a user a month."
        )
    if price != price.quantize(_CENT):
        raise ValidationFailed(f"The price of {label} can have at most two decimals (cents).")
    return float(price)
