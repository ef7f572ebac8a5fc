"""Read-only connectors to tenant APIs: one guarded HTTP layer, one package per provider."""
