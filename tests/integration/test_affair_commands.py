"""Affair commands through the application, on the real SQLite and Postgres stores."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from application.affairs import ReassignItem, RecordActionItem
from application.app import Comptoir
from application.errors import IdempotencyKeyReused, StaleVersion
from application.journal import CommandContext
from application.policies import Policies
from domain.affair import Affair
from domain.errors import (
    BudgetExceeded,
    CurrencyNotConfigured,
    DateOutsideAffairPeriod,
    DuplicateCommittedCost,
    InvalidInput,
    InvalidProgress,
    InvalidStageLadder,
    InvalidTransition,
    MissingHourlyRate,
    NotFound,
    UnknownAction,
    UnknownAlert,
    UnknownCommittedCost,
    UnknownStage,
)
from domain.stages import RiskFactors, Stage
from interfaces.settings import Settings

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
FACTORS = RiskFactors(low=Decimal("1"), medium=Decimal("0.5"), high=Decimal("0.25"))


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env(), policies=Policies(risk_factors=FACTORS))
    yield app
    app.close()


def ctx(hours: float = 0, **kwargs: Any) -> CommandContext:
    return CommandContext(actor="alice", at=AT + timedelta(hours=hours), **kwargs)


def open_affair(app: Comptoir, **overrides: Any) -> UUID:
    fields: dict[str, Any] = {
        "name": "Pumping station",
        "prospect": "Commune de Vals",
        "salesperson": "alice",
        "currency": "EUR",
        "expected_amount": Decimal("10000"),
        "sale_type": "product",
        "zone": "north",
        "country": "FR",
        "risk": "medium",
        "competitors": ["Rival SA"],
    }
    fields.update(overrides)
    return app.affairs.open(ctx(reason="trade fair lead"), **fields).aggregate_id


def with_purchase_budget(app: Comptoir, policy: str, budget: str = "1000") -> UUID:
    affair_id = open_affair(app, alert_policy=policy, start=date(2026, 1, 1))
    app.affairs.set_budget(ctx(), affair_id, "purchases", Decimal(budget))
    return affair_id


def cost(app: Comptoir, affair_id: UUID, amount: str, **overrides: Any) -> Any:
    fields: dict[str, Any] = {
        "category": "purchases",
        "amount": Decimal(amount),
        "document_ref": "PO-1",
        "document_date": date(2026, 10, 1),
    }
    fields.update(overrides)
    return app.affairs.record_cost(ctx(), affair_id, **fields)


# --- A1, A2 ---------------------------------------------------------------------------


def test_opening_records_who_why_and_starts_at_the_first_stage(app: Comptoir) -> None:
    affair_id = open_affair(app)
    affair = app.affairs.get(affair_id)
    assert (affair.stage, affair.probability, affair.salesperson) == ("P", 10, "alice")
    [entry] = app.history(affair_id)
    assert entry.type == "Affair.Opened"
    assert entry.journal is not None
    assert entry.journal.record.actor == "alice"
    assert entry.journal.record.reason == "trade fair lead"
    assert entry.journal.record.command == "affair.open"


def test_an_affair_may_follow_a_ladder_of_its_own(app: Comptoir) -> None:
    stages = [Stage("lead", "lead", 20), Stage("won", "won", 100)]
    affair_id = open_affair(app, stages=stages)
    app.affairs.move_to_stage(ctx(1), affair_id, "won")
    assert str(app.affairs.get(affair_id).status) == "won"


def test_an_invalid_ladder_or_a_missing_party_is_refused_and_appends_nothing(
    app: Comptoir,
) -> None:
    before = app.log_position()
    with pytest.raises(InvalidStageLadder):
        open_affair(app, stages=[Stage("only", "only", 100)])
    with pytest.raises(InvalidInput):
        open_affair(app, prospect=None)
    assert app.log_position() == before


def test_opportunity_fields_are_updated_and_unknown_fields_are_refused(app: Comptoir) -> None:
    affair_id = open_affair(app)
    changes = {"expected_amount": Decimal("12000.456"), "risk": "low", "end": date(2027, 6, 30)}
    result = app.affairs.update_opportunity(ctx(1), affair_id, changes)
    affair = app.affairs.get(affair_id)
    assert result.version == 2
    assert (affair.expected_amount, affair.risk, affair.end) == (
        Decimal("12000.46"),
        "low",
        date(2027, 6, 30),
    )
    with pytest.raises(InvalidInput):
        app.affairs.update_opportunity(ctx(2), affair_id, {"currency": "USD"})


def test_weighted_amount_uses_the_company_risk_factors(app: Comptoir) -> None:
    affair_id = open_affair(app)
    app.affairs.move_to_stage(ctx(1), affair_id, "M")
    affair = app.affairs.get(affair_id)
    # 10,000 × 50 % × 0.5 (medium risk under these policies)
    assert app.affairs.weighted_amount(affair).amount == Decimal("2500.00")
    with pytest.raises(UnknownStage):
        app.affairs.move_to_stage(ctx(2), affair_id, "Z")


def test_a_lost_affair_keeps_its_reason_refuses_moves_and_reopens_where_it_was(
    app: Comptoir,
) -> None:
    affair_id = open_affair(app)
    app.affairs.move_to_stage(ctx(1), affair_id, "E")
    with pytest.raises(InvalidInput):
        app.affairs.lose(ctx(2), affair_id)
    app.affairs.lose(ctx(2, reason="price too high"), affair_id)
    lost = app.affairs.get(affair_id)
    assert (lost.stage, lost.lost_reason, lost.probability) == ("lost", "price too high", 0)
    with pytest.raises(InvalidTransition):
        app.affairs.move_to_stage(ctx(3), affair_id, "M")
    app.affairs.reopen(ctx(4, reason="new tender"), affair_id)
    assert app.affairs.get(affair_id).stage == "E"
    journal = app.history(affair_id)[-1].journal
    assert journal is not None
    assert journal.record.reason == "new tender"


# --- A3 --------------------------------------------------------------------------------


def test_reassignment_keeps_the_previous_salesperson_and_the_reason(app: Comptoir) -> None:
    affair_id = open_affair(app)
    app.affairs.reassign(ctx(1, reason="alice on leave"), affair_id, "bob")
    affair = app.affairs.get(affair_id)
    assert affair.salesperson == "bob"
    [move] = affair.reassignments
    assert (move.previous, move.salesperson, move.reason) == ("alice", "bob", "alice on leave")
    with pytest.raises(InvalidInput):
        app.affairs.reassign(ctx(2), affair_id, "carol")


# --- A4 --------------------------------------------------------------------------------


def test_baselines_stay_readable_after_later_budget_changes(app: Comptoir) -> None:
    affair_id = open_affair(app)
    app.affairs.set_budget(ctx(1), affair_id, "labour", Decimal("5000"))
    first = app.affairs.baseline(ctx(2, reason="signed budget"), affair_id)
    assert first.result == {"baseline": 1}
    app.affairs.set_budget(ctx(3), affair_id, "labour", Decimal("6500"))
    app.affairs.baseline(ctx(4, reason="change order 1"), affair_id)
    baseline = app.affairs.get_baseline(affair_id, 1)
    assert (baseline.reason, baseline.amounts) == ("signed budget", {"labour": Decimal("5000.00")})
    assert app.affairs.get_baseline(affair_id, 2).amounts == {"labour": Decimal("6500.00")}
    assert app.affairs.get(affair_id, version=first.version).budget == {
        "labour": Decimal("5000.00")
    }
    with pytest.raises(NotFound):
        app.affairs.get_baseline(affair_id, 3)
    with pytest.raises(InvalidInput):
        app.affairs.baseline(ctx(5), affair_id)
    with pytest.raises(InvalidInput):
        app.affairs.set_budget(ctx(5), affair_id, "travel", Decimal(1))


# --- A5, A6 ------------------------------------------------------------------------------


def test_a_time_entry_costs_hours_times_the_rate_in_force(app: Comptoir) -> None:
    affair_id = open_affair(app)
    app.affairs.set_employee_rate(
        ctx(), affair_id, employee="eve", rate=Decimal("62.50"), valid_from=date(2026, 1, 1)
    )
    app.affairs.log_time(
        ctx(1), affair_id, employee="eve", day=date(2026, 3, 2), hours=Decimal("7.5")
    )
    app.affairs.log_time(
        ctx(2),
        affair_id,
        employee="eve",
        day=date(2026, 3, 3),
        hours=Decimal("2"),
        hourly_rate=Decimal("80"),
    )
    affair = app.affairs.get(affair_id)
    assert affair.labour["eve"].entries == 2
    assert affair.labour["eve"].cost == Decimal("628.75")
    costs = [e.event.cost for e in app.history(affair_id) if isinstance(e.event, Affair.TimeLogged)]
    assert costs == [Decimal("468.75"), Decimal("160.00")]
    assert affair.budget_report().row("labour").actual == Decimal("628.75")
    with pytest.raises(MissingHourlyRate):
        app.affairs.log_time(
            ctx(3), affair_id, employee="zoe", day=date(2026, 3, 3), hours=Decimal("1")
        )


def test_a_blocking_policy_refuses_an_over_budget_purchase_and_appends_nothing(
    app: Comptoir,
) -> None:
    affair_id = with_purchase_budget(app, "blocking")
    cost(app, affair_id, "800")
    before = app.log_position()
    with pytest.raises(BudgetExceeded):
        cost(app, affair_id, "300", document_ref="PO-2")
    with pytest.raises(DateOutsideAffairPeriod):
        cost(app, affair_id, "10", document_ref="PO-3", document_date=date(2025, 12, 31))
    assert app.log_position() == before
    assert app.affairs.get(affair_id).actual["purchases"] == Decimal("800.00")


def test_an_informative_policy_records_the_cost_and_an_alert_that_can_be_closed(
    app: Comptoir,
) -> None:
    affair_id = with_purchase_budget(app, "informative")
    recorded = cost(app, affair_id, "1200")
    affair = app.affairs.get(affair_id)
    assert affair.actual["purchases"] == Decimal("1200.00")
    [alert] = affair.open_alerts
    assert (str(alert.kind), alert.document_ref) == ("budget", "PO-1")
    assert recorded.result == {"alert_ids": [str(alert.alert_id)]}
    app.affairs.close_alert(ctx(1, reason="accepted overrun"), affair_id, alert.alert_id, "ok")
    assert app.affairs.get(affair_id).open_alerts == []
    with pytest.raises(InvalidTransition):
        app.affairs.close_alert(ctx(2), affair_id, alert.alert_id, "again")
    with pytest.raises(UnknownAlert):
        app.affairs.close_alert(ctx(2), affair_id, uuid4(), "none")


def test_a_committed_cost_moves_to_actual_when_received(app: Comptoir) -> None:
    affair_id = open_affair(app)
    cost(app, affair_id, "300", category="subcontracting", committed=True)
    with pytest.raises(DuplicateCommittedCost):
        cost(app, affair_id, "300", category="subcontracting", committed=True)
    assert app.affairs.get(affair_id).committed["subcontracting"] == Decimal("300.00")
    app.affairs.receive_committed(ctx(1), affair_id, "PO-1")
    affair = app.affairs.get(affair_id)
    assert (affair.committed["subcontracting"], affair.actual["subcontracting"]) == (
        Decimal("0.00"),
        Decimal("300.00"),
    )
    with pytest.raises(UnknownCommittedCost):
        app.affairs.receive_committed(ctx(2), affair_id, "PO-1")
    with pytest.raises(InvalidInput):
        cost(app, affair_id, "10", category="labour", document_ref="X")


def test_revenue_and_progress_feed_the_budget_report(app: Comptoir) -> None:
    affair_id = open_affair(app)
    app.affairs.set_budget(ctx(), affair_id, "purchases", Decimal("1000"))
    cost(app, affair_id, "400")
    app.affairs.record_revenue(
        ctx(1),
        affair_id,
        kind="ordered",
        amount=Decimal("9000"),
        document_ref="SO-1",
        document_date=date(2026, 10, 2),
    )
    app.affairs.report_progress(ctx(2), affair_id, Decimal("50"))
    report = app.affairs.get(affair_id).budget_report()
    purchases = report.row("purchases")
    assert (purchases.actual, purchases.variance, purchases.forecast) == (
        Decimal("400.00"),
        Decimal("600.00"),
        Decimal("800.00"),
    )
    assert (report.forecast_revenue, report.forecast_margin) == (
        Decimal("9000.00"),
        Decimal("8200.00"),
    )
    with pytest.raises(InvalidProgress):
        app.affairs.report_progress(ctx(3), affair_id, Decimal("101"))


# --- A8, A9 ---------------------------------------------------------------------------------


def test_actions_are_recorded_and_completed_once(app: Comptoir) -> None:
    affair_id = open_affair(app)
    recorded = app.affairs.record_action(
        ctx(), affair_id, kind="task", subject="Call back", assignee="alice", due=date(2026, 11, 5)
    )
    action_id = UUID(recorded.result["action_id"])
    app.affairs.complete_action(ctx(1), affair_id, action_id)
    assert app.affairs.get(affair_id).actions[str(action_id)].completed_at == AT + timedelta(
        hours=1
    )
    with pytest.raises(InvalidTransition):
        app.affairs.complete_action(ctx(2), affair_id, action_id)
    with pytest.raises(UnknownAction):
        app.affairs.complete_action(ctx(2), affair_id, uuid4())
    with pytest.raises(InvalidInput):
        app.affairs.record_action(ctx(2), affair_id, kind="fax", subject="x", assignee="alice")


def test_a_zone_rate_wins_over_the_default_rate_of_the_second_currency(app: Comptoir) -> None:
    affair_id = open_affair(app)
    with pytest.raises(CurrencyNotConfigured):
        app.affairs.set_rate(ctx(), affair_id, "north", Decimal("1.2"))
    app.affairs.set_second_currency(ctx(1), affair_id, "USD", Decimal("1.10"))
    app.affairs.set_rate(ctx(2), affair_id, "north", Decimal("1.25"))
    affair = app.affairs.get(affair_id)
    assert affair.expected_amount_in("USD").amount == Decimal("12500.00")
    with pytest.raises(InvalidInput):
        app.affairs.set_second_currency(ctx(3), affair_id, "EUR", Decimal("1"))


# --- the command path --------------------------------------------------------------------


def test_a_retried_cost_with_the_same_key_is_recorded_once(app: Comptoir) -> None:
    affair_id = open_affair(app)
    first = app.affairs.record_cost(
        ctx(idempotency_key="cost-1"),
        affair_id,
        category="expenses",
        amount=Decimal("42"),
        document_ref="EX-1",
        document_date=date(2026, 10, 3),
    )
    before = app.log_position()
    again = app.affairs.record_cost(
        ctx(idempotency_key="cost-1"),
        affair_id,
        category="expenses",
        amount=Decimal("42"),
        document_ref="EX-1",
        document_date=date(2026, 10, 3),
    )
    assert again.replayed
    assert (again.version, again.position) == (first.version, first.position)
    assert app.log_position() == before
    assert app.affairs.get(affair_id).actual["expenses"] == Decimal("42.00")
    with pytest.raises(IdempotencyKeyReused):
        app.affairs.record_cost(
            ctx(idempotency_key="cost-1"),
            affair_id,
            category="expenses",
            amount=Decimal("43"),
            document_ref="EX-1",
            document_date=date(2026, 10, 3),
        )


def test_a_stale_expected_version_or_an_unknown_affair_is_refused(app: Comptoir) -> None:
    affair_id = open_affair(app)
    app.affairs.report_progress(ctx(), affair_id, Decimal("10"))
    with pytest.raises(StaleVersion):
        app.affairs.report_progress(ctx(expected_version=1), affair_id, Decimal("20"))
    with pytest.raises(NotFound):
        app.affairs.report_progress(ctx(), uuid4(), Decimal("20"))
    quote_id = app.quotes.draft(ctx(), currency="EUR", prospect="Martin").aggregate_id
    with pytest.raises(NotFound):
        app.affairs.get(quote_id)
    with pytest.raises(NotFound):
        app.affairs.get(affair_id, version=9)


# --- bulk actions (A8) -------------------------------------------------------------------


def test_a_bulk_action_reports_the_failing_item_and_applies_the_others(app: Comptoir) -> None:
    first, second = open_affair(app), open_affair(app, name="Water tower")
    missing = uuid4()
    action = RecordActionItem("email", "Price update", "alice", body="New tariff attached")
    outcomes = app.affairs.bulk_action(
        ctx(1, idempotency_key="mailing"), [first, missing, second], action
    )
    assert [(o.affair_id, o.ok) for o in outcomes] == [
        (first, True),
        (missing, False),
        (second, True),
    ]
    assert isinstance(outcomes[1].error, NotFound)
    for affair_id in (first, second):
        [recorded] = app.affairs.get(affair_id).actions.values()
        assert (str(recorded.kind), recorded.subject) == ("email", "Price update")
        journal = app.history(affair_id)[-1].journal
        assert journal is not None
        assert journal.record.idempotency_key == f"mailing:{affair_id}"
    before = app.log_position()
    again = app.affairs.bulk_action(
        ctx(2, idempotency_key="mailing"), [first, missing, second], action
    )
    assert [o.replayed for o in again] == [True, False, True]
    assert app.log_position() == before


def test_a_bulk_reassignment_never_half_applies_a_refused_affair(app: Comptoir) -> None:
    open_one, lost = open_affair(app), open_affair(app)
    app.affairs.lose(ctx(1, reason="no budget"), lost)
    lost_version = app.affairs.get(lost).version
    outcomes = app.affairs.bulk_action(
        ctx(2, reason="territory change"), [lost, open_one], ReassignItem("bob")
    )
    assert [o.ok for o in outcomes] == [False, True]
    assert isinstance(outcomes[0].error, InvalidTransition)
    assert app.affairs.get(lost).version == lost_version
    assert app.affairs.get(open_one).salesperson == "bob"
    assert app.affairs.get(open_one).reassignments[0].reason == "territory change"


def test_a_bulk_action_refuses_repeated_affairs_and_an_expected_version(app: Comptoir) -> None:
    affair_id = open_affair(app)
    action = RecordActionItem("note", "Met at fair", "alice")
    before = app.log_position()
    with pytest.raises(InvalidInput):
        app.affairs.bulk_action(ctx(), [affair_id, affair_id], action)
    with pytest.raises(InvalidInput):
        app.affairs.bulk_action(replace(ctx(), expected_version=1), [affair_id], action)
    assert app.log_position() == before
