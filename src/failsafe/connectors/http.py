"""The tenant HTTP client: bounded concurrency, retries with back-off, JSON decoding.

One :class:`TenantHttp` per scanned tenant. Every request takes a slot of the tenant's semaphore
(``scan_concurrency``) only while it is on the wire, never while it waits to retry. Transient
failures (429, 5xx, Google's rate-limit 403 reasons, timeouts, resets, malformed bodies) are
retried up to ``http_max_retries`` times, waiting ``Retry-After`` when the server says so and
exponential back-off otherwise; the sleep function is injectable so tests never wait for real.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx
import orjson
import structlog

from failsafe.connectors.errors import AccessDenied, RetriesExhausted, UnexpectedResponse

log = structlog.get_logger(__name__)

Sleep = Callable[[float], Awaitable[None]]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Google signals quota exhaustion with 403 and one of these reasons; they clear with time.
GOOGLE_RATE_REASONS = frozenset(
    {"userRateLimitExceeded", "rateLimitExceeded", "quotaExceeded", "backendError"}
)
MAX_BACKOFF_SECONDS = 32.0
TRANSIENT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


class TokenSource(Protocol):
    """Something that yields a bearer token and can be told the last one was rejected."""

    async def token(self, http: TenantHttp) -> str: ...

    def invalidate(self, rejected: str) -> None:
        """Forget ``rejected`` (no-op when a newer token was minted meanwhile)."""


@dataclass
class RequestStats:
    """Counters for progress and the benchmark (no tenant content)."""

    sent: int = 0
    retried: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    # Seconds requests held a concurrency slot, summed: divided by (slots x wall time) it says
    # how full the scan kept its concurrency; divided by ``sent``, how long a request took.
    slot_seconds: float = 0.0

    def count(self, kind: str) -> None:
        self.sent += 1
        self.by_kind[kind] = self.by_kind.get(kind, 0) + 1


@dataclass(frozen=True)
class HttpOptions:
    concurrency: int = 8
    max_retries: int = 6
    timeout_seconds: float = 30.0


class TenantHttp:
    """Async HTTP for one tenant over a guarded httpx client."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        options: HttpOptions,
        *,
        sleep: Sleep = asyncio.sleep,
        log_fields: Mapping[str, str] | None = None,
    ) -> None:
        self.client = client
        self.options = options
        self.stats = RequestStats()
        self._slots = asyncio.Semaphore(options.concurrency)
        self.sleep = sleep
        self._log = log.bind(**dict(log_fields or {}))

    async def get_json(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, str]] | None = None,
        auth: TokenSource,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """GET a JSON object, retrying transient failures."""
        return await self.send_json("GET", url, params=params, auth=auth, headers=headers)

    async def send_json(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, str]] | None = None,
        auth: TokenSource | None = None,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
    ) -> dict[str, Any]:
        """:meth:`send` for a JSON object body, a malformed one retried as transient.

        The body is decoded once, by the acceptance check itself: pages of 1,000 messages make
        JSON decoding the scanner's largest CPU cost, and a second decode doubled it.
        """
        decoded: list[dict[str, Any]] = []

        def accept(response: httpx.Response) -> None:
            decoded.append(decode_json(response))

        await self.send(
            method, url, params=params, auth=auth, headers=headers, content=content, accept=accept
        )
        return decoded[-1]

    async def send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, str]] | None = None,
        auth: TokenSource | None = None,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        data: Mapping[str, str] | None = None,
        accept: Callable[[httpx.Response], None] | None = None,
    ) -> httpx.Response:
        """Send with retries; return the first non-transient response or raise.

        ``accept`` may raise :class:`UnexpectedResponse` on a 2xx whose body is malformed; that
        counts as transient (a truncated page is retried like a reset connection).
        """
        refreshed, problem = False, "no attempt made"
        for attempt in range(self.options.max_retries + 1):
            request_headers = dict(headers or {})
            token = await auth.token(self) if auth is not None else ""
            if auth is not None:
                request_headers["Authorization"] = f"Bearer {token}"
            outcome = await self._attempt(method, url, params, request_headers, content, data)
            if isinstance(outcome, httpx.Response):
                if outcome.status_code == 401 and auth is not None and not refreshed:
                    # An expired or revoked token: mint a new one once, then judge again.
                    auth.invalidate(token)
                    refreshed, problem = True, "HTTP 401"
                    continue
                wait = retry_delay(outcome, attempt)
                if wait is None:
                    if accept is None or outcome.is_error:
                        return raise_for_status(outcome)
                    try:
                        accept(outcome)
                        return outcome
                    except UnexpectedResponse as exc:
                        wait = backoff(attempt)
                        problem = exc.reason
                else:
                    problem = f"HTTP {outcome.status_code}"
            else:
                wait, problem = backoff(attempt), type(outcome).__name__
            if attempt == self.options.max_retries:
                break
            self.stats.retried += 1
            self._log.info("http.retry", path=httpx.URL(url).path, problem=problem, wait=wait)
            await self.sleep(wait)
        raise RetriesExhausted(
            f"{method} {httpx.URL(url).path} still failing after "
            f"{self.options.max_retries} retries ({problem})"
        )

    async def _attempt(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | list[tuple[str, str]] | None,
        headers: dict[str, str],
        content: bytes | None,
        data: Mapping[str, str] | None,
    ) -> httpx.Response | Exception:
        async with self._slots:
            # urlsplit, not httpx.URL: httpx validates every character and parses the URL again
            # itself; the counter only needs the host.
            self.stats.count(urlsplit(url).netloc + " " + method)
            started = time.perf_counter()
            try:
                response = await self.client.request(
                    method,
                    url,
                    params=params,  # type: ignore[arg-type]
                    headers=headers,
                    content=content,
                    data=data,
                    timeout=self.options.timeout_seconds,
                )
                await response.aread()
            except TRANSIENT_ERRORS as exc:
                return exc
            finally:
                self.stats.slot_seconds += time.perf_counter() - started
        return response


