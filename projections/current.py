"""The views' current tables: each touched document's rows replaced, once per batch.

A view's current rows are its history batch's open rows (`projections.history`), or, for
a view without history, its documents' latest rows. A view served in another layout
(`projections.base.Served`: `budget_vs_actual` from `budget_figures`) writes that
layout's table instead of its own, whose columns it keeps for its history only.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pyarrow as pa

from projections.base import DocumentView, Served
from projections.documents import replace_batch
from projections.history import HistoryRecorder
from projections.schema import Table


def served(view: DocumentView) -> Sequence[Served]:
    """The tables serving `view` in another layout, if any."""
    found: Sequence[Served] = getattr(view, "served", ())
    return found


def current_tables(view: DocumentView) -> list[Table]:
    """The tables `view`'s current rows go to."""
    return [s.table for s in served(view)] or [view.table]


def write_current(
    cursor: duckdb.DuckDBPyConnection,
    group: Sequence[HistoryRecorder],
    opened: pa.Table | None,
    keys: list[str],
    since: int | None,
) -> None:
    """Replace the `keys`' current rows of the views in `group` (views sharing a table),
    from `opened`, the rows their history left open, if they keep one."""
    view = group[0].view
    batch = opened
    if batch is None and not view.history:
        rows = [row for r in group for state in r.current.values() for row in state]
        batch = view.table.arrow(rows) if rows else None
    laid = [s for r in group for s in served(r.view)]
    if not laid:
        replace_batch(cursor, view.table, view.key, keys, batch, since)
    for other in laid:
        batch_laid = None if batch is None else other.layout(batch)
        replace_batch(cursor, other.table, view.key, keys, batch_laid, since)
