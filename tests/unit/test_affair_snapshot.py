"""An affair's snapshot holds summaries, not entries; snapshots of the first shape upcast."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

from eventsourcing.domain import Snapshot
from eventsourcing.persistence import Mapper

from adapters.transcoding import domain_transcoder
from domain.affair import Affair
from domain.budget import CostEntry, LabourSummary, RevenueEntry, TimeEntry
from tests.unit.replay import replay, state_of

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
DAY = date(2025, 3, 3)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def busy_affair(time_entries: int = 6) -> tuple[Affair, list[Any]]:
    """An affair with time (billable or not), received, committed and received-committed
    costs and revenue; with every event it emitted."""
    affair = Affair.open(
        T0,
        name="Depot extension",
        customer_id=uuid4(),
        prospect=None,
        salesperson="alice",
        currency="EUR",
        expected_amount=Decimal("80000"),
        expected_close=None,
        zone="north",
        country="FR",
        sale_type="study",
        risk="low",
        competitors=[],
    )
    affair.set_employee_rate(at(1), "bob", Decimal("62.40"), date(2025, 1, 1))
    for n in range(time_entries):
        employee = ("bob", "eve", "gina")[n % 3]
        rate = None if employee == "bob" else Decimal("55")
        affair.log_time(at(2 + n), employee, DAY, Decimal("1.5"), rate, billable=n % 4 != 3)
    affair.record_cost(at(50), "purchases", Decimal("1200"), "INV-1", DAY)
    affair.record_cost(at(51), "expenses", Decimal("300"), "PO-7", DAY, committed=True)
    affair.record_cost(at(52), "subcontracting", Decimal("900"), "PO-8", DAY, committed=True)
    affair.receive_committed(at(53), "PO-7")
    affair.record_revenue(at(54), "ordered", Decimal("40000"), "SO-1", DAY)
    affair.record_revenue(at(55), "invoiced", Decimal("10000"), "FA-1", DAY)
    return affair, affair.collect_events()


def version_1_state(affair: Affair, events: list[Any]) -> dict[str, Any]:
    """The state the first shape of the class kept: every entry, no summaries."""
    state = dict(Snapshot.take(affair).state)
    for name in (
        "class_version",
        "labour",
        "time_entry_count",
        "cost_count",
        "revenue_entry_count",
    ):
        del state[name]
    time_entries, costs, revenue_entries = [], [], []
    committed: dict[str, CostEntry] = {}
    for e in events:
        if isinstance(e, Affair.TimeLogged):
            time_entries.append(
                TimeEntry(e.employee, e.day, e.hours, e.hourly_rate, e.cost, e.billable)
            )
        elif isinstance(e, Affair.CostRecorded) and e.entry.committed:
            committed[e.entry.document_ref] = e.entry
        elif isinstance(e, Affair.CostRecorded):
            costs.append(e.entry)
        elif isinstance(e, Affair.CommittedCostReceived):
            received = committed.pop(e.document_ref)
            costs.append(
                CostEntry(
                    received.category,
                    received.amount,
                    e.document_ref,
                    received.document_date,
                    False,
                )
            )
        elif isinstance(e, Affair.RevenueRecorded):
            revenue_entries.append(e.entry)
    state.update(time_entries=time_entries, costs=costs, revenue_entries=revenue_entries)
    return state


def test_a_version_1_snapshot_with_every_entry_reads_back_as_the_summaries() -> None:
    mapper: Mapper[Any] = Mapper(transcoder=domain_transcoder())
    affair, events = busy_affair()
    old = Snapshot(
        originator_id=affair.id,
        originator_version=affair.version,
        timestamp=at(60),
        topic="domain.affair:Affair",
        state=version_1_state(affair, events),
    )
    stored = mapper.to_stored_event(old)
    assert b'"time_entries"' in stored.state
    assert b"domain.budget:TimeEntry" in stored.state
    assert b"class_version" not in stored.state
    snapshot = mapper.to_domain_event(stored)
    assert isinstance(snapshot, Snapshot)
    restored = snapshot.mutate(None)
    assert isinstance(restored, Affair)
    assert state_of(restored) == state_of(affair) == state_of(replay(events, Affair))
    assert restored.labour["bob"] == LabourSummary(
        2, Decimal("3.0"), Decimal("1.5"), Decimal("187.20")
    )
    assert (restored.time_entry_count, restored.cost_count, restored.revenue_entry_count) == (
        6,
        2,
        2,
    )
    # and the upcast affair goes on taking commands
    restored.log_time(at(70), "bob", DAY, Decimal("1"))
    assert restored.labour["bob"].entries == 3
    assert restored.actual["labour"] == affair.actual["labour"] + Decimal("62.40")


def test_a_version_2_snapshot_reads_back_with_no_entry_invoiced() -> None:
    mapper: Mapper[Any] = Mapper(transcoder=domain_transcoder())
    affair, events = busy_affair()
    state = {k: v for k, v in Snapshot.take(affair).state.items() if k != "invoiced_entries"}
    old = Snapshot(
        originator_id=affair.id,
        originator_version=affair.version,
        timestamp=at(60),
        topic="domain.affair:Affair",
        state={**state, "class_version": 2},
    )
    snapshot = mapper.to_domain_event(mapper.to_stored_event(old))
    assert isinstance(snapshot, Snapshot)
    restored = snapshot.mutate(None)
    assert isinstance(restored, Affair)
    assert restored.invoiced_entries == {}
    assert state_of(restored) == state_of(affair) == state_of(replay(events, Affair))


def test_a_snapshot_of_today_is_version_3_and_reads_back_unchanged() -> None:
    mapper: Mapper[Any] = Mapper(transcoder=domain_transcoder())
    affair, _ = busy_affair()
    stored = mapper.to_stored_event(Snapshot.take(affair))
    assert domain_transcoder().decode(stored.state)["state"]["class_version"] == 3
    snapshot = mapper.to_domain_event(stored)
    assert isinstance(snapshot, Snapshot)
    assert state_of(snapshot.mutate(None)) == state_of(affair)


def test_a_snapshot_stays_small_however_many_hours_are_logged() -> None:
    mapper: Mapper[Any] = Mapper(transcoder=domain_transcoder())
    few, _ = busy_affair(time_entries=6)
    many, _ = busy_affair(time_entries=3000)
    small = len(mapper.to_stored_event(Snapshot.take(few)).state)
    large = len(mapper.to_stored_event(Snapshot.take(many)).state)
    assert many.time_entry_count == 3000
    assert large < 5000
    assert large - small < 100  # a few more digits in the sums and counts


def test_the_events_still_hold_every_entry() -> None:
    affair, events = busy_affair()
    logged = [e for e in events if isinstance(e, Affair.TimeLogged)]
    assert len(logged) == affair.time_entry_count
    assert sum((e.cost for e in logged), Decimal(0)) == affair.actual["labour"]
    assert sum((e.hours for e in logged if not e.billable), Decimal(0)) == (
        affair.non_billable_hours
    )
    revenue = [e.entry for e in events if isinstance(e, Affair.RevenueRecorded)]
    assert isinstance(revenue[0], RevenueEntry)
    assert len(revenue) == affair.revenue_entry_count
