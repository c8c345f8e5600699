"""An affair's budget lines, baselines and actuals (A4, A5) and the budget maths (A7).

Definitions, written down once (every amount rounded half-up to the affair's
currency, `domain.values.round_money`):

- Cost categories are labour, purchases, subcontracting and expenses; `sales` is the
  revenue line. A category with no budget line counts as a budget of 0.
- Actual cost of a category: labour = Σ time entries' hours × hourly rate (each entry
  rounded); other categories = Σ received costs. The affair keeps these sums as running
  totals (and per-employee `LabourSummary`s), not the entries: those are in its events.
  Committed costs (ordered, not yet received) are kept apart and are *not* in the actual.
- Variance = budget − actual (negative when over budget).
- Forecast at completion (FAC) of a cost category = actual ÷ (progress ÷ 100) when
  progress > 0, else the budget.
- Sales row: actual = revenue invoiced, committed = revenue ordered, variance = sales
  budget − revenue invoiced, forecast = forecast revenue = the sales budget when a
  non-zero sales budget line exists, else revenue ordered.
- Total forecast cost = Σ FAC over the four cost categories.
- Forecast margin = forecast revenue − total forecast cost.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from domain.values import HUNDRED, ZERO, in_money_context, round_money


class BudgetCategory(StrEnum):
    LABOUR = "labour"
    PURCHASES = "purchases"
    SUBCONTRACTING = "subcontracting"
    EXPENSES = "expenses"
    SALES = "sales"


COST_CATEGORIES: tuple[BudgetCategory, ...] = (
    BudgetCategory.LABOUR,
    BudgetCategory.PURCHASES,
    BudgetCategory.SUBCONTRACTING,
    BudgetCategory.EXPENSES,
)
# Categories a document cost may be recorded against (labour comes from time entries).
DOCUMENT_COST_CATEGORIES: tuple[BudgetCategory, ...] = COST_CATEGORIES[1:]


class RevenueKind(StrEnum):
    ORDERED = "ordered"
    INVOICED = "invoiced"


@dataclass(frozen=True)
class Baseline:
    """A frozen copy of the budget lines: baseline `number`, taken `at`, with a reason."""

    number: int
    at: datetime
    reason: str
    amounts: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class TimeEntry:
    """Hours an employee spent on the affair on a day, and their labour cost.

    Affairs before class version 2 kept every entry in their state; their stored
    snapshots still decode to this type before `Affair.upcast_v1_v2` folds them into
    `LabourSummary`s. The entries themselves are in the `TimeLogged` events."""

    employee: str
    day: date
    hours: Decimal
    hourly_rate: Decimal
    cost: Decimal
    billable: bool = True


@dataclass(frozen=True)
class LabourSummary:
    """An employee's time on an affair: entries, hours (billable or not), labour cost."""

    entries: int = 0
    hours: Decimal = ZERO
    billable_hours: Decimal = ZERO
    cost: Decimal = ZERO

    @property
    def non_billable_hours(self) -> Decimal:
        return self.hours - self.billable_hours

    def logged(self, hours: Decimal, cost: Decimal, billable: bool) -> LabourSummary:
        """This summary with one more entry of `hours` costing `cost`."""
        return LabourSummary(
            self.entries + 1,
            self.hours + hours,
            self.billable_hours + hours if billable else self.billable_hours,
            self.cost + cost,
        )


@dataclass(frozen=True)
class CostEntry:
    """A purchase, subcontracting or expense cost from a document."""

    category: BudgetCategory
    amount: Decimal
    document_ref: str
    document_date: date
    committed: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "category", BudgetCategory(self.category))


@dataclass(frozen=True)
class RevenueEntry:
    """Revenue from an order or invoice linked to the affair."""

    kind: RevenueKind
    amount: Decimal
    document_ref: str
    document_date: date

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", RevenueKind(self.kind))


@dataclass(frozen=True)
class HourlyRate:
    """An employee's hourly rate, in force from `valid_from` until the next one."""

    valid_from: date
    rate: Decimal


