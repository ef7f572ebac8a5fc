"""Shipped catalogs: SaaS vendors, OAuth scopes, license SKUs and framework controls.

Every catalog is a data file in ``failsafe/catalog/data`` validated with pydantic when first
loaded (:func:`failsafe.catalog.loader.load_catalogs`), and then indexed once for fast lookups.
"""

from failsafe.catalog.loader import Catalogs, load_catalogs

__all__ = ["Catalogs", "load_catalogs"]
