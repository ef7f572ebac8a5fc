"""Rotation re-seals every stored secret with the primary key."""

from __future__ import annotations

import psycopg
from sqlalchemy import text

from failsafe.db.actor import SystemActor
from failsafe.db.engine import Database
from failsafe.secrets.keyring import KeyRing, generate_key
from failsafe.secrets.registry import CONNECTION_CREDENTIALS
from failsafe.secrets.rotation import rotate_all
from tests.world import build_world


async def test_rotation_reseals_every_stored_secret(
    owner: psycopg.Connection, db: Database
) -> None:
    world = build_world(owner)
    old_spec, new_spec = f"old:{generate_key()}", f"new:{generate_key()}"
    old_ring = KeyRing.parse(old_spec)
    actor = SystemActor("test")
    plaintexts: dict[str, bytes] = {}

    async with db.transaction(actor) as session:
        for name, engagement_id in world.engagements.items():
            row_id = (
                await session.execute(
                    text(
                        "INSERT INTO connections (engagement_id, provider, tenant_ref)"
                        " VALUES (:e, 'microsoft', :t) RETURNING id"
                    ),
                    {"e": engagement_id, "t": f"{name}.onmicrosoft.com"},
                )
            ).scalar_one()
            secret = f"secret-for-{name}".encode()
            plaintexts[str(row_id)] = secret
            sealed = old_ring.seal(secret, CONNECTION_CREDENTIALS.associated_data(row_id))
            await session.execute(
                text("UPDATE connections SET sealed_credentials = :s WHERE id = :id"),
                {"s": sealed, "id": row_id},
            )

    rotated = KeyRing.parse(f"{new_spec},{old_spec}")
    async with db.transaction(actor) as session:
        results = await rotate_all(session, rotated)
    # Every sealed column is visited; only the connections hold secrets in this world.
    assert [(r.column, r.examined, r.resealed) for r in results] == [
        ("connections.sealed_credentials", 4, 4),
        ("mfa_totp.sealed_secret", 0, 0),
    ]

    async with db.transaction(actor) as session:
        again = await rotate_all(session, rotated)
        rows = (await session.execute(text("SELECT id, sealed_credentials FROM connections"))).all()
    assert again[0].resealed == 0
    new_only = KeyRing.parse(new_spec)
    for row_id, sealed in rows:
        assert new_only.key_id_of(sealed) == "new"
        aad = CONNECTION_CREDENTIALS.associated_data(row_id)
        assert new_only.open(sealed, aad) == plaintexts[str(row_id)]
