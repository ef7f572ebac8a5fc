"""Fixtures for the web tests (shared with tests/accounts)."""

from tests.accounts.fixtures import app, client, clock, new_client, outbox, test_settings

__all__ = ["app", "client", "clock", "new_client", "outbox", "test_settings"]
