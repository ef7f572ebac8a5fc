"""Report files of an engagement, removed through the reports storage interface.

``failsafe.reports.storage.delete_engagement_files(settings, engagement_id) -> int`` is used when
the reports domain provides it. Until then, files under ``storage_dir`` in a folder named after
the engagement id (at any depth up to ``reports/<engagement id>``) are removed.
# Limitation: the fallback knows only the folder-per-engagement layout; once reports.storage
# exposes delete_engagement_files, that function is the single source of truth.
"""

from __future__ import annotations

import importlib
import shutil
import uuid
from pathlib import Path

from failsafe.settings import Settings


def _candidates(root: Path, engagement_id: uuid.UUID) -> list[Path]:
    name = str(engagement_id)
    return [root / name, root / "reports" / name, root / "engagements" / name]


def delete_engagement_files(settings: Settings, engagement_id: uuid.UUID) -> int:
    """Remove every stored file of ``engagement_id``; returns how many files went."""
    try:
        storage = importlib.import_module("failsafe.reports.storage")
    except ImportError:
        storage = None
    delete = getattr(storage, "delete_engagement_files", None)
    if delete is not None:
        return int(delete(settings, engagement_id))

    removed = 0
    for folder in _candidates(settings.storage_dir, engagement_id):
        if folder.is_dir():
            removed += sum(1 for p in folder.rglob("*") if p.is_file())
            shutil.rmtree(folder)
    return removed


def count_engagement_files(settings: Settings, engagement_id: uuid.UUID) -> int:
    """How many files :func:`delete_engagement_files` would remove (for dry runs)."""
    try:
        storage = importlib.import_module("failsafe.reports.storage")
    except ImportError:
        storage = None
    count = getattr(storage, "count_engagement_files", None)
    if count is not None:
        return int(count(settings, engagement_id))
    return sum(
        sum(1 for p in folder.rglob("*") if p.is_file())
        for folder in _candidates(settings.storage_dir, engagement_id)
        if folder.is_dir()
    )
