"""Run many GETs through Graph JSON ``$batch``, 20 at a time, with bounded concurrency.

Jobs are (key, relative url). Successful pages go to ``on_page``; an item's ``@odata.nextLink``
becomes a new job; 404 items go to ``on_missing`` (a user without a mailbox); throttled or failed
items are retried after their ``Retry-After`` up to the retry cap; 401/403 items stop the pump
with :class:`AccessDenied`. Producers feel back-pressure so pending jobs stay bounded.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from failsafe.connectors.errors import (
    AccessDenied,
    CollectionError,
    RetriesExhausted,
    UnexpectedResponse,
)
from failsafe.connectors.graph.client import BATCH_LIMIT, BatchReply, GraphClient, error_code
from failsafe.connectors.http import backoff

OnPage = Callable[[str, list[dict[str, Any]]], None]
OnMissing = Callable[[str, BatchReply], None]
TRANSIENT = frozenset({429, 500, 502, 503, 504})


@dataclass(slots=True)
class BatchJob:
    key: str
    url: str
    attempts: int = 0


class BatchPump:
    """A pool of batch senders fed by producers; :meth:`run` returns when all jobs are done."""

    def __init__(
        self,
        graph: GraphClient,
        on_page: OnPage,
        *,
        on_missing: OnMissing | None = None,
        workers: int = 4,
        max_pending: int = 2_000,
    ) -> None:
        self._graph = graph
        self._on_page = on_page
        self._on_missing = on_missing
        self._workers = max(workers, 1)
        self._max_pending = max_pending
        self._pending: deque[BatchJob] = deque()
        self._inflight = 0
        self._closed = False
        self._failure: CollectionError | None = None
        self._cond = asyncio.Condition()
        self.items_sent = 0

    @property
    def failed(self) -> bool:
        return self._failure is not None

    async def add(self, jobs: Iterable[BatchJob]) -> None:
        """Queue jobs, waiting while too many are pending (no-op once the pump failed)."""
        async with self._cond:
            await self._cond.wait_for(
                lambda: self._failure is not None or len(self._pending) < self._max_pending
            )
            if self._failure is None:
                self._pending.extend(jobs)
                self._cond.notify_all()

    async def close(self) -> None:
        """No more jobs from producers (follow-up pages may still be added)."""
        async with self._cond:
            self._closed = True
            self._cond.notify_all()

    async def abandon(self, failure: CollectionError) -> None:
        """Stop the pump from outside (its producer failed)."""
        await self._fail(failure)

    async def run(self) -> None:
        """Send batches until every job is done; raise the first CollectionError."""
        await asyncio.gather(*(self._worker() for _ in range(self._workers)))
        if self._failure is not None:
            raise self._failure

    async def _worker(self) -> None:
        while (jobs := await self._take()) is not None:
            try:
                retry, wait = await self._send(jobs)
                if retry:
                    await self._graph.http.sleep(wait)
                    await self._requeue(retry)
            except CollectionError as exc:
                await self._fail(exc)
            finally:
                async with self._cond:
                    self._inflight -= 1
                    self._cond.notify_all()

    async def _take(self) -> list[BatchJob] | None:
        async with self._cond:
            while True:
                if self._failure is not None:
                    return None
                ready = len(self._pending) >= BATCH_LIMIT or (self._pending and self._closed)
                if ready:
                    count = min(BATCH_LIMIT, len(self._pending))
                    self._inflight += 1
                    return [self._pending.popleft() for _ in range(count)]
                if self._closed and self._inflight == 0:
                    return None
                await self._cond.wait()

    async def _send(self, jobs: list[BatchJob]) -> tuple[list[BatchJob], float]:
        replies = await self._graph.batch([(str(i), job.url) for i, job in enumerate(jobs)])
        self.items_sent += len(jobs)
        answered: set[int] = set()
        follow_ups: list[BatchJob] = []
        retry: list[BatchJob] = []
        wait = 0.0
        for reply in replies:
            index = int(reply.id) if reply.id.isdigit() else -1
            if not 0 <= index < len(jobs):
                raise UnexpectedResponse("a $batch reply names a request that was not sent")
            answered.add(index)
            job = jobs[index]
            if reply.status == 200:
                self._on_page(job.key, _values(reply))
                next_link = reply.body.get("@odata.nextLink")
                if isinstance(next_link, str):
                    follow_ups.append(BatchJob(job.key, self._graph.relative(next_link)))
            elif reply.status == 404 and self._on_missing is not None:
                self._on_missing(job.key, reply)
            elif reply.status in (401, 403):
                raise AccessDenied(f"{reply.status} from $batch item: {error_code(reply)}")
            elif reply.status in TRANSIENT:
                job.attempts += 1
                retry.append(job)
                wait = max(wait, reply.retry_after or backoff(job.attempts))
            else:
                raise UnexpectedResponse(
                    f"{reply.status} from $batch item: {error_code(reply)}", status=reply.status
                )
        for index, job in enumerate(jobs):
            if index not in answered:  # a reply lost from the batch is retried like a 503
                job.attempts += 1
                retry.append(job)
                wait = max(wait, backoff(job.attempts))
        cap = self._graph.http.options.max_retries
        if any(job.attempts > cap for job in retry):
            raise RetriesExhausted(f"$batch items still throttled after {cap} retries")
        if follow_ups:
            await self._requeue(follow_ups)
        return retry, wait

    async def _requeue(self, jobs: list[BatchJob]) -> None:
        async with self._cond:
            if self._failure is None:
                self._pending.extendleft(reversed(jobs))
                self._cond.notify_all()

    async def _fail(self, failure: CollectionError) -> None:
        async with self._cond:
            if self._failure is None:
                self._failure = failure
            self._pending.clear()
            self._cond.notify_all()


def _values(reply: BatchReply) -> list[dict[str, Any]]:
    value = reply.body.get("value")
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    if "value" not in reply.body and reply.body:
        return [reply.body]  # a single object (e.g. a resource GET)
    raise UnexpectedResponse("a $batch item has no value list")
