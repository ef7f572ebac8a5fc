"""Every sealed column in the schema, so rotation can find them all."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class SealedColumn:
    """A text column holding sealed values, keyed by a UUID primary key ``id``."""

    table: str
    column: str

    def associated_data(self, row_id: uuid.UUID | str) -> str:
        """The associated data binding a sealed value to its row and column."""
        return f"{self.table}.{self.column}:{row_id}"


CONNECTION_CREDENTIALS = SealedColumn("connections", "sealed_credentials")

SEALED_COLUMNS: list[SealedColumn] = [CONNECTION_CREDENTIALS]


def register(column: SealedColumn) -> SealedColumn:
    """Add a sealed column defined by another domain (call at import of its module)."""
    if column not in SEALED_COLUMNS:
        SEALED_COLUMNS.append(column)
    return column
