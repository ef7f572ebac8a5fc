"""Notifications: templated email queued in an outbox and drained by a worker job."""
