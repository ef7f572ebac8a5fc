"""Signed-in clients for the users of :mod:`tests.world` (passwords set, MFA enrolled)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import psycopg

from failsafe.accounts.passwords import PasswordService
from failsafe.settings import Settings
from tests.accounts.helpers import FakeClock
from tests.portal.pagekit import PASSWORD, enrol, sign_in
from tests.world import World, as_system, build_world


def world_with_passwords(owner: psycopg.Connection, settings: Settings) -> World:
    """The shared isolation world, every user with the test password and a confirmed email."""
    world = build_world(owner)
    digest = PasswordService.from_settings(settings).hash(PASSWORD)
    with owner.transaction():
        as_system(owner)
        owner.execute("UPDATE users SET password_hash = %s, email_verified_at = now()", (digest,))
    return world


async def signed_in(
    make: Callable[[], httpx.AsyncClient], user: str, clock: FakeClock
) -> httpx.AsyncClient:
    """A client signed in as ``user`` of the world; partners and admins enrol MFA first."""
    http = make()
    landed = await sign_in(http, f"{user}@example.test")
    if landed == "/mfa/enrol":
        await enrol(http, clock)
    return http
