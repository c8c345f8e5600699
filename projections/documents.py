"""Current state of every document, kept beside the views so a batch folds in place.

The runner loads the touched documents' states, applies the batch's events with the
domain's own mutators (so views use exactly the domain's rules), and stores them back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any
from uuid import UUID

import duckdb
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import Transcoder
from eventsourcing.utils import get_topic

from projections.base import Folded, LoggedEvent
from projections.schema import Table

DOCUMENTS = Table(
    "documents",
    [
        ("document_id", "text"),
        ("document_type", "text"),
        ("version", "int"),
        ("position", "int"),
        ("topic", "text"),
        ("state", "blob"),
    ],
    indexes=("document_id",),
)


class DocumentFolder:
    """Loads, folds and stores documents' states for one batch."""

    def __init__(self, transcoder: Transcoder) -> None:
        self.transcoder = transcoder

    def fold(
        self,
        cursor: duckdb.DuckDBPyConnection,
        events: Sequence[LoggedEvent],
        after_each: Callable[[Folded], None] | None = None,
    ) -> dict[UUID, Folded]:
        """Apply the events to their documents; `after_each` sees every intermediate state."""
        ids = list(dict.fromkeys(e.aggregate_id for e in events))
        documents = self._load(cursor, ids)
        folded: dict[UUID, Folded] = {}
        for logged in events:
            document = logged.event.mutate(documents.get(logged.aggregate_id))
            documents[logged.aggregate_id] = document
            state = Folded(document, logged.position, logged.event.timestamp)
            folded[logged.aggregate_id] = state
            if after_each is not None:
                after_each(state)
        return folded

    def store(self, cursor: duckdb.DuckDBPyConnection, folded: dict[UUID, Folded]) -> None:
        rows = [self._row(f) for f in folded.values()]
        replace(cursor, DOCUMENTS, "document_id", [str(i) for i in folded], rows)

    def _load(self, cursor: duckdb.DuckDBPyConnection, ids: Sequence[UUID]) -> dict[UUID, Any]:
        found = cursor.execute(
            "SELECT document_id, version, topic, state FROM documents "
            "WHERE document_id IN (SELECT unnest($ids))",
            {"ids": [str(i) for i in ids]},
        ).fetchall()
        documents: dict[UUID, Any] = {}
        for document_id, version, topic, state in found:
            snapshot = Snapshot(
                originator_id=UUID(document_id),
                originator_version=version,
                timestamp=Snapshot.create_timestamp(),
                topic=topic,
                state=self.transcoder.decode(state),
            )
            documents[UUID(document_id)] = snapshot.mutate(None)
        return documents

    def _row(self, folded: Folded) -> dict[str, Any]:
        snapshot = Snapshot.take(folded.aggregate)
        return {
            "document_id": str(folded.aggregate.id),
            "document_type": type(folded.aggregate).__name__,
            "version": folded.aggregate.version,
            "position": folded.position,
            "topic": get_topic(type(folded.aggregate)),
            "state": self.transcoder.encode(snapshot.state),
        }


def replace(
    cursor: duckdb.DuckDBPyConnection,
    table: Table,
    key: str,
    keys: Iterable[str],
    rows: Sequence[dict[str, Any]],
) -> None:
    """Set-based: delete the rows of these keys, then insert the new rows as one Arrow batch."""
    cursor.execute(
        f"DELETE FROM {table.name} WHERE {key} IN (SELECT unnest($keys))", {"keys": list(keys)}
    )
    append(cursor, table, rows)


def append(cursor: duckdb.DuckDBPyConnection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows as one Arrow batch."""
    if not rows:
        return
    cursor.register("arrow_batch", table.arrow(rows))
    try:
        cursor.execute(f"INSERT INTO {table.name} BY NAME SELECT * FROM arrow_batch")
    finally:
        cursor.unregister("arrow_batch")
