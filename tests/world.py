"""A small multi-tenant world for isolation tests: two partners, their clients, a direct client
and an admin, with one engagement per client. Built as a system actor through the owner role."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import psycopg


@dataclass
class World:
    accounts: dict[str, uuid.UUID] = field(default_factory=dict)
    users: dict[str, uuid.UUID] = field(default_factory=dict)
    engagements: dict[str, uuid.UUID] = field(default_factory=dict)

    def actor_for(self, user: str) -> tuple[uuid.UUID, uuid.UUID]:
        """(user id, account id) for a named user."""
        account = user.split(".")[0]
        return self.users[user], self.accounts[account]


# account name -> (kind, managed by)
ACCOUNTS = {
    "staff": ("internal", None),
    "partner_a": ("partner", None),
    "partner_b": ("partner", None),
    "client_a1": ("customer", "partner_a"),
    "client_a2": ("customer", "partner_a"),
    "client_b1": ("customer", "partner_b"),
    "direct_c": ("customer", None),
}
USERS = {
    "staff.admin": "admin",
    "partner_a.user": "partner",
    "partner_b.user": "partner",
    "client_a1.user": "client",
    "client_a2.user": "client",
    "client_b1.user": "client",
    "direct_c.user": "client",
}
# engagement -> (customer, partner)
ENGAGEMENTS = {
    "eng_a1": ("client_a1", "partner_a"),
    "eng_a2": ("client_a2", "partner_a"),
    "eng_b1": ("client_b1", "partner_b"),
    "eng_c": ("direct_c", None),
}


def as_system(conn: psycopg.Connection) -> None:
    """Bind an unscoped system actor to the connection's current transaction."""
    conn.execute("SELECT set_config('failsafe.role', 'system', true)")


def build_world(conn: psycopg.Connection) -> World:
    """Insert the world in one transaction on ``conn`` (owner or app role)."""
    world = World()
    with conn.transaction():
        as_system(conn)
        for name, (kind, managed_by) in ACCOUNTS.items():
            row = conn.execute(
                "INSERT INTO accounts (kind, name, managed_by_account_id) VALUES (%s, %s, %s)"
                " RETURNING id",
                (kind, name, world.accounts.get(managed_by) if managed_by else None),
            ).fetchone()
            assert row is not None
            world.accounts[name] = row[0]
        for name, role in USERS.items():
            account = name.split(".")[0]
            row = conn.execute(
                "INSERT INTO users (account_id, email, role) VALUES (%s, %s, %s) RETURNING id",
                (world.accounts[account], f"{name}@example.test", role),
            ).fetchone()
            assert row is not None
            world.users[name] = row[0]
        for name, (customer, partner) in ENGAGEMENTS.items():
            row = conn.execute(
                "INSERT INTO engagements (customer_account_id, partner_account_id, name)"
                " VALUES (%s, %s, %s) RETURNING id",
                (world.accounts[customer], world.accounts.get(partner) if partner else None, name),
            ).fetchone()
            assert row is not None
            world.engagements[name] = row[0]
    return world


def visible_engagements(world: World, user: str) -> set[str]:
    """Which engagements a named user may see, by the product's rules."""
    role = USERS[user]
    account = user.split(".")[0]
    if role == "admin":
        return set(ENGAGEMENTS)
    if role == "partner":
        return {name for name, (_, partner) in ENGAGEMENTS.items() if partner == account}
    return {name for name, (customer, _) in ENGAGEMENTS.items() if customer == account}
