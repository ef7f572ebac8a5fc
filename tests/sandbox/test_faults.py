"""Each fault kind, on deterministic schedules (no sleeping, no races)."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from failsafe.sandbox import Fault, Sandbox
from tests.sandbox.helpers import SCOPE, google_token, graph_get, graph_token


def test_third_request_throttled_then_succeeds(fresh: Sandbox, client: httpx.Client) -> None:
    token = graph_token(fresh, client)
    fault = fresh.faults.add(Fault("graph", "/users", "throttle", nth=(3,), retry_after=2.5))
    statuses = [graph_get(fresh, client, token, "/users").status_code for _ in range(2)]
    throttled = graph_get(fresh, client, token, "/users")
    after = graph_get(fresh, client, token, "/users")
    assert statuses == [200, 200] and after.status_code == 200
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "2.5"
    assert throttled.json()["error"]["code"] == "TooManyRequests"
    assert (fault.seen, fault.fired) == (4, 1)


def test_unavailable_for_the_first_two(fresh: Sandbox, client: httpx.Client) -> None:
    token = graph_token(fresh, client)
    fresh.faults.add(Fault("graph", "/organization", "unavailable", times=2))
    codes = [graph_get(fresh, client, token, "/organization").status_code for _ in range(3)]
    assert codes == [503, 503, 200]


def test_connection_reset(fresh: Sandbox, client: httpx.Client) -> None:
    token = graph_token(fresh, client)
    fresh.faults.add(Fault("graph", "/subscribedSkus", "reset", nth=(1,)))
    with pytest.raises(httpx.RemoteProtocolError):
        graph_get(fresh, client, token, "/subscribedSkus")
    assert graph_get(fresh, client, token, "/subscribedSkus").status_code == 200


def test_malformed_page(fresh: Sandbox, client: httpx.Client) -> None:
    token = graph_token(fresh, client)
    fresh.faults.add(Fault("graph", "/directoryRoles", "malformed", nth=(1,)))
    response = graph_get(fresh, client, token, "/directoryRoles")
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_slow_response_adds_the_delay(fresh: Sandbox, client: httpx.Client) -> None:
    token = graph_token(fresh, client)
    fresh.faults.add(Fault("graph", "/organization", "slow", nth=(1,), delay_ms=300))
    started = time.perf_counter()
    assert graph_get(fresh, client, token, "/organization").status_code == 200
    assert time.perf_counter() - started >= 0.3


def test_batch_item_throttled(fresh: Sandbox, client: httpx.Client) -> None:
    token = graph_token(fresh, client)
    fresh.faults.add(Fault("graph", "/organization", "throttle", nth=(1,), retry_after=3))
    body = {
        "requests": [
            {"id": "a", "method": "GET", "url": "/organization"},
            {"id": "b", "method": "GET", "url": "/users?$select=id&$top=2"},
        ]
    }
    response = client.post(
        fresh.settings_overrides()["graph_base_url"] + "/$batch",
        content=json.dumps(body),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    items = {i["id"]: i for i in response.json()["responses"]}
    assert items["a"]["status"] == 429 and items["a"]["headers"]["Retry-After"] == "3"
    assert items["b"]["status"] == 200 and len(items["b"]["body"]["value"]) == 2
    assert fresh.log.count("/graph/v1.0/users", via="graph_batch") >= 1


def test_batch_over_twenty_is_rejected(fresh: Sandbox, client: httpx.Client) -> None:
    token = graph_token(fresh, client)
    body = {
        "requests": [{"id": str(i), "method": "GET", "url": "/organization"} for i in range(21)]
    }
    response = client.post(
        fresh.settings_overrides()["graph_base_url"] + "/$batch",
        content=json.dumps(body),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400


def test_google_throttle_shape(fresh: Sandbox, client: httpx.Client) -> None:
    token = google_token(fresh, client, scopes=[SCOPE + "admin.directory.user.readonly"])
    fresh.faults.add(Fault("google", "/admin/directory/v1/users", "throttle", nth=(1,)))
    url = fresh.settings_overrides()["google_admin_base_url"] + "/admin/directory/v1/users"
    params = {"customer": "my_customer"}
    headers = {"Authorization": f"Bearer {token}"}
    first = client.get(url, params=params, headers=headers)
    assert first.status_code == 429 and "Retry-After" in first.headers
    assert first.json()["error"]["errors"][0]["reason"] == "rateLimitExceeded"
    assert client.get(url, params=params, headers=headers).status_code == 200


def test_unauthorized_fault_is_a_graph_401(fresh: Sandbox, client: httpx.Client) -> None:
    token = graph_token(fresh, client)
    fresh.faults.add(Fault("graph", "/organization", "unauthorized", nth=(1,)))
    response = graph_get(fresh, client, token, "/organization")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "InvalidAuthenticationToken"


def test_google_rate_limit_403(fresh: Sandbox, client: httpx.Client) -> None:
    token = google_token(fresh, client, scopes=[SCOPE + "admin.directory.user.readonly"])
    fresh.faults.add(Fault("google", "/admin/", "rate_limit_403", nth=(1,)))
    url = fresh.settings_overrides()["google_admin_base_url"] + "/admin/directory/v1/users"
    response = client.get(
        url, params={"customer": "my_customer"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["errors"][0]["reason"] == "userRateLimitExceeded"


def test_fixed_latency_per_request(client: httpx.Client) -> None:
    from failsafe.sandbox import TenantSpec, running_sandbox

    with running_sandbox(TenantSpec(seed=1, users=2), latency_ms=150) as sandbox:
        token = graph_token(sandbox, client)
        started = time.perf_counter()
        assert graph_get(sandbox, client, token, "/organization").status_code == 200
        assert time.perf_counter() - started >= 0.15


def test_throttle_without_retry_after(fresh: Sandbox, client: httpx.Client) -> None:
    token = graph_token(fresh, client)
    fresh.faults.add(
        Fault("graph", "/identity/conditionalAccess", "throttle", nth=(1,), retry_after=None)
    )
    response = graph_get(fresh, client, token, "/identity/conditionalAccess/policies")
    assert response.status_code == 429 and "Retry-After" not in response.headers
    assert "request-id" in response.headers
