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
MFA_TOTP_SECRET = SealedColumn("mfa_totp", "sealed_secret")

# Listed here rather than registered by each domain on import: rotation must find every sealed
# column whichever modules the running command happened to import.
SEALED_COLUMNS: tuple[SealedColumn, ...] = (CONNECTION_CREDENTIALS, MFA_TOTP_SECRET)
