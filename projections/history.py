"""Validity intervals for document views (V9): every state a row went through.

`<table>_history` has the view's columns plus `valid_from` and `valid_to` (open while
current), so the view as of T is `valid_from <= T AND (valid_to IS NULL OR valid_to > T)`:
a query, not a replay. Every intermediate state within a batch is kept, not only the last.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import duckdb

from projections.base import DocumentView, Folded
from projections.documents import append
from projections.schema import Table


def history_table(view: DocumentView) -> Table:
    """The history table of a view: its columns plus the validity interval."""
    return Table(
        f"{view.table.name}_history",
        [*view.table.columns, ("valid_from", "timestamp"), ("valid_to", "timestamp")],
        indexes=(view.key, "valid_from", "valid_to"),
    )


class HistoryRecorder:
    """Collects the states of one view's documents during a batch, then writes them."""

    def __init__(self, view: DocumentView) -> None:
        self.view = view
        self.table = history_table(view)
        self._states: dict[str, list[tuple[datetime, list[dict[str, Any]]]]] = defaultdict(list)

    def record(self, folded: Folded) -> None:
        if isinstance(folded.aggregate, self.view.document):
            key = str(folded.aggregate.id)
            self._states[key].append((folded.recorded_at, self.view.rows(folded)))

    def write(self, cursor: duckdb.DuckDBPyConnection) -> None:
        if not self._states:
            return
        closing = Table("closing", [("key", "text"), ("closed_at", "timestamp")])
        cursor.register(
            "closing_batch",
            closing.arrow([{"key": k, "closed_at": s[0][0]} for k, s in self._states.items()]),
        )
        try:
            cursor.execute(
                f"UPDATE {self.table.name} AS h SET valid_to = c.closed_at "
                f"FROM closing_batch AS c WHERE h.{self.view.key} = c.key AND h.valid_to IS NULL"
            )
        finally:
            cursor.unregister("closing_batch")
        rows: list[dict[str, Any]] = []
        for states in self._states.values():
            for index, (valid_from, state_rows) in enumerate(states):
                valid_to = states[index + 1][0] if index + 1 < len(states) else None
                rows += [{**r, "valid_from": valid_from, "valid_to": valid_to} for r in state_rows]
        append(cursor, self.table, rows)
        self._states.clear()
