"""Every route of the app, from its own route table, called as outsiders: 401/403/404 only,
and never a victim's identifier in the answer.

The victim is client_a1 (its account, engagement, user, session and API token). The outsiders
are a client of another partner (client_b1), another partner (partner_b) and nobody. Path
parameters are filled with the victim's ids; bodies are generated from each route's own schema
so that the handler's access check, not body validation, decides the answer.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from tests.accounts.flows import Signed, give_world_passwords, sign_in_full
from tests.accounts.helpers import FakeClock
from tests.world import build_world

PARAM = re.compile(r"{([a-z_]+)(?::[a-z]+)?}")
# Routes that are about the caller only, or public by design (no object id of anyone else).
SELF_ONLY_PREFIXES = ("/api/v1/auth/", "/health/", "/static/")
# Portal pages send a signed-out browser to the sign-in page instead of answering 401.
REDIRECTS = (302, 303, 307)
# Path parameters that are not UUIDs get a well-formed value of their own.
FILLERS = {"fingerprint": "0" * 64}
VICTIM_NAMES = {"client_a1.user@example.test", "eng_a1", "client_a1"}


def _sample(schema: dict[str, Any], defs: dict[str, Any], victim: uuid.UUID) -> Any:
    if "$ref" in schema:
        return _sample(defs[schema["$ref"].split("/")[-1]], defs, victim)
    for combo in ("anyOf", "oneOf", "allOf"):
        if combo in schema:
            options = [s for s in schema[combo] if s.get("type") != "null"] or schema[combo]
            return _sample(options[0], defs, victim)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {name: _sample(sub, defs, victim) for name, sub in props.items()}
    if kind == "array":
        return [_sample(schema.get("items", {}), defs, victim)]
    if kind == "integer":
        return max(1, int(schema.get("minimum", 1)))
    if kind == "boolean":
        return False
    fmt = schema.get("format")
    if fmt == "uuid":
        return str(victim)
    if fmt == "date-time":
        return "2030-01-01T00:00:00Z"
    if "pattern" in schema and "@" in schema["pattern"]:
        return "sweep@example.org"
    return "sweep-value-" + "x" * max(0, int(schema.get("minLength", 0)) - 12)


def _body(app: FastAPI, route: RouteContext, victim: uuid.UUID) -> Any | None:
    schema = app.openapi()
    operation = schema["paths"].get(route.path_format or "")
    if operation is None:
        return None
    method = next(iter(route.methods or {"get"})).lower()
    content = operation.get(method, {}).get("requestBody", {}).get("content", {})
    body_schema = content.get("application/json", {}).get("schema")
    if body_schema is None:
        return None
    return _sample(body_schema, schema.get("components", {}).get("schemas", {}), victim)


def _object_routes(app: FastAPI) -> list[RouteContext]:
    """Every API route of the app (included routers flattened) that takes an object id."""
    return [
        route
        for route in iter_route_contexts(app.routes)
        if isinstance(route.original_route, APIRoute)
        and route.path
        and PARAM.search(route.path)
        and not route.path.startswith(SELF_ONLY_PREFIXES)
    ]


@pytest.fixture
async def victim(client: httpx.AsyncClient, owner: psycopg.Connection, clock: FakeClock):  # type: ignore[no-untyped-def]
    world = build_world(owner)
    give_world_passwords(owner, world)
    signed = await sign_in_full(client, "client_a1.user", clock)
    token = (
        await client.post("/api/v1/me/tokens", json={"name": "v"}, headers=signed.headers())
    ).json()
    sessions = (await client.get("/api/v1/me/sessions")).json()
    ids = {
        "engagement_id": world.engagements["eng_a1"],
        "account_id": world.accounts["client_a1"],
        "user_id": world.users["client_a1.user"],
        "session_id": uuid.UUID(sessions[0]["id"]),
        "token_id": uuid.UUID(token["id"]),
    }
    return world, ids


async def test_every_object_route_refuses_outsiders(
    app: FastAPI, victim, new_client, clock: FakeClock
) -> None:
    _world, ids = victim
    routes = _object_routes(app)
    assert any("{engagement_id}" in route.path for route in routes)
    outsiders: dict[str, Signed | None] = {
        "other_client": await sign_in_full(new_client(), "client_b1.user", clock),
        "other_partner": await sign_in_full(new_client(), "partner_b.user", clock),
        "signed_out": None,
    }
    anonymous = new_client()
    forbidden = {str(value) for value in ids.values()} | VICTIM_NAMES
    checked = 0
    for route in routes:
        assert route.path is not None
        path = route.path
        for name in PARAM.findall(route.path):
            value = ids.get(name, FILLERS.get(name, ids["engagement_id"]))
            path = re.sub(r"{" + name + r"(?::[a-z]+)?}", str(value), path)
        body = _body(app, route, ids["engagement_id"])
        for method in route.methods or ():
            for who, signed in outsiders.items():
                http = signed.http if signed else anonymous
                headers = signed.headers() if signed else {}
                response = await http.request(method, path, json=body, headers=headers)
                label = f"{who} {method} {route.path}"
                is_page = not route.path.startswith("/api/")
                allowed = (401, 403, 404, *(REDIRECTS if is_page else ()))
                assert response.status_code in allowed, (label, response.text)
                if signed is None:
                    expected = (401, *(REDIRECTS if is_page else ()))
                    assert response.status_code in expected, label
                # An id the caller sent may be echoed (a sign-in redirect's "next"); anything
                # else of the victim's must never appear.
                sent = path + json.dumps(body)
                leaks = {value for value in forbidden if value not in sent}
                answer = response.text + response.headers.get("location", "")
                for secret in leaks:
                    assert secret not in answer, (label, secret)
                checked += 1
    assert checked >= 3 * len(routes)


async def test_partner_sees_its_clients_but_not_others(
    victim, new_client, clock: FakeClock
) -> None:
    world, _ids = victim
    partner = await sign_in_full(new_client(), "partner_a.user", clock)
    own = await partner.http.get(f"/api/v1/engagements/{world.engagements['eng_a1']}")
    assert own.status_code == 200
    foreign = await partner.http.get(f"/api/v1/engagements/{world.engagements['eng_b1']}")
    assert foreign.status_code == 404
    listed = {row["id"] for row in (await partner.http.get("/api/v1/engagements")).json()}
    assert listed == {str(world.engagements["eng_a1"]), str(world.engagements["eng_a2"])}


async def test_admin_reads_are_audited(
    victim, new_client, clock: FakeClock, owner: psycopg.Connection
) -> None:
    world, _ids = victim
    admin = await sign_in_full(new_client(), "staff.admin", clock)
    engagement_id = world.engagements["eng_b1"]
    assert (await admin.http.get(f"/api/v1/engagements/{engagement_id}")).status_code == 200
    with owner.transaction():
        owner.execute("SELECT set_config('failsafe.role', 'system', true)")
        rows = owner.execute(
            "SELECT engagement_id FROM audit_log WHERE action = 'admin.engagement_read'"
        ).fetchall()
    assert (engagement_id,) in rows
