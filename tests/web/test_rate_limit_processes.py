"""The sign-in limit holds across two separate app processes sharing one database."""

from __future__ import annotations

from pathlib import Path

import httpx
import psycopg

from failsafe.db.urls import DatabaseTarget
from tests.accounts.flows import PASSWORD, email_of, give_world_passwords
from tests.web.live import cloned_database, process_servers
from tests.world import build_world


def test_limit_holds_across_two_processes(
    server_target: DatabaseTarget, template_target: DatabaseTarget, tmp_path: Path
) -> None:
    with cloned_database(server_target, template_target) as target:
        with psycopg.connect(
            target.bootstrap_url, autocommit=True, options="-c search_path=failsafe"
        ) as conn:
            conn.execute("SET ROLE failsafe_owner")
            give_world_passwords(conn, build_world(conn))
        email = email_of("client_a1.user")
        with process_servers(target, tmp_path, count=2) as urls:
            statuses = []
            for attempt in range(6):
                url = urls[attempt % 2]  # alternate between the two processes
                password = PASSWORD if attempt == 5 else "wrong password, long enough"
                response = httpx.post(
                    f"{url}/api/v1/auth/signin", json={"email": email, "password": password}
                )
                statuses.append(response.status_code)
            assert statuses == [401] * 5 + [429]
            assert int(response.headers["retry-after"]) > 0