def rate_in_force(rates: Sequence[HourlyRate], day: date) -> Decimal | None:
    """The rate of the latest entry valid from `day` or before (rates sorted by date)."""
    index = bisect_right(rates, day, key=lambda r: r.valid_from)
    return rates[index - 1].rate if index else None


def with_rate(rates: list[HourlyRate], new: HourlyRate) -> None:
    """Insert `new` in date order, replacing any rate valid from the same day."""
    index = bisect_right(rates, new.valid_from, key=lambda r: r.valid_from)
    if index and rates[index - 1].valid_from == new.valid_from:
        rates[index - 1] = new
    else:
        rates.insert(index, new)


@dataclass(frozen=True)
class BudgetRow:
    """One category of budget versus actual."""

    category: BudgetCategory
    budget: Decimal
    actual: Decimal
    committed: Decimal
    variance: Decimal
    forecast: Decimal

    def __post_init__(self) -> None:
        if type(self.category) is not BudgetCategory:
            object.__setattr__(self, "category", BudgetCategory(self.category))


@dataclass(frozen=True)
class BudgetReport:
    """Budget versus actual per category, with the forecast margin."""

    currency: str
    progress: Decimal
    rows: tuple[BudgetRow, ...]
    forecast_cost: Decimal
    forecast_revenue: Decimal
    forecast_margin: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", tuple(self.rows))

    def row(self, category: BudgetCategory | str) -> BudgetRow:
        return next(r for r in self.rows if r.category == category)


class BudgetFigures(Protocol):
    """What the budget maths reads of an affair."""

    @property
    def currency(self) -> str: ...
    @property
    def progress(self) -> Decimal: ...
    @property
    def budget(self) -> Mapping[str, Decimal]: ...
    @property
    def actual(self) -> Mapping[str, Decimal]: ...
    @property
    def committed(self) -> Mapping[str, Decimal]: ...
    @property
    def revenue(self) -> Mapping[str, Decimal]: ...


@in_money_context
def forecast_at_completion(
    budget: Decimal, actual: Decimal, progress: Decimal, currency: str
) -> Decimal:
    """actual ÷ (progress ÷ 100) when progress > 0, else the budget; rounded half-up."""
    if progress > ZERO:
        return round_money(actual / (progress / HUNDRED), currency)
    return budget


@in_money_context
def budget_vs_actual(affair: BudgetFigures) -> BudgetReport:
    """Budget versus actual per category, as defined in this module's docstring."""
    currency = affair.currency
    zero = round_money(ZERO, currency)
    # `forecast_at_completion` in line: the context is already the money context.
    fraction = affair.progress / HUNDRED if affair.progress > ZERO else None
    budgets, actuals, committed = affair.budget, affair.actual, affair.committed
    rows: list[BudgetRow] = []
    for category in COST_CATEGORIES:
        budget = budgets.get(category, zero)
        actual = actuals.get(category, zero)
        forecast = budget if fraction is None else round_money(actual / fraction, currency)
        rows.append(
            BudgetRow(
                category, budget, actual, committed.get(category, zero), budget - actual, forecast
            )
        )
    sales_budget = affair.budget.get(BudgetCategory.SALES, zero)
    ordered = affair.revenue.get(RevenueKind.ORDERED, zero)
    invoiced = affair.revenue.get(RevenueKind.INVOICED, zero)
    forecast_revenue = sales_budget if sales_budget != ZERO else ordered
    sales = BudgetRow(
        BudgetCategory.SALES,
        sales_budget,
        invoiced,
        ordered,
        sales_budget - invoiced,
        forecast_revenue,
    )
    forecast_cost = sum((r.forecast for r in rows), zero)
    return BudgetReport(
        currency=currency,
        progress=affair.progress,
        rows=(*rows, sales),
        forecast_cost=forecast_cost,
        forecast_revenue=forecast_revenue,
        forecast_margin=forecast_revenue - forecast_cost,
    )
