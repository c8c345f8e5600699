"""A document's history as HTTP items, shared by every resource."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, is_dataclass
from datetime import datetime
from typing import Annotated, Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from fastapi import Query, Response

from application.app import Comptoir
from domain.errors import InvalidInput, NotFound
from interfaces.http.routes.params import INSTANT_RULE, Instant
from interfaces.http.schemas import HistoryItem, json_safe

A = TypeVar("A", bound=Aggregate)

AsOf = Annotated[
    Instant | None,
    Query(
        description=(
            f"The document as it stood at this recorded time: {INSTANT_RULE}. "
            "Not together with `version` (422)."
        )
    ),
]

Version = Annotated[
    int | None,
    Query(
        ge=1,
        le=2**31,
        description=(
            "The document as it stood at this version (404 if it never had it). "
            "Not together with `as_of` (422)."
        ),
    ),
]
FromVersion = Annotated[int, Query(alias="from", ge=1, le=2**31)]
ToVersion = Annotated[int, Query(alias="to", ge=1, le=2**31)]

_ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic"}


def event_data(event: Any) -> dict[str, Any]:
    """The event's own fields, without the envelope every event has."""
    data = {f.name: getattr(event, f.name) for f in fields(event)} if is_dataclass(event) else {}
    return {k: v for k, v in data.items() if k not in _ENVELOPE}


def history_items(app: Comptoir, aggregate_id: UUID) -> list[HistoryItem]:
    items = []
    for entry in app.history(aggregate_id):
        record = None if entry.journal is None else entry.journal.record
        items.append(
            HistoryItem(
                position=entry.position,
                version=entry.version,
                type=entry.type,
                recorded_at=entry.recorded_at,
                actor=None if record is None else record.actor,
                reason=None if record is None else record.reason,
                command=None if record is None else record.command,
                command_id=None if record is None else record.command_id,
                data=json_safe(event_data(entry.event)),
            )
        )
    return items


def read_document(
    app: Comptoir,
    cls: type[A],
    aggregate_id: UUID,
    version: int | None,
    as_of: datetime | None,
    get: Callable[[UUID, int | None], A],
    response: Response,
) -> A:
    """A document now, at `version` (through `get`), or as of a recorded time (H2), with
    the version shown as the response's ETag."""
    if version is not None and as_of is not None:
        raise InvalidInput("ask for a version or an as_of time, not both")
    if as_of is None:
        document = get(aggregate_id, version)
    else:
        document = app.runner.load_as_of(cls, aggregate_id, as_of)
    response.headers["ETag"] = f'"{document.version}"'
    return document


def document_history(app: Comptoir, aggregate_id: UUID, kind: str) -> list[HistoryItem]:
    """The history of a document of `kind` (e.g. "Quote"); 404 for any other id."""
    items = history_items(app, aggregate_id)
    if not items or not items[0].type.startswith(f"{kind}."):
        raise NotFound(f"no {kind.lower()} with id {aggregate_id}")
    return items
