"""Connections: one provider tenant inside an engagement, with its sealed credentials."""
