"""Determinism and lazy generation: person i is a pure function of (seed, i)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx

from failsafe.sandbox import TenantSpec, running_sandbox
from failsafe.sandbox.graph_model import user_json
from failsafe.sandbox.people import email, person
from tests.sandbox.helpers import graph_pages, graph_token

ANCHOR = datetime(2026, 6, 1, tzinfo=UTC)


def _users(spec: TenantSpec, client: httpx.Client) -> list[dict[str, object]]:
    with running_sandbox(spec) as sandbox:
        token = graph_token(sandbox, client)
        pages = graph_pages(
            sandbox,
            client,
            token,
            "/users",
            {"$select": "id,userPrincipalName,accountEnabled,createdDateTime"},
        )
    return [u for page in pages for u in page]


def test_same_seed_same_tenant(client: httpx.Client) -> None:
    spec = TenantSpec(seed=9, users=150, profile="risky", anchor=ANCHOR)
    again = TenantSpec(seed=9, users=150, profile="risky", anchor=ANCHOR)
    assert _users(spec, client) == _users(again, client)


def test_other_seed_other_tenant(client: httpx.Client) -> None:
    first = _users(TenantSpec(seed=9, users=20, anchor=ANCHOR), client)
    second = _users(TenantSpec(seed=10, users=20, anchor=ANCHOR), client)
    assert first != second


def test_large_tenant_is_generated_lazily() -> None:
    spec = TenantSpec(seed=5, users=5_000_000)
    started = time.perf_counter()
    last = user_json(spec, spec.users - 1, frozenset({"id", "userPrincipalName"}))
    assert time.perf_counter() - started < 0.5
    assert str(last["userPrincipalName"]).startswith(person(spec, "microsoft", 4_999_999).local)


def test_emails_are_unique_and_realistic() -> None:
    spec = TenantSpec(seed=5, users=3000)
    emails = [email(spec, "microsoft", person(spec, "microsoft", i)) for i in range(3000)]
    assert len(set(emails)) == 3000
    members = [e for e in emails if "#ext#" not in e]
    assert len({e.rpartition("@")[2] for e in members}) == 1
    assert len(members) < len(emails)  # some guests


def test_deep_pages_cost_the_same_as_the_first(client: httpx.Client) -> None:
    from failsafe.sandbox.graph_paging import encode_skip
    from tests.sandbox.helpers import graph_get

    spec = TenantSpec(seed=5, users=50_000)
    params = {"$select": "id,userPrincipalName,accountEnabled,signInActivity", "$top": "500"}
    with running_sandbox(spec) as sandbox:
        token = graph_token(sandbox, client)
        timings = []
        for offset in (0, 25_000, 49_500, 0, 49_500):
            query = params | ({"$skiptoken": encode_skip(offset)} if offset else {})
            started = time.perf_counter()
            body = graph_get(sandbox, client, token, "/users", query).json()
            timings.append(time.perf_counter() - started)
            assert len(body["value"]) == 500
        assert "@odata.nextLink" not in body
    assert max(timings) < 1.5
