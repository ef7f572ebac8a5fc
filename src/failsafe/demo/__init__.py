"""The demo: everything on one machine against the built-in sandbox tenants."""
