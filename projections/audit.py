"""The `audit_log` view (H3): one row per event with who, when, why and which command."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from projections.base import LoggedEvent
from projections.schema import Table

TABLE = Table(
    "audit_log",
    [
        ("position", "int"),
        ("document_type", "text"),
        ("document_id", "text"),
        ("version", "int"),
        ("event_type", "text"),
        ("recorded_at", "timestamp"),
        ("actor", "text"),
        ("reason", "text"),
        ("command", "text"),
        ("command_id", "text"),
    ],
)


class AuditView:
    """Appends one row per event."""

    table = TABLE

    def rows(self, events: Sequence[LoggedEvent]) -> list[dict[str, Any]]:
        rows = []
        for logged in events:
            event_type = type(logged.event).__qualname__
            journal = None if logged.journal is None else logged.journal.record
            rows.append(
                {
                    "position": logged.position,
                    "document_type": event_type.split(".")[0],
                    "document_id": str(logged.aggregate_id),
                    "version": logged.version,
                    "event_type": event_type,
                    "recorded_at": logged.event.timestamp,
                    "actor": None if journal is None else journal.actor,
                    "reason": None if journal is None else journal.reason,
                    "command": None if journal is None else journal.command,
                    "command_id": None if journal is None else str(journal.command_id),
                }
            )
        return rows
