"""Quarantine: a document whose event cannot be folded stops, the read side does not.

When decoding one of a document's events, applying it, or computing any view's rows
from the state it leads to raises, the document is quarantined at that event's log
position: one row in `quarantine` (document, type, position, version, event type, the
error, the event's recorded time), its view rows, history and stored state left as they
stood after its last good event, and every later event of it skipped and listed in
`quarantine_skipped`. Every other document and view moves on. Folding is deterministic
(every state of every document is checked, whatever the batch boundaries), so a
rebuild quarantines the same documents at the same positions, and `rebuild --verify`
compares these tables like any other.

Only what is computed from one event is caught; reading the log, loading states and
writing DuckDB stay outside, so an unreachable store or a DuckDB error still stops the
batch, which is rolled back and retried.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence, Set
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

import duckdb

from application.journal import CommandContext
from domain.notice import NoticeKind
from projections.base import LoggedEvent
from projections.schema import Table

if TYPE_CHECKING:
    from application.app import Comptoir

log = logging.getLogger(__name__)

QUARANTINE = Table(
    "quarantine",
    [
        ("document_id", "text"),
        ("document_type", "text"),
        ("position", "int"),
        ("version", "int"),
        ("event_type", "text"),
        ("error", "text"),
        ("recorded_at", "timestamp"),
    ],
)

SKIPPED = Table(
    "quarantine_skipped",
    [
        ("document_id", "text"),
        ("position", "int"),
        ("version", "int"),
        ("event_type", "text"),
    ],
)

_ERROR_CHARS = 500


class Undecodable:
    """Stands for a stored event that could not be decoded: applying it raises why."""

    def __init__(self, topic: str, error: Exception) -> None:
        self.topic = topic
        self.error = error

    def mutate(self, _aggregate: Any) -> Any:
        raise self.error


@dataclass(frozen=True)
class Quarantined:
    """A quarantined document and the event it stopped at."""

    document_id: str
    document_type: str
    position: int
    version: int
    event_type: str
    error: str
    recorded_at: datetime | None

    def __str__(self) -> str:
        return (
            f"quarantined: {self.document_type} {self.document_id} at log position "
            f"{self.position} (version {self.version}, {self.event_type}): {self.error}"
        )


def event_type(logged: LoggedEvent) -> str:
    """`Quote.LineAdded`: the event's class, or what its topic names when undecodable."""
    if isinstance(logged.event, Undecodable):
        return logged.event.topic.rpartition(":")[2]
    return str(type(logged.event).__qualname__)


def quarantine_row(logged: LoggedEvent, error: BaseException) -> dict[str, Any]:
    """The `quarantine` row of a document stopped at `logged` by `error`."""
    kind = event_type(logged)
    recorded_at = None if isinstance(logged.event, Undecodable) else logged.event.timestamp
    return {
        "document_id": str(logged.aggregate_id),
        "document_type": kind.split(".")[0],
        "position": logged.position,
        "version": logged.version,
        "event_type": kind,
        "error": f"{type(error).__name__}: {error}"[:_ERROR_CHARS],
        "recorded_at": recorded_at,
    }


def skipped_row(logged: LoggedEvent) -> dict[str, Any]:
    """The `quarantine_skipped` row of a quarantined document's later event."""
    return {
        "document_id": str(logged.aggregate_id),
        "position": logged.position,
        "version": logged.version,
        "event_type": event_type(logged),
    }


def quarantined_documents(cursor: duckdb.DuckDBPyConnection) -> list[Quarantined]:
    """Every quarantined document of a read model, in log order (none in an older file)."""
    exists = cursor.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'quarantine' "
        "AND table_schema = 'main' AND table_catalog = current_database()"
    ).fetchone()
    if not exists or not exists[0]:
        return []
    found = cursor.execute(
        "SELECT document_id, document_type, position, version, event_type, error, recorded_at "
        "FROM quarantine ORDER BY position"
    ).fetchall()
    return [Quarantined(*row) for row in found]


class RowsRefused(ValueError):
    """A view's row holds a value its table cannot store (an amount beyond its decimals)."""


class RowCheck:
    """Checks a view's rows fit its DuckDB columns before any of them is written.

    DuckDB's DECIMAL(18, s) holds fewer digits than the domain's decimals: a row that
    does not fit would fail the whole batch's insert, so it fails its own event instead.
    """

    def __init__(self, table: Table) -> None:
        self.table = table
        self._decimals = [
            (name, Decimal(10) ** (18 - scale), Decimal(10) ** -scale)
            for name, kind in table.columns
            for scale in [_SCALES.get(kind)]
            if scale is not None
        ]

    def __call__(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for row in rows:
            for name, bound, step in self._decimals:
                value = row.get(name)
                if value is None:
                    continue
                try:
                    if type(value) is not Decimal:
                        value = Decimal(value)
                    # Within the column's digits, and exact at its scale (Arrow refuses to
                    # round); quantize cannot overflow once the bound holds.
                    if -bound < value < bound and value.quantize(step) == value:
                        continue
                except (ArithmeticError, TypeError, ValueError):
                    pass
                raise RowsRefused(f"{self.table.name}.{name} cannot hold {value!s:.40}")
        return rows


_SCALES = {"money": 4, "number": 6, "price": 6}


def summary(quarantined: Sequence[Quarantined]) -> list[str]:
    """A line per quarantined document, then their count (nothing when there are none)."""
    if not quarantined:
        return []
    count = len(quarantined)
    noun = "document" if count == 1 else "documents"
    return [str(q) for q in quarantined] + [
        f"{count} {noun} quarantined: their later events are skipped; see the log and "
        "GET /views/quarantine"
    ]


class QuarantineNotifier:
    """Raises a notice for each quarantined document (what a following projector does).

    The notice's id is derived from the document and position, so several followers (or
    a restart) raise it once; a failure (store down) is retried a while later. Its
    message names no error: notices are read widely, the error is for admins.
    """

    def __init__(self, app: Comptoir, retry_s: float = 30.0) -> None:
        self.app = app
        self.retry_s = retry_s
        self._noticed: set[UUID] = set()
        self._retry_at = 0.0

    def raise_pending(self, cursor: duckdb.DuckDBPyConnection, quarantined: Set[UUID]) -> None:
        """Raise the notices not raised yet by this process."""
        pending = quarantined - self._noticed
        if not pending or time.monotonic() < self._retry_at:
            return
        try:
            for entry in quarantined_documents(cursor):
                document = UUID(entry.document_id)
                if document in pending:
                    self._raise(entry)
                    self._noticed.add(document)
        except Exception:  # the views move on; the notice is raised on a later try
            log.warning("could not raise a quarantine notice; retrying later", exc_info=True)
            self._retry_at = time.monotonic() + self.retry_s

    def _raise(self, entry: Quarantined) -> None:
        now = datetime.now(UTC)
        self.app.notices.raise_once(
            CommandContext(actor="system", at=now, reason="the views quarantined a document"),
            kind=NoticeKind.VIEW_QUARANTINE,
            document_id=UUID(entry.document_id),
            subject=f"views at log position {entry.position}",
            due=(entry.recorded_at or now).date(),
            message=(
                f"The views stopped following this {entry.document_type} at log position "
                f"{entry.position} ({entry.event_type}): its fold fails. Its rows stand as "
                "before that event; admins see why in GET /views/quarantine."
            ),
        )
