"""The `affair_entries` view is a pure fold: one row per entry event, nothing for the rest."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from domain.affair import Affair
from projections.affair_entries import KINDS, TABLE, AffairEntriesView
from projections.base import LoggedEvent
from tests.unit.test_affair_snapshot import DAY, busy_affair


def logged(events: list[Any], first_position: int = 1) -> list[LoggedEvent]:
    return [
        LoggedEvent(first_position + n, e.originator_id, e.originator_version, e, None)
        for n, e in enumerate(events)
    ]


def test_each_time_entry_cost_receipt_and_revenue_is_one_row_in_log_order() -> None:
    affair, events = busy_affair(time_entries=3)
    rows = AffairEntriesView().rows(logged(events, first_position=40))
    assert [r["kind"] for r in rows] == [
        "time",
        "time",
        "time",
        "cost",
        "committed_cost",
        "committed_cost",
        "committed_cost_received",
        "revenue",
        "revenue",
    ]
    assert {r["kind"] for r in rows} == set(KINDS)
    assert all(set(r) <= set(TABLE.column_names) for r in rows)
    assert {r["affair_id"] for r in rows} == {str(affair.id)}
    assert [r["position"] for r in rows] == sorted(r["position"] for r in rows)
    first = rows[0]
    assert (first["employee"], first["day"], first["hours"]) == ("bob", DAY, Decimal("1.5"))
    assert (first["hourly_rate"], first["amount"], first["billable"]) == (
        Decimal("62.40"),
        Decimal("93.60"),
        True,
    )
    assert first["category"] == "labour"
    assert first["recorded_at"] == events[first["version"] - 1].timestamp
    committed = rows[4]
    assert (committed["category"], committed["amount"], committed["document_ref"]) == (
        "expenses",
        Decimal("300.00"),
        "PO-7",
    )
    assert (committed["committed"], committed["day"]) == (True, date(2025, 3, 3))
    assert rows[6]["document_ref"] == "PO-7"
    assert "amount" not in rows[6]  # filled from its commitment when read
    assert (rows[7]["revenue_kind"], rows[7]["amount"]) == ("ordered", Decimal("40000.00"))


def test_the_rows_add_up_to_the_affairs_totals() -> None:
    affair, events = busy_affair(time_entries=12)
    rows = AffairEntriesView().rows(logged(events))
    times = [r for r in rows if r["kind"] == "time"]
    assert len(times) == affair.time_entry_count
    assert sum(r["amount"] for r in times) == affair.actual["labour"]
    assert sum(r["hours"] for r in times if not r["billable"]) == affair.non_billable_hours
    for employee, summary in affair.labour.items():
        mine = [r for r in times if r["employee"] == employee]
        assert (len(mine), sum(r["amount"] for r in mine)) == (summary.entries, summary.cost)
    received = [r for r in rows if r["kind"] in ("cost", "committed_cost_received")]
    assert len(received) == affair.cost_count
    assert len([r for r in rows if r["kind"] == "revenue"]) == affair.revenue_entry_count


def test_events_other_than_entries_give_no_rows_and_a_second_fold_gives_the_same() -> None:
    affair, events = busy_affair(time_entries=2)
    affair.set_budget(events[-1].timestamp, "labour", Decimal("1000"))
    affair.record_action(events[-1].timestamp, "note", "kick-off", None, "alice", "")
    others = [e for e in affair.collect_events() if not isinstance(e, Affair.TimeLogged)]
    view = AffairEntriesView()
    assert view.rows(logged(others)) == []
    assert view.rows(logged(events)) == view.rows(logged(events))
    assert TABLE.arrow(view.rows(logged(events))).num_rows == len(view.rows(logged(events)))
