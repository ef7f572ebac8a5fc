"""License SKUs: friendly names, list prices (overridable per engagement) and overlaps."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from failsafe.catalog.datafile import rows, split_list
from failsafe.catalog.models import Sku

# SKU names that are free or trial whatever the catalog says (Microsoft's "viral" SKUs).
_FREE_MARKERS = ("FREE", "VIRAL", "EXPLORATORY", "TRIAL")


def load_skus() -> tuple[Sku, ...]:
    """Microsoft and Google SKUs from the shipped table."""
    return tuple(
        Sku(
            provider=provider,
            sku_id=sku_id,
            part_number=part,
            name=name,
            price=float(price),
            productivity=productivity == "y",
            includes=split_list(includes),
        )
        for provider, sku_id, part, name, price, productivity, includes in rows("skus.txt", 7)
    )


class SkuCatalog:
    """SKU look-ups by id or part number, prices with per-engagement overrides."""

    def __init__(self, skus: Iterable[Sku], overrides: Mapping[str, float] | None = None) -> None:
        self.skus = tuple(skus)
        self._by_key: dict[str, Sku] = {}
        for sku in self.skus:
            for key in (sku.sku_id.lower(), sku.part_number.lower()):
                self._by_key.setdefault(key, sku)
        for sku in self.skus:
            for included in sku.includes:
                if included.lower() not in self._by_key:
                    raise ValueError(f"{sku.part_number} includes unknown SKU {included}")
        self._overrides = {k.lower(): float(v) for k, v in (overrides or {}).items()}

    def with_prices(self, overrides: Mapping[str, float]) -> SkuCatalog:
        """A copy whose prices are replaced for the SKU ids or part numbers in ``overrides``."""
        for value in overrides.values():
            if float(value) < 0:
                raise ValueError("a price override cannot be negative")
        return SkuCatalog(self.skus, {**self._overrides, **overrides})

    def get(self, sku_id: str, sku_name: str | None = None) -> Sku | None:
        """Match on the id, then on the part number (Google: ``product/sku`` or the sku id)."""
        for key in (sku_id, sku_name, sku_id.rpartition("/")[2]):
            if key:
                found = self._by_key.get(key.lower())
                if found is not None:
                    return found
        return None

    def price(self, sku_id: str, sku_name: str | None = None) -> float | None:
        """Monthly list price per seat (override first); None when the SKU is unknown."""
        sku = self.get(sku_id, sku_name)
        for key in (
            sku_id,
            sku_name,
            sku.sku_id if sku else None,
            sku.part_number if sku else None,
        ):
            if key and key.lower() in self._overrides:
                return self._overrides[key.lower()]
        return sku.price if sku is not None else None

    def is_free(self, sku_id: str, sku_name: str | None = None) -> bool:
        """Free SKUs never produce license findings; unknown SKUs are paid unless named free."""
        price = self.price(sku_id, sku_name)
        if price is not None:
            return price == 0
        name = (sku_name or "").upper()
        return any(marker in name for marker in _FREE_MARKERS)

    def includes(self, outer: Sku, inner: Sku) -> bool:
        """True when ``outer`` makes ``inner`` redundant on one user."""
        return inner.part_number in outer.includes
