"""What the runner hands to views: logged events and folded documents."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

import pyarrow as pa
from eventsourcing.domain import Aggregate

from application.journal import JournalEntry
from projections.schema import Table


@dataclass(frozen=True)
class LoggedEvent:
    """A decoded event at its position in the log, with its command's journal entry."""

    position: int
    aggregate_id: UUID
    version: int
    event: Any
    journal: JournalEntry | None


@dataclass(frozen=True)
class Folded:
    """A document as it stands after an event, with that event's position and time."""

    aggregate: Aggregate
    position: int
    recorded_at: datetime


@dataclass(frozen=True)
class Served:
    """A table serving a view's current rows in another layout: `layout` gives its rows
    from a batch of the view's (`budget_vs_actual`, a row per category, from
    `budget_figures`, a row per affair state). The view keeps a history, and its own
    columns for that history only."""

    table: Table
    layout: Callable[[pa.Table], pa.Table]


class DocumentView(Protocol):
    """A view with rows derived from one kind of document's current state.

    With `history` set, the runner also keeps `<table>_history`: every state the rows
    went through, with `valid_from` and `valid_to`, so "as of T" is one query (V9).
    """

    table: Table
    key: str
    document: type[Aggregate]
    history: bool

    def rows(self, folded: Folded) -> list[dict[str, Any]]: ...


class EventView(Protocol):
    """A view that appends rows derived from each event."""

    table: Table

    def rows(self, events: Sequence[LoggedEvent]) -> list[dict[str, Any]]: ...
