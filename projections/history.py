"""Validity intervals for document views (V9): every state a row went through.

`<table>_history` has the view's columns plus `valid_from` and `valid_to` (open while
current), so the view as of T is `valid_from <= T AND (valid_to IS NULL OR valid_to > T)`:
a query, not a replay. Every intermediate state within a batch is kept, not only the last,
except a state without rows after a state without rows: it would show the same nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from projections.base import DocumentView, Folded
from projections.documents import UNBOUNDED, insert, position_bound
from projections.quarantine import RowCheck
from projections.schema import Table

# Keys of documents last seen without rows, remembered up to this many per view.
_EMPTY_KEPT = 200_000


def history_table(view: DocumentView) -> Table:
    """The history table of a view: its columns plus the validity interval."""
    return Table(
        f"{view.table.name}_history",
        [*view.table.columns, ("valid_from", "timestamp"), ("valid_to", "timestamp")],
    )


class HistoryRecorder:
    """Collects the states of one view's documents during a batch, then writes them.

    A view without history keeps only each document's latest rows; its rows are still
    computed for every state, so a state that fails fails at the same event whatever
    the batch boundaries (see `projections.quarantine`).

    `current` holds each touched document's latest rows, which the runner writes to the
    view itself, so a state's rows are computed once.
    """

    def __init__(self, view: DocumentView) -> None:
        self.view = view
        self.table = history_table(view)
        self.check = RowCheck(view.table)
        self.current: dict[str, list[dict[str, Any]]] = {}
        self._states: dict[str, list[tuple[datetime, list[dict[str, Any]]]]] = defaultdict(list)
        # Documents whose last recorded state had no rows (a closed affair in the
        # pipeline): a further empty state changes no answer and is not recorded.
        self._empty: set[str] = set()

    def rows(self, folded: Folded, checked: bool = True) -> list[dict[str, Any]]:
        """The view's rows for this state, checked to fit its table (raises when not).

        Unless `checked`, a view with history leaves the check to Arrow: every state it
        keeps is converted, and the conversion refuses what its table cannot hold (the
        runner then folds the batch again, checked). A view without history keeps only
        the latest state: its rows are always checked."""
        if checked or not self.view.history:
            return self.check(self.view.rows(folded))
        return self.view.rows(folded)

    def record(self, folded: Folded, key: str) -> None:
        """Keep the rows of this state of the document `key` (one of the view's documents)."""
        self.keep(folded, key, self.rows(folded))

    def keep(self, folded: Folded, key: str, rows: list[dict[str, Any]]) -> None:
        """Keep rows computed by `rows`; a view without history keeps only the latest."""
        self.current[key] = rows
        if not self.view.history:
            return
        if rows:
            self._empty.discard(key)
        elif key in self._empty:
            return
        else:
            if len(self._empty) >= _EMPTY_KEPT:
                self._empty.clear()
            self._empty.add(key)
        self._states[key].append((folded.recorded_at, rows))

    def closing(self) -> list[tuple[str, datetime]]:
        """Each recorded document with the time its open interval ends."""
        return [(key, states[0][0]) for key, states in self._states.items()]

    def intervals(self) -> tuple[list[dict[str, Any]], list[datetime], list[datetime | None]]:
        """The recorded states' rows, each with the start and end of its validity."""
        rows: list[dict[str, Any]] = []
        starts: list[datetime] = []
        ends: list[datetime | None] = []
        for states in self._states.values():
            last = len(states) - 1
            for index, (valid_from, state_rows) in enumerate(states):
                valid_to = states[index + 1][0] if index < last else None
                rows += state_rows
                starts += [valid_from] * len(state_rows)
                ends += [valid_to] * len(state_rows)
        return rows, starts, ends

    def clear(self) -> None:
        self.current = {}
        self._states.clear()

    def forget(self) -> None:
        """Drop what is remembered across batches: after a rollback it may be wrong."""
        self.clear()
        self._empty.clear()


def by_table(recorders: Sequence[HistoryRecorder]) -> list[list[HistoryRecorder]]:
    """The recorders grouped by view table; views sharing one share its key and history."""
    groups: dict[str, list[HistoryRecorder]] = defaultdict(list)
    for recorder in recorders:
        groups[recorder.view.table.name].append(recorder)
    for name, group in groups.items():
        if len({(r.view.key, r.view.history) for r in group}) != 1:
            raise ValueError(f"views sharing {name} must share their key and history")
    return list(groups.values())


def write_histories(
    cursor: duckdb.DuckDBPyConnection,
    groups: Sequence[Sequence[HistoryRecorder]],
    since: Mapping[str, int | None],
) -> dict[str, pa.Table]:
    """Close the open intervals and insert the new states: one statement of each per table.

    `groups` are the recorders of views with history, by table (`by_table`). `since`,
    by view table, bounds the open rows to close as in `projections.documents.replace`
    (None: none of its documents had rows). Returns, by view table, the rows left open
    (each document's latest state, its current rows) as an Arrow batch of the view's
    columns: converted once for both tables."""
    current: dict[str, pa.Table] = {}
    for group in groups:
        closing = [c for recorder in group for c in recorder.closing()]
        if not closing:
            continue
        name, key = group[0].table.name, group[0].view.key
        bound = since.get(group[0].view.table.name, UNBOUNDED)
        if bound is not None:  # else no document of the batch had rows to close
            _close(cursor, name, key, closing, group[0].table, bound)
        rows: list[dict[str, Any]] = []
        starts: list[datetime] = []
        ends: list[datetime | None] = []
        for recorder in group:
            more = recorder.intervals()
            rows += more[0]
            starts += more[1]
            ends += more[2]
        if rows:
            view_table = group[0].view.table
            states = view_table.arrow(rows)
            open_now = states.filter(pa.array([end is None for end in ends], pa.bool_()))
            current[view_table.name] = open_now
            states = states.append_column("valid_from", _naive(starts))
            states = states.append_column("valid_to", _naive(ends))
            insert(cursor, name, states)
    return current


def _close(
    cursor: duckdb.DuckDBPyConnection,
    name: str,
    key: str,
    closing: list[tuple[str, datetime]],
    table: Table,
    since: int,
) -> None:
    """End the open intervals of the `closing` keys at their instants, in one UPDATE."""
    bound = position_bound(table, since, "h.")
    # read by name in the query (DuckDB's replacement scan, as in `documents.insert`)
    closing_batch = pa.table(  # noqa: F841
        {
            "key": pa.array([k for k, _ in closing], pa.string()),
            "closed_at": _naive([t for _, t in closing]),
        }
    )
    cursor.execute(
        f"UPDATE {name} AS h SET valid_to = c.closed_at FROM closing_batch AS c "
        f"WHERE h.{key} = c.key AND h.valid_to IS NULL{bound}"
    )


def _naive(values: Sequence[datetime | None]) -> pa.Array:
    """Instants as UTC `TIMESTAMP`s, like `Table.arrow`."""
    return pa.array(values, _UTC).cast(pa.timestamp("us"))


_UTC = pa.timestamp("us", tz="UTC")
