"""Fixtures for the portal tests: the accounts test app, mail outbox and clients."""

from tests.accounts.fixtures import app, client, clock, new_client, outbox, test_settings

__all__ = ["app", "client", "clock", "new_client", "outbox", "test_settings"]
