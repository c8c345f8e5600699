"""Affair budget lines, baselines, actuals, alerts and progress (A4–A7), and event upcasting."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.domain import CanMutateAggregate, Snapshot
from eventsourcing.persistence import Mapper, StoredEvent

from adapters.transcoding import domain_transcoder
from domain.affair import Affair, AlertKind, AlertPolicy
from domain.budget import Baseline, BudgetCategory, LabourSummary, RevenueKind
from domain.errors import (
    BudgetExceeded,
    DateOutsideAffairPeriod,
    DuplicateCommittedCost,
    InvalidAmount,
    InvalidInput,
    InvalidProgress,
    InvalidTransition,
    MissingHourlyRate,
    RevenueBelowZero,
    UnknownAlert,
    UnknownCommittedCost,
)
from tests.unit.replay import replay, state_of

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
IN_PERIOD = date(2025, 3, 1)


def at(days: float = 0) -> datetime:
    return T0 + timedelta(days=days)


def open_affair(**overrides: Any) -> Affair:
    fields: dict[str, Any] = {
        "name": "Line retrofit",
        "customer_id": uuid4(),
        "prospect": None,
        "salesperson": "alice",
        "currency": "EUR",
        "expected_amount": Decimal("50000"),
        "expected_close": None,
        "zone": "north",
        "country": "FR",
        "sale_type": "study",
        "risk": "low",
        "competitors": [],
        "start": date(2025, 1, 1),
        "end": date(2025, 12, 31),
    }
    fields.update(overrides)
    return Affair.open(T0, **fields)


def event_names(affair: Affair) -> list[str]:
    return [type(e).__name__ for e in affair.collect_events()]


# --- A4 budget lines and baselines -----------------------------------------------------


def test_a_budget_line_is_set_per_category_and_rounded_to_the_currency() -> None:
    affair = open_affair()
    affair.set_budget(at(1), "labour", Decimal("5000.005"))
    affair.set_budget(at(1), BudgetCategory.SALES, Decimal("60000"))
    assert affair.budget == {"labour": Decimal("5000.01"), "sales": Decimal("60000.00")}


@pytest.mark.parametrize(
    ("category", "amount"),
    [("travel", Decimal(1)), ("labour", Decimal(-1)), ("labour", Decimal("NaN"))],
)
def test_a_budget_line_needs_a_known_category_and_a_non_negative_amount(
    category: str, amount: Decimal
) -> None:
    affair = open_affair()
    affair.collect_events()
    with pytest.raises(InvalidInput):
        affair.set_budget(at(1), category, amount)
    assert len(affair.collect_events()) == 0


def test_every_baseline_is_kept_unchanged_when_the_budget_is_revised() -> None:
    affair = open_affair()
    affair.set_budget(at(1), "labour", Decimal("5000"))
    affair.set_budget(at(1), "purchases", Decimal("2000"))
    assert affair.baseline(at(2), "signed") == 1
    affair.set_budget(at(3), "purchases", Decimal("2500"))
    assert affair.baseline(at(4), "change request 1") == 2
    affair.set_budget(at(5), "labour", Decimal("7000"))
    assert affair.baselines == {
        "1": Baseline(
            1, at(2), "signed", {"labour": Decimal("5000.00"), "purchases": Decimal("2000.00")}
        ),
        "2": Baseline(
            2,
            at(4),
            "change request 1",
            {"labour": Decimal("5000.00"), "purchases": Decimal("2500.00")},
        ),
    }
    assert affair.budget["labour"] == Decimal("7000.00")


def test_a_baseline_needs_a_reason() -> None:
    affair = open_affair()
    affair.collect_events()
    with pytest.raises(InvalidInput):
        affair.baseline(at(1), "")
    assert len(affair.collect_events()) == 0


# --- A5 time entries --------------------------------------------------------------------


def test_labour_cost_is_hours_times_the_given_hourly_rate() -> None:
    affair = open_affair()
    affair.log_time(at(1), "bob", IN_PERIOD, Decimal("7.5"), Decimal("62.40"))
    assert affair.actual["labour"] == Decimal("468.00")
    assert affair.labour == {
        "bob": LabourSummary(1, Decimal("7.5"), Decimal("7.5"), Decimal("468.00"))
    }
    assert affair.time_entry_count == 1


def test_labour_cost_is_rounded_half_up_per_entry() -> None:
    affair = open_affair()
    affair.log_time(at(1), "bob", IN_PERIOD, Decimal("0.25"), Decimal("10.02"))  # 2.505
    affair.log_time(at(1), "bob", IN_PERIOD, Decimal("0.25"), Decimal("10.02"))
    assert affair.actual["labour"] == Decimal("5.02")


def test_without_a_given_rate_the_rate_in_force_on_the_entrys_day_applies() -> None:
    affair = open_affair()
    affair.set_employee_rate(at(1), "bob", Decimal("60.00"), valid_from=date(2025, 1, 1))
    affair.set_employee_rate(at(1), "bob", Decimal("65.00"), valid_from=date(2025, 4, 1))
    affair.log_time(at(2), "bob", date(2025, 3, 31), Decimal("2"))
    affair.log_time(at(2), "bob", date(2025, 4, 1), Decimal("2"))
    logged = [e for e in affair.collect_events() if isinstance(e, Affair.TimeLogged)]
    assert [(e.hourly_rate, e.cost) for e in logged] == [
        (Decimal("60.00"), Decimal("120.00")),
        (Decimal("65.00"), Decimal("130.00")),
    ]
    assert affair.actual["labour"] == Decimal("250.00")


def test_a_rate_set_again_from_the_same_day_replaces_the_earlier_one() -> None:
    affair = open_affair()
    affair.set_employee_rate(at(1), "bob", Decimal("60.00"), valid_from=date(2025, 1, 1))
    affair.set_employee_rate(at(2), "bob", Decimal("61.00"), valid_from=date(2025, 1, 1))
    affair.log_time(at(3), "bob", IN_PERIOD, Decimal("1"))
    assert affair.actual["labour"] == Decimal("61.00")


def test_time_without_a_rate_in_force_is_refused() -> None:
    affair = open_affair()
    affair.set_employee_rate(at(1), "bob", Decimal("60.00"), valid_from=date(2025, 4, 1))
    affair.collect_events()
    with pytest.raises(MissingHourlyRate) as caught:
        affair.log_time(at(2), "bob", date(2025, 3, 31), Decimal("2"))
    assert caught.value.code == "missing-hourly-rate"
    with pytest.raises(MissingHourlyRate):
        affair.log_time(at(2), "carol", IN_PERIOD, Decimal("2"))
    assert len(affair.collect_events()) == 0


@pytest.mark.parametrize("hours", [Decimal(0), Decimal(-1), Decimal("24.5"), Decimal("Inf")])
def test_hours_must_be_more_than_zero_and_at_most_a_day(hours: Decimal) -> None:
    affair = open_affair()
    affair.collect_events()
    with pytest.raises(InvalidInput):
        affair.log_time(at(1), "bob", IN_PERIOD, hours, Decimal(50))
    assert len(affair.collect_events()) == 0


def test_a_non_billable_time_entry_still_costs_labour() -> None:
    affair = open_affair()
    affair.log_time(at(1), "bob", IN_PERIOD, Decimal("2"), Decimal("50"), billable=False)
    assert affair.labour["bob"].billable_hours == Decimal(0)
    assert affair.labour["bob"].non_billable_hours == Decimal("2")
    assert affair.actual["labour"] == Decimal("100.00")


def test_hours_and_labour_cost_are_summed_per_employee_billable_or_not() -> None:
    affair = open_affair()
    affair.log_time(at(1), "bob", IN_PERIOD, Decimal("7.5"), Decimal("60"))
    affair.log_time(at(1), "eve", IN_PERIOD, Decimal("2"), Decimal("80"), billable=False)
    affair.log_time(at(2), "bob", IN_PERIOD, Decimal("1.25"), Decimal("60"), billable=False)
    assert affair.labour == {
        "bob": LabourSummary(2, Decimal("8.75"), Decimal("7.5"), Decimal("525.00")),
        "eve": LabourSummary(1, Decimal("2"), Decimal("0"), Decimal("160.00")),
    }
    assert (affair.hours, affair.billable_hours, affair.non_billable_hours) == (
        Decimal("10.75"),
        Decimal("7.5"),
        Decimal("3.25"),
    )
    assert affair.time_entry_count == 3
    assert affair.actual["labour"] == sum((s.cost for s in affair.labour.values()), Decimal(0))


# --- A5 document costs, committed costs, revenue -----------------------------------------


def test_received_costs_add_to_the_actual_of_their_category() -> None:
    affair = open_affair()
    affair.record_cost(at(1), "purchases", Decimal("1200"), "INV-1", IN_PERIOD)
    affair.record_cost(at(1), "expenses", Decimal("80.50"), "NDF-7", IN_PERIOD)
    affair.record_cost(at(1), "subcontracting", Decimal("3000"), "INV-2", IN_PERIOD)
    assert affair.actual == {
        "labour": Decimal("0.00"),
        "purchases": Decimal("1200.00"),
        "subcontracting": Decimal("3000.00"),
        "expenses": Decimal("80.50"),
    }


def test_a_committed_cost_is_tracked_apart_until_it_is_received() -> None:
    affair = open_affair()
    affair.record_cost(at(1), "purchases", Decimal("900"), "PO-1", IN_PERIOD, committed=True)
    assert affair.committed["purchases"] == Decimal("900.00")
    assert affair.actual["purchases"] == Decimal("0.00")
    affair.receive_committed(at(2), "PO-1")
    assert affair.committed["purchases"] == Decimal("0.00")
    assert affair.actual["purchases"] == Decimal("900.00")
    assert affair.cost_count == 1
    assert affair.committed_costs == {}


def test_receiving_an_unknown_committed_cost_is_refused() -> None:
    affair = open_affair()
    affair.collect_events()
    with pytest.raises(UnknownCommittedCost) as caught:
        affair.receive_committed(at(1), "PO-404")
    assert caught.value.code == "unknown-committed-cost"
    assert len(affair.collect_events()) == 0


def test_a_document_cannot_be_committed_twice_while_outstanding() -> None:
    affair = open_affair()
    affair.record_cost(at(1), "purchases", Decimal("10"), "PO-1", IN_PERIOD, committed=True)
    affair.collect_events()
    with pytest.raises(DuplicateCommittedCost) as caught:
        affair.record_cost(at(1), "purchases", Decimal("10"), "PO-1", IN_PERIOD, committed=True)
    assert caught.value.code == "duplicate-committed-cost"
    assert len(affair.collect_events()) == 0


@pytest.mark.parametrize(
    ("category", "amount", "ref"),
    [
        ("labour", Decimal(10), "X"),
        ("sales", Decimal(10), "X"),
        ("purchases", Decimal(-10), "X"),
        ("purchases", Decimal(10), ""),
    ],
)
def test_a_document_cost_needs_a_cost_category_an_amount_and_a_reference(
    category: str, amount: Decimal, ref: str
) -> None:
    affair = open_affair()
    affair.collect_events()
    with pytest.raises(InvalidInput):
        affair.record_cost(at(1), category, amount, ref, IN_PERIOD)
    assert len(affair.collect_events()) == 0


def test_revenue_from_orders_and_invoices_is_totalled_by_kind() -> None:
    affair = open_affair()
    affair.record_revenue(at(1), RevenueKind.ORDERED, Decimal("40000"), "SO-1", IN_PERIOD)
    affair.record_revenue(at(2), "invoiced", Decimal("12000"), "FA-1", IN_PERIOD)
    affair.record_revenue(at(2), "invoiced", Decimal("8000"), "FA-2", IN_PERIOD)
    assert affair.revenue == {"ordered": Decimal("40000.00"), "invoiced": Decimal("20000.00")}
    assert affair.revenue_entry_count == 3


def test_revenue_needs_a_known_kind_a_finite_amount_and_never_goes_below_zero() -> None:
    affair = open_affair()
    affair.collect_events()
    with pytest.raises(InvalidInput):
        affair.record_revenue(at(1), "quoted", Decimal(1), "Q-1", IN_PERIOD)
    with pytest.raises(InvalidAmount):
        affair.record_revenue(at(1), "ordered", Decimal("NaN"), "SO-1", IN_PERIOD)
    # a correction (an order amended down) cannot take what was recorded below zero
    with pytest.raises(RevenueBelowZero):
        affair.record_revenue(at(1), "ordered", Decimal(-1), "SO-1", IN_PERIOD)
    assert len(affair.collect_events()) == 0


# --- A6 alerts ----------------------------------------------------------------------------


def test_a_blocking_affair_refuses_a_purchase_beyond_its_purchase_budget() -> None:
    affair = open_affair(alert_policy=AlertPolicy.BLOCKING)
    affair.set_budget(at(1), "purchases", Decimal("1000"))
    affair.record_cost(at(2), "purchases", Decimal("600"), "INV-1", IN_PERIOD)
    affair.record_cost(at(2), "purchases", Decimal("300"), "PO-1", IN_PERIOD, committed=True)
    affair.collect_events()
    with pytest.raises(BudgetExceeded) as caught:
        affair.record_cost(at(3), "purchases", Decimal("100.01"), "INV-2", IN_PERIOD)
    assert caught.value.code == "budget-exceeded"
    assert len(affair.collect_events()) == 0
    affair.record_cost(at(3), "purchases", Decimal("100.00"), "INV-3", IN_PERIOD)
    assert affair.actual["purchases"] + affair.committed["purchases"] == Decimal("1000.00")


def test_an_informative_affair_records_the_purchase_and_raises_a_budget_alert() -> None:
    affair = open_affair(alert_policy=AlertPolicy.INFORMATIVE)
    affair.set_budget(at(1), "purchases", Decimal("1000"))
    affair.collect_events()
    affair.record_cost(at(2), "purchases", Decimal("1200"), "INV-1", IN_PERIOD)
    assert event_names(affair) == ["CostRecorded", "AlertRaised"]
    assert affair.actual["purchases"] == Decimal("1200.00")
    (alert,) = affair.open_alerts
    assert (alert.kind, alert.document_ref, alert.raised_at) == (AlertKind.BUDGET, "INV-1", at(2))


def test_other_cost_categories_and_unbudgeted_purchases_raise_no_budget_alert() -> None:
    affair = open_affair(alert_policy=AlertPolicy.BLOCKING)
    affair.record_cost(at(1), "purchases", Decimal("99999"), "INV-1", IN_PERIOD)
    affair.set_budget(at(1), "subcontracting", Decimal("10"))
    affair.record_cost(at(1), "subcontracting", Decimal("500"), "INV-2", IN_PERIOD)
    assert affair.alerts == {}


@pytest.mark.parametrize("document_date", [date(2024, 12, 31), date(2026, 1, 1)])
def test_a_blocking_affair_refuses_a_document_dated_outside_its_period(
    document_date: date,
) -> None:
    affair = open_affair(alert_policy="blocking")
    affair.collect_events()
    with pytest.raises(DateOutsideAffairPeriod) as caught:
        affair.record_cost(at(1), "expenses", Decimal("10"), "NDF-1", document_date)
    assert caught.value.code == "date-outside-affair-period"
    with pytest.raises(DateOutsideAffairPeriod):
        affair.record_revenue(at(1), "invoiced", Decimal("10"), "FA-1", document_date)
    with pytest.raises(DateOutsideAffairPeriod):
        affair.log_time(at(1), "bob", document_date, Decimal("1"), Decimal("50"))
    assert len(affair.collect_events()) == 0


def test_the_period_bounds_are_inclusive_and_either_may_be_open() -> None:
    affair = open_affair(alert_policy="blocking", start=date(2025, 1, 1), end=None)
    affair.record_cost(at(1), "expenses", Decimal("10"), "A", date(2025, 1, 1))
    affair.record_cost(at(1), "expenses", Decimal("10"), "B", date(2099, 1, 1))
    affair.update_opportunity(at(1), start=None, end=date(2025, 12, 31))
    affair.record_cost(at(1), "expenses", Decimal("10"), "C", date(2025, 12, 31))
    affair.record_cost(at(1), "expenses", Decimal("10"), "D", date(1999, 1, 1))
    assert affair.actual["expenses"] == Decimal("40.00")


def test_an_informative_affair_raises_a_date_alert_for_each_document_outside_its_period() -> None:
    affair = open_affair()
    affair.collect_events()
    affair.record_revenue(at(1), "ordered", Decimal("10"), "SO-9", date(2026, 2, 1))
    affair.log_time(at(1), "bob", date(2026, 2, 1), Decimal("1"), Decimal("50"))
    assert event_names(affair) == ["RevenueRecorded", "AlertRaised", "TimeLogged", "AlertRaised"]
    assert [a.kind for a in affair.open_alerts] == [AlertKind.DATE, AlertKind.DATE]


def test_a_late_purchase_over_budget_raises_both_alerts_when_informative() -> None:
    affair = open_affair()
    affair.set_budget(at(1), "purchases", Decimal("100"))
    affair.record_cost(at(1), "purchases", Decimal("101"), "INV-1", date(2026, 1, 2))
    assert sorted(a.kind for a in affair.open_alerts) == [AlertKind.BUDGET, AlertKind.DATE]


def test_the_date_check_comes_before_the_budget_check_when_blocking() -> None:
    affair = open_affair(alert_policy="blocking")
    affair.set_budget(at(1), "purchases", Decimal("100"))
    with pytest.raises(DateOutsideAffairPeriod):
        affair.record_cost(at(1), "purchases", Decimal("101"), "INV-1", date(2026, 1, 2))


def test_a_closed_alert_leaves_the_open_alerts_and_keeps_its_note() -> None:
    affair = open_affair()
    affair.set_budget(at(1), "purchases", Decimal("100"))
    affair.record_cost(at(1), "purchases", Decimal("150"), "INV-1", IN_PERIOD)
    (alert,) = affair.open_alerts
    affair.close_alert(at(2), alert.alert_id, "approved by the manager")
    assert affair.open_alerts == []
    closed = affair.alerts[str(alert.alert_id)]
    assert (closed.closed_at, closed.note) == (at(2), "approved by the manager")
    affair.collect_events()
    with pytest.raises(InvalidTransition):
        affair.close_alert(at(3), alert.alert_id, "again")
    assert len(affair.collect_events()) == 0


def test_closing_an_unknown_alert_is_refused() -> None:
    affair = open_affair()
    with pytest.raises(UnknownAlert) as caught:
        affair.close_alert(at(1), uuid4(), "?")
    assert caught.value.code == "unknown-alert"


# --- A7 progress and budget versus actual ---------------------------------------------------


@pytest.mark.parametrize("percent", [Decimal("-0.1"), Decimal("100.1"), Decimal("NaN")])
def test_progress_must_be_between_0_and_100_percent(percent: Decimal) -> None:
    affair = open_affair()
    affair.collect_events()
    with pytest.raises(InvalidProgress) as caught:
        affair.report_progress(at(1), percent)
    assert caught.value.code == "invalid-progress"
    assert len(affair.collect_events()) == 0


def test_the_budget_report_gives_variance_forecast_and_margin() -> None:
    affair = open_affair()
    affair.set_budget(at(1), "labour", Decimal("2500"))
    affair.set_budget(at(1), "purchases", Decimal("1000"))
    affair.set_budget(at(1), "sales", Decimal("6000"))
    affair.log_time(at(2), "bob", IN_PERIOD, Decimal("7.5"), Decimal("62.40"))  # 468.00
    affair.record_cost(at(2), "purchases", Decimal("400"), "INV-1", IN_PERIOD)
    affair.record_cost(at(2), "purchases", Decimal("300"), "PO-1", IN_PERIOD, committed=True)
    affair.report_progress(at(3), Decimal("40"))
    report = affair.budget_report()
    labour, purchases = report.row("labour"), report.row("purchases")
    assert (labour.budget, labour.actual, labour.variance, labour.forecast) == (
        Decimal("2500.00"),
        Decimal("468.00"),
        Decimal("2032.00"),
        Decimal("1170.00"),  # 468 / 0.4
    )
    assert (purchases.actual, purchases.committed, purchases.variance, purchases.forecast) == (
        Decimal("400.00"),
        Decimal("300.00"),
        Decimal("600.00"),
        Decimal("1000.00"),  # 400 / 0.4
    )
    assert report.forecast_cost == Decimal("2170.00")
    assert report.forecast_revenue == Decimal("6000.00")
    assert report.forecast_margin == Decimal("3830.00")


def test_replaying_budget_actuals_and_alerts_gives_the_same_state() -> None:
    affair = open_affair()
    affair.set_budget(at(1), "purchases", Decimal("1000"))
    affair.set_budget(at(1), "labour", Decimal("3000"))
    affair.baseline(at(1), "signed")
    affair.set_employee_rate(at(1), "bob", Decimal("55"), date(2025, 1, 1))
    affair.log_time(at(2), "bob", IN_PERIOD, Decimal("3"))
    affair.log_time(at(2), "eve", IN_PERIOD, Decimal("1.5"), Decimal("70"), billable=False)
    affair.record_cost(at(2), "purchases", Decimal("800"), "PO-1", IN_PERIOD, committed=True)
    affair.record_cost(at(2), "purchases", Decimal("300"), "INV-1", date(2026, 1, 1))
    affair.receive_committed(at(3), "PO-1")
    affair.record_revenue(at(3), "ordered", Decimal("9000"), "SO-1", IN_PERIOD)
    affair.report_progress(at(4), Decimal("12.5"))
    affair.close_alert(at(5), affair.open_alerts[0].alert_id, "ok")
    replayed = replay(affair.collect_events(), Affair)
    assert state_of(replayed) == state_of(affair)
    assert replayed.budget_report() == affair.budget_report()


# --- schema evolution -------------------------------------------------------------------------


def test_a_version_1_time_logged_event_reads_back_as_billable() -> None:
    mapper: Mapper[Any] = Mapper(transcoder=domain_transcoder())
    affair = open_affair()
    opened = mapper.to_stored_event(affair.collect_events()[0])
    v1_state = {
        "originator_id": affair.id,
        "originator_version": 2,
        "timestamp": at(1),
        "at": at(1),
        "employee": "bob",
        "day": IN_PERIOD,
        "hours": Decimal("7.5"),
        "hourly_rate": Decimal("62.40"),
        "cost": Decimal("468.00"),
    }
    v1 = StoredEvent(
        originator_id=affair.id,
        originator_version=2,
        topic="domain.affair:Affair.TimeLogged",
        state=domain_transcoder().encode(v1_state),
    )
    event = mapper.to_domain_event(v1)
    assert isinstance(event, Affair.TimeLogged)
    assert event.billable is True
    created = mapper.to_domain_event(opened)
    assert isinstance(created, CanMutateAggregate)
    rebuilt = event.mutate(created.mutate(None))
    assert isinstance(rebuilt, Affair)
    assert rebuilt.labour["bob"].billable_hours == Decimal("7.5")
    assert rebuilt.actual["labour"] == Decimal("468.00")


def test_time_logged_events_are_stored_as_version_2() -> None:
    mapper: Mapper[Any] = Mapper(transcoder=domain_transcoder())
    affair = open_affair()
    affair.log_time(at(1), "bob", IN_PERIOD, Decimal("1"), Decimal("50"), billable=False)
    stored = mapper.to_stored_event(affair.collect_events()[-1])
    state = domain_transcoder().decode(stored.state)
    assert state["class_version"] == 2
    assert state["billable"] is False


def test_a_snapshot_of_an_affair_reads_back_to_the_same_state() -> None:
    mapper: Mapper[Any] = Mapper(transcoder=domain_transcoder())
    affair = open_affair()
    affair.set_budget(at(1), "purchases", Decimal("1000"))
    affair.baseline(at(1), "signed")
    affair.set_employee_rate(at(1), "bob", Decimal("50"), date(2025, 1, 1))
    affair.log_time(at(2), "bob", IN_PERIOD, Decimal("7.5"))
    affair.record_cost(at(2), "purchases", Decimal("1200"), "PO-1", IN_PERIOD, committed=True)
    affair.record_action(at(2), "task", "call back", None, "alice", "")
    affair.lose(at(3), "price")
    snapshot = mapper.to_domain_event(mapper.to_stored_event(Snapshot.take(affair)))
    assert isinstance(snapshot, Snapshot)
    restored = snapshot.mutate(None)
    assert isinstance(restored, Affair)
    assert state_of(restored) == state_of(affair)
