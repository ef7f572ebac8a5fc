"""Where report files live: a small key/value interface and its local-directory implementation.

Keys are relative paths of plain segments (``reports/<engagement>/<report>.pdf``), never derived
from tenant text. The store does not judge integrity: the ``reports`` row records the SHA-256
and :func:`get_verified` checks it on every read, so a file changed or swapped on the volume is
refused instead of served. An S3-compatible store implements the same methods (a prefix is a
key prefix there, a folder here).

Every file of an engagement sits under :func:`engagement_prefix`, which is what deletion and
retention remove through :func:`delete_engagement_files`.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import structlog

from failsafe.errors import FailSafeError, NotFound, ValidationFailed
from failsafe.settings import Settings

log = structlog.get_logger(__name__)

_KEY = re.compile(r"^[a-z0-9_-]+(?:/[a-z0-9_-]+)*\.[a-z0-9]{2,5}$")
_PREFIX = re.compile(r"^[a-z0-9_-]+(?:/[a-z0-9_-]+)*$")


class ChecksumMismatch(FailSafeError):
    """A stored file does not match the SHA-256 recorded when it was written."""

    status = 500
    code = "storage_integrity"


@dataclass(frozen=True, slots=True)
class StoredObject:
    key: str
    sha256: str
    size: int


class ReportStore(Protocol):
    """put/get/delete by key; implementations are safe to share between tasks."""

    async def put(self, key: str, data: bytes) -> StoredObject:
        """Write ``data`` under ``key`` (replacing it), durably, and return its checksum."""
        ...

    async def get(self, key: str) -> bytes:
        """The bytes under ``key``; NotFound when absent."""
        ...

    async def delete(self, key: str) -> None:
        """Remove ``key``; absent keys are fine (deletion is idempotent)."""
        ...

    async def count_prefix(self, prefix: str) -> int:
        """How many objects lie under the folder ``prefix``."""
        ...

    async def delete_prefix(self, prefix: str) -> int:
        """Remove every object under the folder ``prefix``; returns how many went."""
        ...


def report_key(engagement_id: uuid.UUID, report_id: uuid.UUID) -> str:
    """The storage key of one report file."""
    return f"reports/{engagement_id}/{report_id}.pdf"


def engagement_prefix(engagement_id: uuid.UUID) -> str:
    """The folder holding every stored file of one engagement."""
    return f"reports/{engagement_id}"


def check_prefix(prefix: str) -> str:
    """``prefix`` if it is a plain relative folder; ValidationFailed otherwise (no traversal)."""
    if not _PREFIX.match(prefix) or len(prefix) > 300:
        raise ValidationFailed("invalid storage prefix")
    return prefix


def check_key(key: str) -> str:
    """``key`` if it is a plain relative path; ValidationFailed otherwise (no traversal)."""
    if not _KEY.match(key) or len(key) > 300:
        raise ValidationFailed("invalid storage key")
    return key


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def get_verified(store: ReportStore, key: str, sha256: str) -> bytes:
    """The bytes under ``key``, refused with ChecksumMismatch unless they hash to ``sha256``."""
    data = await store.get(key)
    if sha256_hex(data) != sha256:
        log.error("report.checksum_mismatch", key=key, size=len(data))
        raise ChecksumMismatch("the stored report does not match its recorded checksum")
    return data


class LocalDirectoryStore:
    """Files under one directory (``Settings.storage_dir``; a volume in production)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).split("/"))

    async def put(self, key: str, data: bytes) -> StoredObject:
        path = self._path(key)
        await asyncio.to_thread(self._write, path, data)
        return StoredObject(key, sha256_hex(data), len(data))

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Write beside the target and rename: a reader never sees half a file, and a crash
        # leaves the previous version (or nothing) in place.
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            temporary.replace(path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise

    async def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError as exc:
            raise NotFound("report file not found") from exc

    async def delete(self, key: str) -> None:
        path = self._path(key)
        await asyncio.to_thread(path.unlink, missing_ok=True)

    def _folder(self, prefix: str) -> Path:
        return self.root.joinpath(*check_prefix(prefix).split("/"))

    async def count_prefix(self, prefix: str) -> int:
        return await asyncio.to_thread(_count_files, self._folder(prefix))

    async def delete_prefix(self, prefix: str) -> int:
        return await asyncio.to_thread(self._remove_folder, self._folder(prefix))

    @staticmethod
    def _remove_folder(folder: Path) -> int:
        removed = _count_files(folder)
        # A folder that is already gone is fine: deletion jobs are retried after a crash.
        if folder.is_dir():
            shutil.rmtree(folder)
        return removed


def _count_files(folder: Path) -> int:
    if not folder.is_dir():
        return 0
    return sum(1 for path in folder.rglob("*") if path.is_file())


def store_for(settings: Settings) -> ReportStore:
    """The report store this process uses (the local directory under ``storage_dir``)."""
    return LocalDirectoryStore(settings.storage_dir)


async def count_engagement_files(store: ReportStore, engagement_id: uuid.UUID) -> int:
    """How many files :func:`delete_engagement_files` would remove (for dry runs)."""
    return await store.count_prefix(engagement_prefix(engagement_id))


async def delete_engagement_files(store: ReportStore, engagement_id: uuid.UUID) -> int:
    """Remove every stored file of ``engagement_id``; returns how many went (idempotent)."""
    return await store.delete_prefix(engagement_prefix(engagement_id))
