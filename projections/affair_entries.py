"""The `affair_entries` view (A5): one row per time entry, cost and revenue of an affair.

The Affair keeps only running totals and summaries of its actuals; each entry stays in
its event, and this view lists them, in log order:

- `time` (`Affair.TimeLogged`): employee, `day` worked, hours, hourly rate, `amount` =
  labour cost, billable; `category` is labour.
- `cost` (`Affair.CostRecorded`, received) and `committed_cost` (committed: ordered, not
  yet received): category, amount, document_ref, `day` = the document's date.
- `committed_cost_received` (`Affair.CommittedCostReceived`): names only the document;
  its category, amount and date are those of the latest `committed_cost` row of the same
  affair and document_ref before it (the HTTP route fills them in).
- `revenue` (`Affair.RevenueRecorded`): `revenue_kind` (ordered or invoiced), amount,
  document_ref, `day` = the document's date.

Columns that do not apply to a kind are NULL. Append-only: rows never change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from domain.affair import Affair
from domain.budget import BudgetCategory
from projections.base import LoggedEvent
from projections.schema import Table

TABLE = Table(
    "affair_entries",
    [
        ("affair_id", "text"),
        ("position", "int"),
        ("version", "int"),
        ("kind", "text"),
        ("recorded_at", "timestamp"),
        ("employee", "text"),
        ("day", "date"),
        ("hours", "number"),
        ("hourly_rate", "price"),
        ("amount", "money"),
        ("category", "text"),
        ("revenue_kind", "text"),
        ("document_ref", "text"),
        ("billable", "bool"),
        ("committed", "bool"),
    ],
)

KINDS = ("time", "cost", "committed_cost", "committed_cost_received", "revenue")


def _time(event: Any) -> dict[str, Any]:
    return {
        "kind": "time",
        "employee": event.employee,
        "day": event.day,
        "hours": event.hours,
        "hourly_rate": event.hourly_rate,
        "amount": event.cost,
        "category": str(BudgetCategory.LABOUR),
        "billable": event.billable,
    }


def _cost(event: Any) -> dict[str, Any]:
    entry = event.entry
    return {
        "kind": "committed_cost" if entry.committed else "cost",
        "day": entry.document_date,
        "amount": entry.amount,
        "category": str(entry.category),
        "document_ref": entry.document_ref,
        "committed": entry.committed,
    }


def _received(event: Any) -> dict[str, Any]:
    return {"kind": "committed_cost_received", "document_ref": event.document_ref}


def _revenue(event: Any) -> dict[str, Any]:
    entry = event.entry
    return {
        "kind": "revenue",
        "day": entry.document_date,
        "amount": entry.amount,
        "revenue_kind": str(entry.kind),
        "document_ref": entry.document_ref,
    }


_ROWS: dict[type[Any], Callable[[Any], dict[str, Any]]] = {
    Affair.TimeLogged: _time,
    Affair.CostRecorded: _cost,
    Affair.CommittedCostReceived: _received,
    Affair.RevenueRecorded: _revenue,
}


class AffairEntriesView:
    """Appends one row per time entry, cost, receipt of a committed cost and revenue."""

    table = TABLE

    def rows(self, events: Sequence[LoggedEvent]) -> list[dict[str, Any]]:
        rows = []
        for logged in events:
            row = _ROWS.get(type(logged.event))
            if row is not None:
                rows.append(
                    {
                        "affair_id": str(logged.aggregate_id),
                        "position": logged.position,
                        "version": logged.version,
                        "recorded_at": logged.event.timestamp,
                        **row(logged.event),
                    }
                )
        return rows
