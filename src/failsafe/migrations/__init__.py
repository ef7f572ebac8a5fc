"""Alembic migrations. They run as the owner role, one small step each, with a lock timeout."""
