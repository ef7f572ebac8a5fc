from __future__ import annotations

import psycopg

from tests.world import build_world


def test_fresh_database_is_migrated_and_empty(owner: psycopg.Connection) -> None:
    build_world(owner)
    with owner.transaction():
        owner.execute("SELECT set_config('failsafe.role', 'system', true)")
        row = owner.execute("SELECT count(*) FROM engagements").fetchone()
    assert row == (4,)
