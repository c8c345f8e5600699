"""Stage ladder maths: time in stage, conversion rates and weighted amounts (A2, V1, V3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.errors import UnknownStage
from domain.stages import (
    DEFAULT_LADDER,
    LOST,
    Risk,
    RiskFactors,
    StageEntry,
    conversion_rates,
    time_in_stages,
    weighted_amount,
)
from domain.values import Money

T0 = datetime(2025, 1, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)


def entry(code: str, hours: float) -> StageEntry:
    return StageEntry(code, T0 + hours * HOUR)


def test_the_default_ladder_is_p_e_m_b_a_with_its_probabilities() -> None:
    assert [(s.code, s.name, s.probability) for s in DEFAULT_LADDER.stages] == [
        ("P", "prospection", 10),
        ("E", "evaluation", 30),
        ("M", "maturation", 50),
        ("B", "budgeting", 70),
        ("A", "purchase", 100),
    ]
    assert DEFAULT_LADDER.won == "A"
    assert DEFAULT_LADDER.probability(LOST) == 0


def test_an_unknown_stage_code_is_refused_by_the_ladder() -> None:
    with pytest.raises(UnknownStage):
        DEFAULT_LADDER.stage("Z")


def test_time_in_stage_adds_up_repeated_visits_and_counts_the_last_until_now() -> None:
    history = [entry("P", 0), entry("E", 2), entry("P", 5), entry("M", 6)]
    assert time_in_stages(history, T0 + 10 * HOUR) == {
        "P": 3 * 3600.0,
        "E": 3 * 3600.0,
        "M": 4 * 3600.0,
    }


def test_time_in_stage_never_goes_negative_when_now_is_before_the_last_entry() -> None:
    assert time_in_stages([entry("P", 5)], T0) == {"P": 0.0}


def test_conversion_counts_skipped_stages_as_reached() -> None:
    histories = [
        [entry("P", 0), entry("E", 1), entry("A", 2)],  # won, skipping M and B
        [entry("P", 0), entry("E", 1), entry(LOST, 2)],
        [entry("P", 0), entry(LOST, 1)],
        [entry("P", 0)],
    ]
    rates = conversion_rates(histories, DEFAULT_LADDER)
    assert rates == {
        "P": Decimal("50.00"),  # 2 of 4 reached E
        "E": Decimal("50.00"),  # 1 of 2 reached M (via A)
        "M": Decimal("100.00"),
        "B": Decimal("100.00"),
    }


def test_conversion_of_a_stage_nobody_reached_is_unknown() -> None:
    assert conversion_rates([[entry("P", 0)]], DEFAULT_LADDER)["E"] is None


@pytest.mark.parametrize(
    ("risk", "expected"),
    [(Risk.LOW, "7000.00"), (Risk.MEDIUM, "5250.00"), (Risk.HIGH, "3500.00")],
)
def test_the_weighted_amount_is_amount_times_probability_times_risk_factor(
    risk: Risk, expected: str
) -> None:
    amount = Money(Decimal("10000"), "EUR")
    assert weighted_amount(amount, 70, risk) == Money(Decimal(expected), "EUR")


def test_the_weighted_amount_is_rounded_half_up_to_the_currency() -> None:
    # 33.35 × 10 % × 0.75 = 2.50125 → 2.50 ; 0.05 × 10 % = 0.005 → 0.01
    assert weighted_amount(Money(Decimal("33.35"), "EUR"), 10, "medium").amount == Decimal("2.50")
    assert weighted_amount(Money(Decimal("0.05"), "EUR"), 10, "low").amount == Decimal("0.01")
    assert weighted_amount(Money(Decimal("999"), "JPY"), 50, "high").amount == Decimal("250")


def test_risk_factors_are_configurable() -> None:
    factors = RiskFactors(low=Decimal("0.9"), medium=Decimal("0.5"), high=Decimal("0.1"))
    assert weighted_amount(Money(Decimal(1000), "EUR"), 50, "high", factors) == Money(
        Decimal("50.00"), "EUR"
    )
