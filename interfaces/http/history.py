"""A document's history as HTTP items, shared by every resource."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any
from uuid import UUID

from application.app import Comptoir
from interfaces.http.schemas import HistoryItem, json_safe

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
