"""A local stand-in for the Anthropic Messages API that records every request it receives."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

Answer = Callable[[dict[str, Any]], dict[str, Any]]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def fake_anthropic(
    answer: Answer, *, status: int = 200, delay: float = 0.0
) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Serve POST /v1/messages on loopback; yields (base URL, recorded request bodies).

    ``status`` other than 200 answers every request with that API error; ``delay`` holds each
    answer back that many seconds (a slow API).
    """
    requests: list[dict[str, Any]] = []

    async def messages(request: Request) -> JSONResponse:
        body = json.loads(await request.body())
        requests.append({"body": body, "headers": dict(request.headers)})
        if delay:
            await asyncio.sleep(delay)
        if status != 200:
            error = {"type": "api_error", "message": "the fake API is failing"}
            return JSONResponse({"type": "error", "error": error}, status_code=status)
        tool_input = answer(body)
        return JSONResponse(
            {
                "id": f"msg_{len(requests)}",
                "type": "message",
                "role": "assistant",
                "model": body["model"],
                "content": [
                    {"type": "tool_use", "id": "toolu_1", "name": "classify_vendor",
                     "input": tool_input}
                ],
                "stop_reason": "tool_use",
                "stop_sequence": None,
                "usage": {"input_tokens": 10, "output_tokens": 10},
            }
        )  # fmt: skip

    port = _port()
    app = Starlette(routes=[Route("/v1/messages", messages, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", requests
    finally:
        server.should_exit = True
        thread.join(timeout=5)


def vendor_of(body: dict[str, Any]) -> dict[str, str]:
    """The vendor the request asks about (the user turn is JSON data)."""
    (message,) = body["messages"]
    return dict(json.loads(message["content"])["vendor"])
