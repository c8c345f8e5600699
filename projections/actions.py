"""The `actions` view (A8): the affairs' tasks, appointments, notes and e-mails as an agenda.

One row per action with its affair (name, customer or prospect, salesperson, status),
who it is assigned to, when it is due and when it was done. Whether an action is late
depends on the day asked about, so `actions_source` computes `status` at query time:
`done` once completed, `overdue` when not done and due before that day, else `open`.

It keeps its history (`actions_history`): the agenda reads as it stood at a time (V9).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from eventsourcing.domain import Aggregate

from domain.affair import Affair
from projections.base import Folded
from projections.schema import Table
from projections.snapshot import literal, table_at
from projections.unmoved import AFFAIR_FIGURES

TABLE = Table(
    "actions",
    [
        ("action_id", "text"),
        ("affair_id", "text"),
        ("affair_name", "text"),
        ("affair_status", "text"),
        ("customer_id", "text"),
        ("prospect", "text"),
        ("salesperson", "text"),
        ("kind", "text"),
        ("subject", "text"),
        ("body", "text"),
        ("assignee", "text"),
        ("due", "date"),
        ("recorded_at", "timestamp"),
        ("completed_at", "timestamp"),
        ("position", "int"),
    ],
)

STATUSES = ("open", "overdue", "done")


class ActionsView:
    """One row per action of an affair."""

    table: Table = TABLE
    key: str = "affair_id"
    document: type[Aggregate] = Affair
    history: bool = True
    unmoved_by: frozenset[type] = AFFAIR_FIGURES

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        affair = folded.aggregate
        assert isinstance(affair, Affair)
        common = {
            "affair_id": str(affair.id),
            "affair_name": affair.name,
            "affair_status": str(affair.status),
            "customer_id": None if affair.customer_id is None else str(affair.customer_id),
            "prospect": affair.prospect,
            "salesperson": affair.salesperson,
            "position": folded.position,
        }
        return [
            {
                **common,
                "action_id": str(action.action_id),
                "kind": str(action.kind),
                "subject": action.subject,
                "body": action.body,
                "assignee": action.assignee,
                "due": action.due,
                "recorded_at": action.recorded_at,
                "completed_at": action.completed_at,
            }
            for action in affair.actions.values()
        ]


def actions_source(today: date, as_of: datetime | None = None) -> str:
    """The actions (as they stood at `as_of`) with their status on `today`, as a table
    expression to select from."""
    day = literal(today)
    return f"""(
    SELECT *,
        CASE
            WHEN completed_at IS NOT NULL THEN 'done'
            WHEN due < {day} THEN 'overdue'
            ELSE 'open'
        END AS status
    FROM {table_at("actions", as_of)}
)"""
