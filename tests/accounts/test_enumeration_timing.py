"""Answers to existing and unknown emails take the same time (statistically).

Many interleaved samples of each; the medians must agree within a tolerance and the middle
halves of the two distributions must overlap. No single wall-clock sample is trusted.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable

import httpx
import psycopg

from tests.accounts.flows import email_of, give_world_passwords
from tests.accounts.helpers import FakeClock
from tests.world import build_world

SAMPLES = 60


def _quartiles(samples: list[float]) -> tuple[float, float, float]:
    q1, q2, q3 = statistics.quantiles(samples, n=4)
    return q1, q2, q3


def _assert_indistinguishable(known: list[float], unknown: list[float]) -> None:
    k1, k_median, k3 = _quartiles(known)
    u1, u_median, u3 = _quartiles(unknown)
    tolerance = max(0.25 * max(k_median, u_median), 0.003)
    assert abs(k_median - u_median) <= tolerance, (k_median, u_median)
    assert k1 <= u3 and u1 <= k3, ((k1, k3), (u1, u3))


async def _sample(
    clock: FakeClock, known: Callable[[], Awaitable[int]], unknown: Callable[[], Awaitable[int]]
) -> tuple[list[float], list[float]]:
    times: tuple[list[float], list[float]] = ([], [])
    for index in range(SAMPLES):
        clock.advance(minutes=61)  # a fresh rate-limit window for every pair
        pair = (known, unknown) if index % 2 else (unknown, known)
        for call in pair:
            start = time.perf_counter()
            status = await call()
            elapsed = time.perf_counter() - start
            times[0 if call is known else 1].append(elapsed)
            assert status in (202, 401), status
    return times


async def test_sign_in_timing_does_not_reveal_accounts(
    client: httpx.AsyncClient, owner: psycopg.Connection, clock: FakeClock
) -> None:
    give_world_passwords(owner, build_world(owner))

    async def known() -> int:
        body = {"email": email_of("client_a1.user"), "password": "not the password at all"}
        return (await client.post("/api/v1/auth/signin", json=body)).status_code

    async def unknown() -> int:
        body = {"email": "nobody.here@example.test", "password": "not the password at all"}
        return (await client.post("/api/v1/auth/signin", json=body)).status_code

    _assert_indistinguishable(*await _sample(clock, known, unknown))


async def test_reset_timing_does_not_reveal_accounts(
    client: httpx.AsyncClient, owner: psycopg.Connection, clock: FakeClock
) -> None:
    give_world_passwords(owner, build_world(owner))

    async def known() -> int:
        body = {"email": email_of("client_a1.user")}
        return (await client.post("/api/v1/auth/password/forgot", json=body)).status_code

    async def unknown() -> int:
        body = {"email": "nobody.here@example.test"}
        return (await client.post("/api/v1/auth/password/forgot", json=body)).status_code

    _assert_indistinguishable(*await _sample(clock, known, unknown))