def decode_json(response: httpx.Response) -> dict[str, Any]:
    """The JSON object of a 2xx response (callers use ``accept=require_json`` to retry)."""
    try:
        payload = orjson.loads(response.content)
    except ValueError as exc:
        raise UnexpectedResponse(f"malformed JSON from {response.url.path}") from exc
    if not isinstance(payload, dict):
        raise UnexpectedResponse(f"expected a JSON object from {response.url.path}")
    return payload


def require_json(response: httpx.Response) -> None:
    """``accept`` hook: a 2xx must carry a JSON object."""
    decode_json(response)


def retry_delay(response: httpx.Response, attempt: int) -> float | None:
    """How long to wait before retrying ``response``, or None when it is not transient."""
    status = response.status_code
    if status == 403 and google_reason(response) in GOOGLE_RATE_REASONS:
        return parse_retry_after(response.headers.get("Retry-After")) or backoff(attempt)
    if status not in RETRY_STATUSES:
        return None
    return parse_retry_after(response.headers.get("Retry-After")) or backoff(attempt)


def backoff(attempt: int) -> float:
    """Exponential back-off with jitter, capped (Google's and Microsoft's guidance)."""
    return min(2.0**attempt + random.uniform(0, 1), MAX_BACKOFF_SECONDS)  # noqa: S311


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds (a float, possibly fractional) or an HTTP date."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def error_details(response: httpx.Response) -> tuple[str | None, str | None]:
    """(code, message) from a Graph or Google error body, if it has one."""
    try:
        payload = orjson.loads(response.content)
    except ValueError:
        return None, None
    error = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(error, dict):
        code = error.get("code")
        reasons = [e.get("reason") for e in error.get("errors", []) if isinstance(e, dict)]
        if reasons and reasons[0]:
            code = reasons[0]
        return (str(code) if code is not None else None), _short(error.get("message"))
    if isinstance(error, str):  # OAuth token endpoints: {"error": "...", "error_description"}
        return error, _short(payload.get("error_description"))
    return None, None


def google_reason(response: httpx.Response) -> str | None:
    code, _ = error_details(response)
    return code


def _short(message: Any) -> str | None:
    return str(message)[:200] if message is not None else None


def raise_for_status(response: httpx.Response) -> httpx.Response:
    """Return a 2xx/3xx response; map 401/403 to AccessDenied and the rest to Unexpected."""
    status = response.status_code
    if status < 400:
        return response
    code, message = error_details(response)
    where = response.url.path
    detail = f"{status} from {where}" + (f": {code}" if code else "")
    if message:
        detail += f" ({message})"
    if status in (401, 403):
        raise AccessDenied(detail)
    raise UnexpectedResponse(detail, status=status, code=code)
