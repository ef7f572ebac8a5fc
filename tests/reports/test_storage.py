from __future__ import annotations

import hashlib
import stat
import uuid
from pathlib import Path

import pytest

from failsafe.errors import NotFound, ValidationFailed
from failsafe.reports.storage import (
    ChecksumMismatch,
    LocalDirectoryStore,
    count_engagement_files,
    delete_engagement_files,
    get_verified,
    report_key,
)


@pytest.fixture
def store(tmp_path: Path) -> LocalDirectoryStore:
    return LocalDirectoryStore(tmp_path / "storage")


async def test_put_get_delete_round_trip(store: LocalDirectoryStore) -> None:
    key = report_key(uuid.uuid4(), uuid.uuid4())
    stored = await store.put(key, b"%PDF-1.7 hello")
    assert stored.sha256 == hashlib.sha256(b"%PDF-1.7 hello").hexdigest()
    assert stored.size == 14
    assert await store.get(key) == b"%PDF-1.7 hello"
    await store.delete(key)
    with pytest.raises(NotFound):
        await store.get(key)
    await store.delete(key)  # idempotent


async def test_files_are_private_and_no_temporaries_remain(store: LocalDirectoryStore) -> None:
    key = "reports/a/b.pdf"
    await store.put(key, b"one")
    await store.put(key, b"two")
    path = store.root / "reports" / "a" / "b.pdf"
    assert path.read_bytes() == b"two"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["b.pdf"]


async def test_checksum_mismatch_is_detected(store: LocalDirectoryStore) -> None:
    key = "reports/e/r.pdf"
    stored = await store.put(key, b"%PDF-1.7 original")
    assert await get_verified(store, key, stored.sha256) == b"%PDF-1.7 original"
    (store.root / "reports" / "e" / "r.pdf").write_bytes(b"%PDF-1.7 tampered")
    with pytest.raises(ChecksumMismatch):
        await get_verified(store, key, stored.sha256)


@pytest.mark.parametrize(
    "key", ["../x.pdf", "/etc/passwd", "reports/../../x.pdf", "a//b.pdf", "A/B.pdf", "x", ""]
)
async def test_unsafe_keys_are_refused(store: LocalDirectoryStore, key: str) -> None:
    with pytest.raises(ValidationFailed):
        await store.put(key, b"x")
    with pytest.raises(ValidationFailed):
        await store.get(key)


async def test_engagement_files_are_counted_and_deleted_alone(store: LocalDirectoryStore) -> None:
    doomed, kept = uuid.uuid4(), uuid.uuid4()
    for engagement in (doomed, doomed, kept):
        await store.put(report_key(engagement, uuid.uuid4()), b"%PDF-1.7")
    assert await count_engagement_files(store, doomed) == 2

    assert await delete_engagement_files(store, doomed) == 2
    assert not (store.root / "reports" / str(doomed)).exists()
    assert await count_engagement_files(store, kept) == 1
    assert await delete_engagement_files(store, doomed) == 0  # idempotent after a crash


@pytest.mark.parametrize("prefix", ["../reports", "reports/../..", "/etc", "reports/", ""])
async def test_unsafe_prefixes_are_refused(store: LocalDirectoryStore, prefix: str) -> None:
    with pytest.raises(ValidationFailed):
        await store.delete_prefix(prefix)
