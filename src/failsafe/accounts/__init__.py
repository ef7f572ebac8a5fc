"""Accounts (direct customers, partners, FailSafe staff) and their users."""
