"""Affair: opening, stages, reassignment, actions and currencies (A1–A3, A8, A9)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from domain.affair import ActionKind, Affair, AffairStatus, AlertPolicy, SaleType
from domain.errors import (
    CurrencyNotConfigured,
    InvalidAffairPeriod,
    InvalidInput,
    InvalidStageLadder,
    InvalidTransition,
    UnknownAction,
    UnknownCurrency,
    UnknownStage,
)
from domain.stages import LOST, Risk, RiskFactors, Stage, StageEntry, StageLadder
from domain.values import Money
from tests.unit.replay import replay, state_of

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def at(days: float = 0) -> datetime:
    return T0 + timedelta(days=days)


def open_affair(**overrides: Any) -> Affair:
    fields: dict[str, Any] = {
        "name": "Pumping station",
        "customer_id": uuid4(),
        "prospect": None,
        "salesperson": "alice",
        "currency": "EUR",
        "expected_amount": Decimal("10000"),
        "expected_close": date(2025, 6, 30),
        "zone": "north",
        "country": "FR",
        "sale_type": SaleType.PRODUCT,
        "risk": Risk.MEDIUM,
        "competitors": ["Rival SA"],
    }
    fields.update(overrides)
    return Affair.open(T0, **fields)


def pending(affair: Affair) -> int:
    return len(affair.pending_events)


# --- A1 opening ------------------------------------------------------------------


def test_an_opened_affair_starts_at_the_first_stage_of_the_default_ladder() -> None:
    affair = open_affair()
    assert affair.stage == "P"
    assert affair.status == AffairStatus.OPEN
    assert affair.probability == 10
    assert affair.stage_history == [StageEntry("P", T0)]
    assert affair.alert_policy == AlertPolicy.INFORMATIVE
    assert [type(e).__name__ for e in affair.collect_events()] == ["Opened"]


def test_an_affair_may_be_opened_for_a_prospect_without_a_customer() -> None:
    affair = open_affair(customer_id=None, prospect="Acme (prospect)")
    assert affair.customer_id is None
    assert affair.prospect == "Acme (prospect)"


def test_an_affair_needs_a_customer_or_a_prospect() -> None:
    with pytest.raises(InvalidInput):
        open_affair(customer_id=None, prospect=" ")


def test_the_expected_amount_is_rounded_half_up_to_the_currency() -> None:
    assert open_affair(expected_amount=Decimal("10.005")).expected_amount == Decimal("10.01")


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("currency", "XYZ", UnknownCurrency),
        ("sale_type", "barter", InvalidInput),
        ("risk", "extreme", InvalidInput),
        ("alert_policy", "maybe", InvalidInput),
        ("name", "", InvalidInput),
        ("salesperson", "  ", InvalidInput),
        ("expected_amount", Decimal("-1"), InvalidInput),
        ("competitors", [""], InvalidInput),
    ],
)
def test_opening_refuses_malformed_fields(field: str, value: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        open_affair(**{field: value})


def test_an_affair_period_cannot_end_before_it_starts() -> None:
    with pytest.raises(InvalidAffairPeriod) as caught:
        open_affair(start=date(2025, 3, 1), end=date(2025, 2, 28))
    assert caught.value.code == "invalid-affair-period"


def test_the_time_of_a_command_must_be_timezone_aware() -> None:
    with pytest.raises(InvalidInput):
        Affair.open(
            datetime(2025, 1, 6),
            name="x",
            customer_id=uuid4(),
            prospect=None,
            salesperson="a",
            currency="EUR",
            expected_amount=Decimal(1),
            expected_close=None,
            zone="z",
            country="FR",
            sale_type="study",
            risk="low",
            competitors=[],
        )


def test_updating_the_opportunity_records_only_the_fields_that_change() -> None:
    affair = open_affair()
    affair.collect_events()
    affair.update_opportunity(at(1), risk="high", zone="north", expected_amount=Decimal("12000"))
    (updated,) = affair.collect_events()
    assert type(updated).__name__ == "OpportunityUpdated"
    assert updated.changes == {"risk": Risk.HIGH, "expected_amount": Decimal("12000.00")}  # type: ignore[attr-defined]
    assert affair.risk == Risk.HIGH


def test_updating_the_opportunity_with_unchanged_values_records_nothing() -> None:
    affair = open_affair()
    affair.collect_events()
    affair.update_opportunity(at(1), zone="north", country="FR")
    assert pending(affair) == 0


@pytest.mark.parametrize(
    "fields",
    [
        {"salesperson": "bob"},
        {"currency": "USD"},
        {"stage": "A"},
        {"risk": "extreme"},
        {"customer_id": None},
        {"customer_id": "not-a-uuid"},
        {"expected_close": "2025-06-30"},
        {"start": T0},
        {"expected_amount": 12000},
        {"expected_amount": Decimal("-1")},
        {"competitors": ["ok", ""]},
        {"competitors": "Rival SA"},
        {"end": date(2024, 1, 1), "start": date(2024, 2, 1)},
    ],
)
def test_updating_the_opportunity_refuses_bad_or_protected_fields(fields: dict[str, Any]) -> None:
    affair = open_affair()
    affair.collect_events()
    with pytest.raises(InvalidInput):
        affair.update_opportunity(at(1), **fields)
    assert pending(affair) == 0


# --- A2 stages -------------------------------------------------------------------


def test_an_affair_moves_forward_and_back_on_the_ladder_keeping_its_history() -> None:
    affair = open_affair()
    affair.move_to_stage(at(1), "M")
    affair.move_to_stage(at(3), "E")
    assert affair.stage == "E"
    assert affair.probability == 30
    assert [e.code for e in affair.stage_history] == ["P", "M", "E"]
    assert affair.time_in_stages(at(10)) == {
        "P": 86400.0,
        "M": 2 * 86400.0,
        "E": 7 * 86400.0,
    }


def test_reaching_the_last_stage_wins_the_affair() -> None:
    affair = open_affair()
    affair.move_to_stage(at(1), "A")
    assert affair.status == AffairStatus.WON
    assert affair.probability == 100


def test_moving_to_the_current_stage_records_nothing() -> None:
    affair = open_affair()
    affair.collect_events()
    affair.move_to_stage(at(1), "P")
    assert pending(affair) == 0


def test_moving_to_a_stage_not_on_the_ladder_is_refused() -> None:
    affair = open_affair()
    affair.collect_events()
    with pytest.raises(UnknownStage) as caught:
        affair.move_to_stage(at(1), "Z")
    assert caught.value.code == "unknown-stage"
    assert pending(affair) == 0


def test_a_won_affair_cannot_change_stage_nor_be_lost() -> None:
    affair = open_affair()
    affair.move_to_stage(at(1), "A")
    affair.collect_events()
    with pytest.raises(InvalidTransition):
        affair.move_to_stage(at(2), "B")
    with pytest.raises(InvalidTransition):
        affair.lose(at(2), "too late")
    assert pending(affair) == 0


def test_a_lost_affair_keeps_its_reason_and_has_no_probability() -> None:
    affair = open_affair()
    affair.move_to_stage(at(1), "B")
    affair.lose(at(2), "price too high")
    assert affair.status == AffairStatus.LOST
    assert affair.stage == LOST
    assert affair.lost_reason == "price too high"
    assert affair.probability == 0
    assert affair.weighted_amount() == Money(Decimal("0.00"), "EUR")
    assert affair.stage_history[-1] == StageEntry(LOST, at(2))


def test_a_lost_affair_cannot_move_be_budgeted_or_reassigned() -> None:
    affair = open_affair()
    affair.lose(at(1), "no budget")
    affair.collect_events()
    for command in (
        lambda: affair.move_to_stage(at(2), "E"),
        lambda: affair.lose(at(2), "again"),
        lambda: affair.set_budget(at(2), "labour", Decimal(1)),
        lambda: affair.baseline(at(2), "b"),
        lambda: affair.reassign(at(2), "bob", "r"),
        lambda: affair.update_opportunity(at(2), zone="south"),
    ):
        with pytest.raises(InvalidTransition) as caught:
            command()
        assert caught.value.code == "invalid-transition"
    assert pending(affair) == 0


def test_a_lost_affair_reopens_at_the_stage_it_was_lost_from() -> None:
    affair = open_affair()
    affair.move_to_stage(at(1), "M")
    affair.lose(at(2), "budget frozen")
    affair.reopen(at(5), "budget unfrozen")
    assert affair.stage == "M"
    assert affair.lost_reason is None
    assert [e.code for e in affair.stage_history] == ["P", "M", LOST, "M"]
    assert affair.time_in_stages(at(6))[LOST] == 3 * 86400.0


def test_a_lost_affair_may_reopen_at_another_stage() -> None:
    affair = open_affair()
    affair.lose(at(1), "x")
    affair.reopen(at(2), "y", stage="E")
    assert affair.stage == "E"


def test_only_a_lost_affair_can_be_reopened() -> None:
    affair = open_affair()
    affair.collect_events()
    with pytest.raises(InvalidTransition):
        affair.reopen(at(1), "why")
    assert pending(affair) == 0


def test_losing_needs_a_reason() -> None:
    affair = open_affair()
    affair.collect_events()
    with pytest.raises(InvalidInput):
        affair.lose(at(1), "")
    assert pending(affair) == 0


def test_a_custom_ladder_drives_stages_and_probabilities() -> None:
    ladder = StageLadder(
        (Stage("lead", "lead", 5), Stage("offer", "offer", 40), Stage("won", "signed", 100))
    )
    affair = open_affair(ladder=ladder)
    assert affair.stage == "lead"
    affair.move_to_stage(at(1), "offer")
    assert affair.probability == 40
    with pytest.raises(UnknownStage):
        affair.move_to_stage(at(2), "M")
    affair.move_to_stage(at(3), "won")
    assert affair.status == AffairStatus.WON
    assert replay(affair.collect_events(), Affair).ladder == ladder


@pytest.mark.parametrize(
    "stages",
    [
        (Stage("P", "p", 10),),
        (Stage("P", "p", 10), Stage("P", "again", 20)),
    ],
)
def test_a_ladder_needs_two_distinct_stages(stages: tuple[Stage, ...]) -> None:
    with pytest.raises(InvalidStageLadder):
        StageLadder(stages)


@pytest.mark.parametrize(("code", "probability"), [("", 10), (LOST, 10), ("X", 101), ("X", -1)])
def test_a_stage_needs_a_code_and_a_probability_between_0_and_100(
    code: str, probability: int
) -> None:
    with pytest.raises(InvalidStageLadder) as caught:
        Stage(code, "name", probability)
    assert caught.value.code == "invalid-stage-ladder"


# --- weighted amount ------------------------------------------------------------------


def test_the_weighted_amount_applies_stage_probability_and_risk() -> None:
    affair = open_affair(expected_amount=Decimal("10000"), risk="medium")
    affair.move_to_stage(at(1), "M")
    # 10000 × 50 % × 0.75
    assert affair.weighted_amount() == Money(Decimal("3750.00"), "EUR")
    factors = RiskFactors(low=Decimal(1), medium=Decimal("0.6"), high=Decimal("0.2"))
    assert affair.weighted_amount(factors) == Money(Decimal("3000.00"), "EUR")


# --- A3 reassignment ------------------------------------------------------------------


def test_reassigning_keeps_the_history_of_salespeople() -> None:
    affair = open_affair()
    affair.reassign(at(1), "bob", "alice on leave")
    affair.reassign(at(2), "carol", "zone change")
    assert affair.salesperson == "carol"
    assert [(r.previous, r.salesperson, r.reason) for r in affair.reassignments] == [
        ("alice", "bob", "alice on leave"),
        ("bob", "carol", "zone change"),
    ]


def test_reassigning_to_the_current_salesperson_records_nothing() -> None:
    affair = open_affair()
    affair.collect_events()
    affair.reassign(at(1), "alice", "no change")
    assert pending(affair) == 0


def test_a_won_affair_may_still_be_reassigned() -> None:
    affair = open_affair()
    affair.move_to_stage(at(1), "A")
    affair.reassign(at(2), "bob", "account manager")
    assert affair.salesperson == "bob"


# --- A8 actions -------------------------------------------------------------------------


def test_an_action_is_recorded_then_completed() -> None:
    affair = open_affair()
    action_id = affair.record_action(
        at(1), ActionKind.APPOINTMENT, "site visit", date(2025, 1, 20), "bob", "bring specs"
    )
    action = affair.actions[str(action_id)]
    assert (action.kind, action.subject, action.due, action.completed_at) == (
        ActionKind.APPOINTMENT,
        "site visit",
        date(2025, 1, 20),
        None,
    )
    affair.complete_action(at(2), action_id)
    assert affair.actions[str(action_id)].completed_at == at(2)


def test_a_completed_action_cannot_be_completed_again() -> None:
    affair = open_affair()
    action_id = affair.record_action(at(1), "task", "send brochure", None, "alice", "")
    affair.complete_action(at(2), action_id)
    affair.collect_events()
    with pytest.raises(InvalidTransition):
        affair.complete_action(at(3), action_id)
    assert pending(affair) == 0


def test_completing_an_unknown_action_is_refused() -> None:
    affair = open_affair()
    with pytest.raises(UnknownAction) as caught:
        affair.complete_action(at(1), uuid4())
    assert caught.value.code == "unknown-action"


def test_an_action_needs_a_known_kind_and_a_subject() -> None:
    affair = open_affair()
    affair.collect_events()
    with pytest.raises(InvalidInput):
        affair.record_action(at(1), "fax", "s", None, "a", "")
    with pytest.raises(InvalidInput):
        affair.record_action(at(1), "note", "", None, "a", "")
    assert pending(affair) == 0


def test_a_lost_affair_still_takes_notes() -> None:
    affair = open_affair()
    affair.lose(at(1), "price")
    affair.record_action(at(2), "note", "debrief", None, "alice", "too expensive by 10 %")
    assert len(affair.actions) == 1


# --- A9 second currency -----------------------------------------------------------------


def test_the_expected_amount_converts_to_the_second_currency_at_the_zone_rate() -> None:
    affair = open_affair(expected_amount=Decimal("10000"), zone="north")
    affair.set_second_currency(at(1), "USD", Decimal("1.0850"))
    assert affair.expected_amount_in("USD") == Money(Decimal("10850.00"), "USD")
    affair.set_rate(at(2), "north", Decimal("1.1"))
    affair.set_rate(at(2), "south", Decimal("1.2"))
    assert affair.expected_amount_in("USD") == Money(Decimal("11000.00"), "USD")
    assert affair.expected_amount_in("EUR") == Money(Decimal("10000.00"), "EUR")
    assert affair.convert(Money(Decimal("110"), "USD"), "EUR") == Money(Decimal("100.00"), "EUR")


def test_a_zone_rate_needs_a_second_currency() -> None:
    affair = open_affair()
    affair.collect_events()
    with pytest.raises(CurrencyNotConfigured) as caught:
        affair.set_rate(at(1), "north", Decimal("1.1"))
    assert caught.value.code == "currency-not-configured"
    assert pending(affair) == 0


def test_converting_to_a_currency_the_affair_does_not_use_is_refused() -> None:
    affair = open_affair()
    affair.set_second_currency(at(1), "USD", Decimal("1.1"))
    with pytest.raises(CurrencyNotConfigured):
        affair.expected_amount_in("GBP")


@pytest.mark.parametrize(
    ("currency", "rate"), [("EUR", Decimal(1)), ("USD", Decimal(0)), ("XYZ", Decimal(1))]
)
def test_the_second_currency_must_differ_and_have_a_positive_rate(
    currency: str, rate: Decimal
) -> None:
    affair = open_affair()
    affair.collect_events()
    with pytest.raises(InvalidInput):
        affair.set_second_currency(at(1), currency, rate)
    assert pending(affair) == 0


def test_changing_the_second_currency_clears_the_zone_rates() -> None:
    affair = open_affair()
    affair.set_second_currency(at(1), "USD", Decimal("1.1"))
    affair.set_rate(at(2), "north", Decimal("1.2"))
    affair.set_second_currency(at(3), "GBP", Decimal("0.85"))
    assert affair.zone_rates == {}
    assert affair.expected_amount_in("GBP") == Money(Decimal("8500.00"), "GBP")


# --- replay -------------------------------------------------------------------------------


def test_replaying_an_affairs_events_through_storage_gives_the_same_state() -> None:
    affair = open_affair(customer_id=None, prospect="Acme", alert_policy="informative")
    affair.move_to_stage(at(1), "E")
    affair.update_opportunity(at(1), sale_type="study", competitors=["A", "B"], risk="low")
    affair.reassign(at(2), "bob", "r")
    action_id = affair.record_action(at(2), "email", "quote sent", None, "bob", "see pdf")
    affair.complete_action(at(3), action_id)
    affair.set_second_currency(at(3), "USD", Decimal("1.1"))
    affair.set_rate(at(3), "north", Decimal("1.15"))
    affair.lose(at(4), "competitor")
    affair.reopen(at(5), "came back")
    replayed = replay(affair.collect_events(), Affair)
    assert state_of(replayed) == state_of(affair)
    assert replayed.sale_type == SaleType.STUDY
