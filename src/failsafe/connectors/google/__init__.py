"""Google Workspace connector (service account with domain-wide delegation, read-only)."""
