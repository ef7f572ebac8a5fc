"""Fixtures for the accounts tests (shared with tests/web)."""

from tests.accounts.fixtures import app, client, clock, new_client, outbox, test_settings

__all__ = ["app", "client", "clock", "new_client", "outbox", "test_settings"]
