"""The budget-versus-actual maths and the hourly rate table (A5, A7), as pure functions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from domain.budget import (
    HourlyRate,
    budget_vs_actual,
    forecast_at_completion,
    rate_in_force,
    with_rate,
)

D = Decimal


@dataclass
class Figures:
    currency: str = "EUR"
    progress: Decimal = Decimal(0)
    budget: dict[str, Decimal] = field(default_factory=dict)
    actual: dict[str, Decimal] = field(default_factory=dict)
    committed: dict[str, Decimal] = field(default_factory=dict)
    revenue: dict[str, Decimal] = field(default_factory=dict)


def test_forecast_at_completion_extrapolates_the_actual_by_progress() -> None:
    assert forecast_at_completion(D("2000.00"), D("1200.00"), D("40"), "EUR") == D("3000.00")


def test_forecast_at_completion_is_the_budget_before_any_progress() -> None:
    assert forecast_at_completion(D("2000.00"), D("1200.00"), D("0"), "EUR") == D("2000.00")


def test_forecast_at_completion_is_rounded_half_up_to_the_currency() -> None:
    # 100 / 0.3 = 333.333… ; 1 / 0.8 = 1.25 ; 0.01 / 0.4 = 0.025 → 0.03
    assert forecast_at_completion(D(0), D("100"), D("30"), "EUR") == D("333.33")
    assert forecast_at_completion(D(0), D("0.01"), D("40"), "EUR") == D("0.03")
    assert forecast_at_completion(D(0), D("1000"), D("30"), "JPY") == D("3333")


def test_forecast_at_completion_is_the_actual_when_complete() -> None:
    assert forecast_at_completion(D("2000.00"), D("2345.67"), D("100"), "EUR") == D("2345.67")


def test_variance_is_budget_minus_actual_and_negative_when_over_budget() -> None:
    report = budget_vs_actual(
        Figures(budget={"purchases": D("1000.00")}, actual={"purchases": D("1250.00")})
    )
    assert report.row("purchases").variance == D("-250.00")


def test_a_category_without_a_budget_line_counts_as_a_budget_of_zero() -> None:
    report = budget_vs_actual(Figures(progress=D(50), actual={"expenses": D("80.00")}))
    row = report.row("expenses")
    assert (row.budget, row.variance, row.forecast) == (D("0.00"), D("-80.00"), D("160.00"))


def test_the_forecast_margin_uses_the_sales_budget_when_there_is_one() -> None:
    report = budget_vs_actual(
        Figures(
            progress=D(40),
            budget={"sales": D("5000.00"), "labour": D("2000.00")},
            actual={"labour": D("1200.00"), "purchases": D("200.00")},
            revenue={"ordered": D("4500.00"), "invoiced": D("1000.00")},
        )
    )
    # FAC labour 1200 / 0.4 = 3000.00, purchases 200 / 0.4 = 500.00
    assert report.forecast_cost == D("3500.00")
    assert report.forecast_revenue == D("5000.00")
    assert report.forecast_margin == D("1500.00")
    sales = report.row("sales")
    assert (sales.actual, sales.committed, sales.variance) == (
        D("1000.00"),
        D("4500.00"),
        D("4000.00"),
    )


def test_the_forecast_margin_falls_back_to_revenue_ordered_without_a_sales_budget() -> None:
    report = budget_vs_actual(
        Figures(
            budget={"labour": D("2000.00")},
            revenue={"ordered": D("4500.00")},
        )
    )
    # progress 0: every cost forecast is its budget
    assert report.forecast_cost == D("2000.00")
    assert report.forecast_revenue == D("4500.00")
    assert report.forecast_margin == D("2500.00")


def test_the_report_has_one_row_per_category_costs_first_then_sales() -> None:
    report = budget_vs_actual(Figures())
    assert [r.category for r in report.rows] == [
        "labour",
        "purchases",
        "subcontracting",
        "expenses",
        "sales",
    ]


def test_the_rate_in_force_is_the_latest_one_valid_on_the_day() -> None:
    rates: list[HourlyRate] = []
    with_rate(rates, HourlyRate(date(2025, 4, 1), D("65")))
    with_rate(rates, HourlyRate(date(2025, 1, 1), D("60")))
    assert rate_in_force(rates, date(2024, 12, 31)) is None
    assert rate_in_force(rates, date(2025, 1, 1)) == D("60")
    assert rate_in_force(rates, date(2025, 3, 31)) == D("60")
    assert rate_in_force(rates, date(2025, 4, 1)) == D("65")
    assert rate_in_force(rates, date(2030, 1, 1)) == D("65")


def test_a_rate_from_the_same_day_replaces_the_older_one() -> None:
    rates = [HourlyRate(date(2025, 1, 1), D("60"))]
    with_rate(rates, HourlyRate(date(2025, 1, 1), D("62")))
    assert rates == [HourlyRate(date(2025, 1, 1), D("62"))]
