"""Load, validate and index every shipped catalog once per process."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from failsafe.catalog.controls import load_controls
from failsafe.catalog.models import Control
from failsafe.catalog.scopes import ScopeCatalog, load_scopes
from failsafe.catalog.skus import SkuCatalog, load_skus
from failsafe.catalog.vendors import VendorCatalog, load_categories, load_vendors
from failsafe.detections.model import Framework


@dataclass(frozen=True)
class Catalogs:
    """The vendor, scope, SKU and control catalogs, validated and indexed."""

    vendors: VendorCatalog
    scopes: ScopeCatalog
    skus: SkuCatalog
    controls: dict[tuple[Framework, str], Control]


@lru_cache(maxsize=1)
def load_catalogs() -> Catalogs:
    """Every catalog, read from the package data (raises on the first invalid record)."""
    categories = load_categories()
    catalogs = Catalogs(
        vendors=VendorCatalog(load_vendors(categories), categories),
        scopes=ScopeCatalog(load_scopes()),
        skus=SkuCatalog(load_skus()),
        controls=load_controls(),
    )
    return catalogs


def priced_catalogs(sku_prices: Mapping[str, float]) -> Catalogs:
    """The shipped catalogs with an engagement's negotiated SKU prices over the list prices."""
    catalogs = load_catalogs()
    if not sku_prices:
        return catalogs
    return replace(catalogs, skus=catalogs.skus.with_prices(sku_prices))
