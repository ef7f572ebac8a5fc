"""Microsoft Graph connector (app-only, read-only application permissions)."""
