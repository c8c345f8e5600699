"""One snapshot per answer: every query of one view answer reads the same committed state.

DuckDB gives each transaction a snapshot (MVCC) taken at its first query, so an answer
opens a read transaction, reads the projector's tracked position first, and runs all its
queries (the page, its total, sub-totals) in it: a batch the projector commits meanwhile
is invisible to the whole answer, and the position it carries is the state it shows.

`table_at` gives a view's rows as they stood at a time (V9), from `<table>_history`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import duckdb

from projections.schema import utc_naive

# The projector's position row (see `projections.runner`): written in each batch's
# transaction, so the value read in a snapshot is the position of that snapshot.
TRACKING_SQL = "SELECT position FROM projection_tracking WHERE name = 'views'"


class Snapshot:
    """A read transaction on the read model and the log position it stands at.

    It reads like a cursor (`execute`, `fetchall`, `fetchone`, `fetchmany`, `description`)
    so the projections' query functions take it where they take a cursor.
    """

    def __init__(self, cursor: duckdb.DuckDBPyConnection, position: int) -> None:
        self.cursor = cursor
        self.position = position

    def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> Snapshot:
        """Run one query in the snapshot's transaction."""
        self.cursor.execute(sql, parameters)
        return self

    @property
    def description(self) -> Any:
        return self.cursor.description

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self.cursor.fetchall()

    def fetchone(self) -> tuple[Any, ...] | None:
        return self.cursor.fetchone()

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        return self.cursor.fetchmany(size)

    def arrow_batches(
        self, sql: str, parameters: Sequence[Any] = (), batch_size: int = 65_536
    ) -> Any:
        """A query's rows as a stream of Arrow record batches (a `RecordBatchReader`)."""
        relation = self.cursor.sql(sql, params=list(parameters))
        return relation.to_arrow_reader(batch_size)

    def dicts(
        self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()
    ) -> list[dict[str, Any]]:
        """The rows of one query as dictionaries."""
        self.execute(sql, parameters)
        names = [d[0] for d in self.description or []]
        return [dict(zip(names, row, strict=True)) for row in self.fetchall()]

    def count(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> int:
        """How many rows a query gives."""
        rows = self.execute(f"SELECT count(*) FROM ({sql})", parameters).fetchall()
        return int(rows[0][0])


def tracked_position(cursor: Any) -> int:
    """The projector's position as the cursor's transaction sees it (0 before any batch)."""
    rows = cursor.execute(TRACKING_SQL).fetchall()  # to the end: nothing left pending
    return int(rows[0][0]) if rows else 0


@contextmanager
def read_snapshot(cursor: duckdb.DuckDBPyConnection) -> Iterator[Snapshot]:
    """A read transaction on `cursor`; its snapshot is taken by reading the position."""
    cursor.execute("BEGIN TRANSACTION")
    try:
        yield Snapshot(cursor, tracked_position(cursor))
    finally:
        cursor.execute("ROLLBACK")


def literal(value: date | datetime | int) -> str:
    """A typed value as an SQL literal, for the query-time day of computed columns."""
    if isinstance(value, bool) or not isinstance(value, int | date):
        raise TypeError(f"no SQL literal for {value!r}")
    if isinstance(value, datetime):
        naive = utc_naive(value) or value
        return f"TIMESTAMP '{naive.isoformat(sep=' ')}'"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    return str(int(value))


def table_at(table: str, as_of: datetime | None) -> str:
    """The view `table` now, or its rows as they stood at `as_of` (its history, V9)."""
    if as_of is None:
        return table
    instant = literal(as_of)
    return (
        f"(SELECT * EXCLUDE (valid_from, valid_to) FROM {table}_history "
        f"WHERE valid_from <= {instant} AND (valid_to IS NULL OR valid_to > {instant}))"
    )
