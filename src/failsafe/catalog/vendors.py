"""The vendor catalog and its lookup indexes (domain with parents, publisher, app name)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from failsafe.catalog.datafile import rows, split_list
from failsafe.catalog.domains import host_and_parents, normalise_host
from failsafe.catalog.models import Category, Vendor

# Words that say nothing about which vendor an app or publisher is.
_NOISE = frozenset(
    [
        "inc",
        "inc.",
        "llc",
        "ltd",
        "limited",
        "gmbh",
        "corp",
        "corporation",
        "co",
        "company",
        "plc",
        "sa",
        "ag",
        "bv",
        "the",
        "app",
        "apps",
        "for",
        "technologies",
        "technology",
        "software",
        "labs",
        "hq",
    ]
)
_NON_WORD = re.compile(r"[^a-z0-9]+")

# Identity providers: sign-ins through them are SSO by construction.
_SSO_VENDORS = frozenset({"okta", "onelogin", "jumpcloud", "duo-security", "auth0"})


def normalise_name(name: str) -> str:
    """Fold case, accents, punctuation and company suffixes: ``Otter.ai, Inc.`` -> ``otter ai``."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = [w for w in _NON_WORD.split(folded) if w and w not in _NOISE]
    return " ".join(words)


def load_categories() -> dict[str, Category]:
    """The closed list of vendor categories."""
    return {
        f[0]: Category(id=f[0], label=f[1], description=f[2]) for f in rows("categories.txt", 3)
    }


def load_vendors(categories: dict[str, Category]) -> tuple[Vendor, ...]:
    """Every shipped vendor, validated; unknown categories and duplicate domains are errors."""
    vendors: list[Vendor] = []
    for slug, name, domains, category, risk, mail, publishers in rows("vendors.txt", 7):
        if category not in categories:
            raise ValueError(f"vendor {slug}: unknown category {category!r}")
        vendors.append(
            Vendor(
                id=slug,
                name=name,
                domains=split_list(domains),
                mail_domains=split_list(mail),
                category=category,
                risk=risk,
                publishers=split_list(publishers),
                notes=categories[category].description,
                sso=slug in _SSO_VENDORS,
            )
        )
    return tuple(vendors)


class VendorCatalog:
    """Vendors indexed for per-message and per-app lookups (dictionary hits only)."""

    def __init__(self, vendors: Iterable[Vendor], categories: dict[str, Category]) -> None:
        self.categories = categories
        self.by_id: dict[str, Vendor] = {}
        self._by_domain: dict[str, Vendor] = {}
        self._by_name: dict[str, Vendor] = {}
        for vendor in vendors:
            if vendor.id in self.by_id:
                raise ValueError(f"duplicate vendor id {vendor.id}")
            self.by_id[vendor.id] = vendor
            for domain in (*vendor.domains, *vendor.mail_domains):
                if domain in self._by_domain:
                    raise ValueError(f"domain {domain} listed for two vendors")
                self._by_domain[domain] = vendor
        # Names and publishers after domains so an exact domain always wins.
        for vendor in self.by_id.values():
            for label in (vendor.name, *vendor.name.split("/"), *vendor.publishers):
                key = normalise_name(label)
                if key and key not in self._by_name:
                    self._by_name[key] = vendor

    def __len__(self) -> int:
        return len(self.by_id)

    def get(self, vendor_id: str) -> Vendor | None:
        """The vendor with this slug."""
        return self.by_id.get(vendor_id)

    def by_domain(self, host: str) -> Vendor | None:
        """The vendor owning ``host`` or its nearest listed parent domain."""
        if not host:
            return None
        for candidate in host_and_parents(normalise_host(host)):
            vendor = self._by_domain.get(candidate)
            if vendor is not None:
                return vendor
        return None

    def by_name(self, name: str | None) -> Vendor | None:
        """The vendor whose name or publisher normalises to the same words as ``name``."""
        if not name:
            return None
        key = normalise_name(name)
        if not key:
            return None
        found = self._by_name.get(key)
        if found is None and " " in key:
            # "Otter.ai Notetaker" -> "otter ai": try the leading words, longest first.
            words = key.split()
            for end in range(len(words) - 1, 0, -1):
                found = self._by_name.get(" ".join(words[:end]))
                if found is not None:
                    break
        return found

    def match_app(
        self, domains: Iterable[str], publisher: str | None, display_name: str | None
    ) -> Vendor | None:
        """Vendor of an OAuth app: by its domains, then its publisher, then its name."""
        for domain in domains:
            vendor = self.by_domain(domain)
            if vendor is not None:
                return vendor
        return self.by_name(publisher) or self.by_name(display_name)
