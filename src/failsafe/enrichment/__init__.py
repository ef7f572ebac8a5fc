"""AI classification of vendors the catalog does not know (names and domains only)."""
