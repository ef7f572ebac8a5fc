"""`db upgrade` refuses a PostgreSQL server older than 16 with a plain message."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import psycopg
import pytest

from failsafe.db.roles import MIN_SERVER_VERSION, _require_server_version
from failsafe.errors import ConfigurationError


def test_the_test_server_is_new_enough(owner: psycopg.Connection) -> None:
    assert owner.info.server_version >= MIN_SERVER_VERSION
    _require_server_version(owner)


def test_an_older_server_is_refused_by_name() -> None:
    # No PostgreSQL 15 server runs here; a connection reporting that version stands in for one.
    older = cast(Any, SimpleNamespace(info=SimpleNamespace(server_version=150012)))

    with pytest.raises(ConfigurationError, match=r"PostgreSQL 16 or later.*is 15$"):
        _require_server_version(older)
