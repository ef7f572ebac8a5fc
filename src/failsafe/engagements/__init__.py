"""Engagements: the unit every customer record is scoped to."""
