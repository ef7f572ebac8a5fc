from __future__ import annotations

import json

import httpx
import pytest

from failsafe.connectors.client import read_guard
from failsafe.connectors.errors import WriteRefused
from failsafe.connectors.google.batch import build_body
from failsafe.settings import Settings


def _request(method: str, url: str, body: bytes = b"") -> httpx.Request:
    return httpx.Request(method, url, content=body)


def test_get_token_and_batches_of_gets_pass(graph_settings: Settings) -> None:
    guard = read_guard(graph_settings)
    guard.check(_request("GET", "https://graph.test/v1.0/users"))
    guard.check(_request("POST", "https://login.test/tenant/oauth2/v2.0/token"))
    guard.check(_request("POST", graph_settings.google_token_uri))
    batch = {"requests": [{"id": "1", "method": "GET", "url": "/users/a/messages"}]}
    guard.check(_request("POST", "https://graph.test/v1.0/$batch", json.dumps(batch).encode()))
    body, _ = build_body(["/gmail/v1/users/a/messages/1?format=metadata"])
    guard.check(_request("POST", graph_settings.google_batch_url, body))


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
def test_every_other_method_is_refused(graph_settings: Settings, method: str) -> None:
    with pytest.raises(WriteRefused):
        read_guard(graph_settings).check(_request(method, "https://graph.test/v1.0/users/x"))


def test_post_elsewhere_is_refused(graph_settings: Settings) -> None:
    with pytest.raises(WriteRefused):
        read_guard(graph_settings).check(_request("POST", "https://graph.test/v1.0/users"))


def test_graph_batch_with_a_write_is_refused(graph_settings: Settings) -> None:
    batch = {
        "requests": [
            {"id": "1", "method": "GET", "url": "/users"},
            {"id": "2", "method": "DELETE", "url": "/users/x"},
        ]
    }
    with pytest.raises(WriteRefused):
        read_guard(graph_settings).check(
            _request("POST", "https://graph.test/v1.0/$batch", json.dumps(batch).encode())
        )


def test_google_batch_with_a_write_is_refused(graph_settings: Settings) -> None:
    body, _ = build_body(["/gmail/v1/users/a/messages/1"])
    body = body.replace(b"GET /gmail", b"DELETE /gmail")
    with pytest.raises(WriteRefused):
        read_guard(graph_settings).check(_request("POST", graph_settings.google_batch_url, body))


async def test_the_transport_raises_before_sending(graph_settings: Settings) -> None:
    from failsafe.connectors.client import build_client

    sent: list[httpx.Request] = []
    inner = httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200))
    async with build_client(graph_settings, inner) as client:
        with pytest.raises(WriteRefused):
            await client.delete("https://graph.test/v1.0/users/x")
    assert sent == []
