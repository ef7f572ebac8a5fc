"""Run one section of a scan: a named unit that is either collected or not assessed.

A section that raises :class:`CollectionError` is recorded as not assessed with its reason and
the rest of the scan carries on. Any other exception is a bug or a refused write and ends the
scan. Before a section starts and after it ends the runner calls the scan's checkpoint, which
raises :class:`ScanStopped` when the connection was revoked: running scans stop at the next
section boundary.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

import structlog

from failsafe.connectors.errors import CollectionError
from failsafe.inventory.builder import InventoryBuilder
from failsafe.inventory.model import Section

log = structlog.get_logger(__name__)

Checkpoint = Callable[[], Awaitable[None]]
Progress = Callable[[int, str], Awaitable[None]]
Work = Callable[[], Awaitable[int]]


class ScanStopped(Exception):
    """The scan was told to stop (its connection was revoked)."""


async def no_checkpoint() -> None:
    """Default checkpoint: never stop."""


async def no_progress(percent: int, detail: str) -> None:
    """Default progress sink: ignore."""


@dataclass
class SectionRunner:
    """Runs sections against one builder, reporting progress by weight."""

    builder: InventoryBuilder
    weights: Mapping[Section, int]
    checkpoint: Checkpoint = no_checkpoint
    progress: Progress = no_progress
    log_fields: Mapping[str, str] = field(default_factory=dict)
    _done: int = 0

    async def run(self, section: Section, work: Work, *, needs: tuple[Section, ...] = ()) -> bool:
        """Run ``work`` as ``section``; True when it was collected."""
        await self.checkpoint()
        missing = [need for need in needs if not self.builder.is_collected(need)]
        if missing:
            reason = "needs " + ", ".join(m.value for m in missing) + ", which was not assessed"
            self._not_assessed(section, reason)
        else:
            try:
                records = await work()
            except CollectionError as exc:
                self._not_assessed(section, exc.reason)
            else:
                self.builder.collected(section, records)
                log.info(
                    "scan.section_collected",
                    section=section.value,
                    records=records,
                    **self.log_fields,
                )
        await self._advance(section)
        await self.checkpoint()
        return self.builder.is_collected(section)

    def _not_assessed(self, section: Section, reason: str) -> None:
        self.builder.not_assessed(section, reason)
        log.warning("scan.section_failed", section=section.value, reason=reason, **self.log_fields)

    async def _advance(self, section: Section) -> None:
        self._done += self.weights.get(section, 1)
        total = max(sum(self.weights.values()), 1)
        await self.progress(min(5 + 85 * self._done // total, 90), f"{section.value} done")


async def run_all(*coroutines: Awaitable[object]) -> None:
    """Run section chains concurrently; a non-collection failure cancels the rest and is
    re-raised as itself (not wrapped in an ExceptionGroup) so callers can tell what happened."""
    try:
        async with asyncio.TaskGroup() as group:
            for coroutine in coroutines:
                group.create_task(_awaited(coroutine))
    except BaseExceptionGroup as grouped:
        raise _first_leaf(grouped) from grouped


async def _awaited(awaitable: Awaitable[object]) -> None:
    await awaitable


def _first_leaf(grouped: BaseExceptionGroup[BaseException]) -> BaseException:
    first = grouped.exceptions[0]
    return _first_leaf(first) if isinstance(first, BaseExceptionGroup) else first
