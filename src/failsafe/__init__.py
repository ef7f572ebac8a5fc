"""FailSafe: a read-only posture scanner for Microsoft 365 and Google Workspace tenants."""

__version__ = "0.1.0"
