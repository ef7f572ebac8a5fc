from __future__ import annotations

import ssl

import httpx
import pytest
import respx

from failsafe.connectors.client import build_client, tls_context
from failsafe.connectors.errors import AccessDenied, RetriesExhausted
from failsafe.connectors.http import HttpOptions, TenantHttp, parse_retry_after
from failsafe.settings import Settings
from tests.connectors.conftest import SleepRecorder

URL = "https://graph.test/v1.0/users"


class StaticToken:
    def __init__(self) -> None:
        self.invalidated = 0
        self.value = "t1"

    async def token(self, http: TenantHttp) -> str:
        return self.value

    def invalidate(self, rejected: str) -> None:
        self.invalidated += 1
        self.value = "t2"


def _http(settings: Settings, sleeps: SleepRecorder, retries: int = 3) -> TenantHttp:
    return TenantHttp(build_client(settings), HttpOptions(2, retries, 5.0), sleep=sleeps)


@respx.mock
async def test_429_waits_for_retry_after_then_succeeds(
    graph_settings: Settings, sleeps: SleepRecorder
) -> None:
    respx.get(URL).mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "2.5"}),
            httpx.Response(200, json={"value": []}),
        ]
    )
    assert await _http(graph_settings, sleeps).get_json(URL, auth=StaticToken()) == {"value": []}
    assert sleeps.waits == [2.5]


@respx.mock
async def test_503_reset_and_timeout_back_off_exponentially(
    graph_settings: Settings, sleeps: SleepRecorder
) -> None:
    respx.get(URL).mock(
        side_effect=[
            httpx.Response(503),
            httpx.ConnectError("reset"),
            httpx.ReadTimeout("slow"),
            httpx.Response(200, json={"ok": True}),
        ]
    )
    assert await _http(graph_settings, sleeps).get_json(URL, auth=StaticToken()) == {"ok": True}
    assert len(sleeps.waits) == 3
    assert 1 <= sleeps.waits[0] < 2 and 2 <= sleeps.waits[1] < 3 and 4 <= sleeps.waits[2] < 5


@respx.mock
async def test_malformed_page_is_retried(graph_settings: Settings, sleeps: SleepRecorder) -> None:
    respx.get(URL).mock(
        side_effect=[
            httpx.Response(200, content=b'{"value": ['),
            httpx.Response(200, json={"value": [1]}),
        ]
    )
    assert await _http(graph_settings, sleeps).get_json(URL, auth=StaticToken()) == {"value": [1]}


@respx.mock
async def test_retries_are_capped_with_a_clear_reason(
    graph_settings: Settings, sleeps: SleepRecorder
) -> None:
    respx.get(URL).mock(return_value=httpx.Response(503))
    with pytest.raises(RetriesExhausted, match="still failing after 2 retries"):
        await _http(graph_settings, sleeps, retries=2).get_json(URL, auth=StaticToken())
    assert len(sleeps.waits) == 2


@respx.mock
async def test_google_rate_limit_403_is_retried_but_permission_403_is_not(
    graph_settings: Settings, sleeps: SleepRecorder
) -> None:
    rate = {"error": {"code": 403, "errors": [{"reason": "userRateLimitExceeded"}]}}
    denied = {"error": {"code": 403, "errors": [{"reason": "forbidden"}], "message": "no"}}
    respx.get(URL).mock(
        side_effect=[httpx.Response(403, json=rate), httpx.Response(403, json=denied)]
    )
    with pytest.raises(AccessDenied, match=r"403 from /v1\.0/users: forbidden"):
        await _http(graph_settings, sleeps).get_json(URL, auth=StaticToken())
    assert len(sleeps.waits) == 1


@respx.mock
async def test_expired_token_is_refreshed_once(
    graph_settings: Settings, sleeps: SleepRecorder
) -> None:
    route = respx.get(URL).mock(
        side_effect=[httpx.Response(401), httpx.Response(200, json={"ok": 1})]
    )
    token = StaticToken()
    assert await _http(graph_settings, sleeps).get_json(URL, auth=token) == {"ok": 1}
    assert token.invalidated == 1
    assert route.calls[1].request.headers["Authorization"] == "Bearer t2"
    assert not sleeps.waits


def test_retry_after_parses_seconds_and_dates() -> None:
    assert parse_retry_after("10") == 10.0
    assert parse_retry_after("2.128") == 2.128
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None


def test_clients_share_one_tls_context_that_verifies_servers() -> None:
    context = tls_context()

    assert tls_context() is context  # loaded once per process, not once per scan
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 0  # a CA bundle is loaded
