"""Scans: one collection and detection run over one connection."""
