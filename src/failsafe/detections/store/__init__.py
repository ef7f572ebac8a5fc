"""Findings in the database: persistence per scan, listing, reviews (accept / resolve)."""
