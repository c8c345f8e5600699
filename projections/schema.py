"""A view's columns written once, giving both its DuckDB DDL and its Arrow schema."""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

log = logging.getLogger(__name__)

_TYPES: dict[str, tuple[str, pa.DataType]] = {
    "text": ("VARCHAR", pa.string()),
    "int": ("BIGINT", pa.int64()),
    "money": ("DECIMAL(18,4)", pa.decimal128(18, 4)),
    "number": ("DECIMAL(18,6)", pa.decimal128(18, 6)),
    # a unit price or hourly rate: six decimals like a number, written like money
    "price": ("DECIMAL(18,6)", pa.decimal128(18, 6)),
    "date": ("DATE", pa.date32()),
    "timestamp": ("TIMESTAMP", pa.timestamp("us")),
    "bool": ("BOOLEAN", pa.bool_()),
    "blob": ("BLOB", pa.binary()),
}


@dataclass(frozen=True)
class Table:
    """A read-model table: its name and its (column, kind) pairs."""

    name: str
    columns: Sequence[tuple[str, str]]
    indexes: Sequence[str] = ()

    def ddl(self) -> list[str]:
        cols = ", ".join(f"{name} {_TYPES[kind][0]}" for name, kind in self.columns)
        statements = [f"CREATE TABLE IF NOT EXISTS {self.name} ({cols})"]
        statements += [
            f"CREATE INDEX IF NOT EXISTS {self.name}_{column}_idx ON {self.name} ({column})"
            for column in self.indexes
        ]
        return statements

    @property
    def column_names(self) -> list[str]:
        return [name for name, _ in self.columns]

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([(name, _TYPES[kind][1]) for name, kind in self.columns])

    def arrow(self, rows: Sequence[dict[str, Any]]) -> pa.Table:
        """The rows as one Arrow table (a missing key is NULL), instants as in `utc_naive`."""
        schema = self.schema
        # Arrow reads aware instants in UTC and naive ones as they stand, in C.
        aware = pa.schema(
            [
                (name, _UTC if kind == "timestamp" else _TYPES[kind][1])
                for name, kind in self.columns
            ]
        )
        return pa.Table.from_pylist(list(rows), schema=aware).cast(schema)


_UTC = pa.timestamp("us", tz="UTC")


def utc_naive(value: datetime | None) -> datetime | None:
    """Views store instants as UTC `TIMESTAMP`s (DuckDB's time zones need ICU)."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def create_tables(cursor: Any, tables: Sequence[Table], retired: Sequence[str] = ()) -> None:
    """Create the tables (and indexes) that are missing. A file written by a version whose
    tables differ has them all dropped first: the views are derived data, folded again
    from the log's start, and so is a file holding `retired` tables (which no view writes
    any more: they are dropped)."""
    changed = outdated_table(cursor, tables)
    if changed is None:
        changed = next((name for name in retired if name in base_tables(cursor)), None)
    if changed is not None:
        log.warning("the read model's table %s changed shape: rebuilding it from the log", changed)
        for table in tables:
            cursor.execute(f"DROP TABLE IF EXISTS {table.name}")
    for name in retired:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
    for table in tables:
        for statement in table.ddl():
            cursor.execute(statement)


def outdated_table(cursor: Any, tables: Sequence[Table]) -> str | None:
    """The first of `tables` the file holds with other columns than declared, or lacks
    while holding others (a view added since the file was folded), if any. A history
    table alone may be missing: it fills from the next rebuild."""
    declared = {t.name: [(n, _TYPES[k][0]) for n, k in t.columns] for t in tables}
    found: dict[str, list[tuple[str, str]]] = {}
    for name, column, kind in cursor.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
    ).fetchall():
        if name in declared:
            found.setdefault(name, []).append((column, kind))
    changed = next((name for name, columns in found.items() if columns != declared[name]), None)
    if changed is not None or not found:
        return changed
    return next(
        (t.name for t in tables if t.name not in found and not t.name.endswith("_history")),
        None,
    )


def base_tables(cursor: Any, excluding: Collection[str] = ()) -> list[str]:
    """The tables of the open database's main schema, by name, but those in `excluding`."""
    found = cursor.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
        "AND table_catalog = current_database() AND table_type = 'BASE TABLE' "
        "ORDER BY table_name"
    ).fetchall()
    return [str(name) for (name,) in found if name not in excluding]
