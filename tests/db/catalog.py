"""Discover the schema's engagement-scoped tables and fill them with one row per engagement,
whatever columns later migrations give them."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import psycopg
from psycopg import sql

SCHEMA = "failsafe"

# Values a generic generator cannot guess from the column type or a simple IN-list check.
OVERRIDES: dict[str, dict[str, object]] = {
    "audit_log": {"action": "test.isolation_row"},
    # An "accept" needs a reason and an expiry; a "resolve" needs neither.
    "finding_reviews": {"action": "resolve", "fingerprint": "f" * 64},
    "findings": {"rule_id": "ID-001", "fingerprint": "f" * 64},
}

_IN_LIST = re.compile(r"\(\(?(\w+)\)? = ANY \(\(?ARRAY\['([^']*)'")


@dataclass(frozen=True)
class Column:
    name: str
    udt: str
    nullable: bool
    has_default: bool


def engagement_scoped_tables(conn: psycopg.Connection) -> list[str]:
    """Every table in the schema with an engagement_id column (engagements itself excluded)."""
    rows = conn.execute(
        "SELECT c.table_name FROM information_schema.columns c"
        " JOIN information_schema.tables t USING (table_schema, table_name)"
        " WHERE c.table_schema = %s AND c.column_name = 'engagement_id'"
        " AND t.table_type = 'BASE TABLE' ORDER BY 1",
        (SCHEMA,),
    ).fetchall()
    return [row[0] for row in rows]


def _columns(conn: psycopg.Connection, table: str) -> list[Column]:
    rows = conn.execute(
        "SELECT column_name, udt_name, is_nullable = 'YES',"
        " column_default IS NOT NULL OR is_identity = 'YES' OR is_generated = 'ALWAYS'"
        " FROM information_schema.columns WHERE table_schema = %s AND table_name = %s"
        " ORDER BY ordinal_position",
        (SCHEMA, table),
    ).fetchall()
    return [Column(*row) for row in rows]


def _in_list_choices(conn: psycopg.Connection, table: str) -> dict[str, str]:
    rows = conn.execute(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype = 'c'",
        (f"{SCHEMA}.{table}",),
    ).fetchall()
    choices: dict[str, str] = {}
    for (definition,) in rows:
        for column, first in _IN_LIST.findall(definition):
            choices.setdefault(column, first)
    return choices


def _enum_first_label(conn: psycopg.Connection, udt: str) -> str | None:
    row = conn.execute(
        "SELECT e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid"
        " WHERE t.typname = %s ORDER BY e.enumsortorder LIMIT 1",
        (udt,),
    ).fetchone()
    return None if row is None else str(row[0])


def _value_for(conn: psycopg.Connection, column: Column) -> object:
    simple: dict[str, object] = {
        "uuid": uuid.uuid4(),
        "text": "x",
        "varchar": "x",
        "int2": 1,
        "int4": 1,
        "int8": 1,
        "numeric": 1,
        "float4": 1.0,
        "float8": 1.0,
        "bool": False,
        "jsonb": psycopg.types.json.Jsonb({}),
        "json": "{}",
        "timestamptz": "2026-01-01T00:00:00Z",
        "timestamp": "2026-01-01T00:00:00",
        "date": "2026-01-01",
        "bytea": b"\x00",
        "inet": "127.0.0.1",
    }
    if column.udt in simple:
        return simple[column.udt]
    if column.udt.startswith("_"):
        return []
    label = _enum_first_label(conn, column.udt)
    if label is not None:
        return label
    raise AssertionError(f"no test value for column type {column.udt}: add one to OVERRIDES")


def insert_row(conn: psycopg.Connection, table: str, engagement_id: uuid.UUID) -> None:
    """Insert one row of ``table`` for ``engagement_id``; foreign keys are not checked."""
    choices = _in_list_choices(conn, table)
    values: dict[str, object] = {"engagement_id": engagement_id}
    for column in _columns(conn, table):
        if column.name in values or column.nullable or column.has_default:
            continue
        override = OVERRIDES.get(table, {}).get(column.name)
        values[column.name] = (
            override
            if override is not None
            else choices.get(column.name) or _value_for(conn, column)
        )
    statement = sql.SQL("INSERT INTO {}.{} ({}) VALUES ({})").format(
        sql.Identifier(SCHEMA),
        sql.Identifier(table),
        sql.SQL(", ").join(sql.Identifier(name) for name in values),
        sql.SQL(", ").join(sql.Placeholder() for _ in values),
    )
    conn.execute(statement, list(values.values()))
