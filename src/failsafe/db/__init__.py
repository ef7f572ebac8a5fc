"""PostgreSQL access: the embedded server, roles, engines and actor-scoped transactions."""
