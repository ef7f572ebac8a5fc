"""The web process's start-up leaves its long-lived objects out of garbage collection."""

from __future__ import annotations

import gc

from fastapi import FastAPI


async def test_startup_freezes_what_is_alive(app: FastAPI) -> None:
    gc.unfreeze()
    assert gc.get_freeze_count() == 0

    async with app.router.lifespan_context(app):
        frozen = gc.get_freeze_count()

    # Everything alive then (modules, templates, the app itself) is exempt from collections.
    assert frozen > 0
