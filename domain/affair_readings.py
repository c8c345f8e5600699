"""What an affair reads of itself (A2, A5–A7, A9): its status and probability, hours,
open alerts, budget report and conversions to its second currency, and the shape its
first snapshots had.

`AffairReadings` is a base of `domain.affair.Affair` holding only reads (no event, no
state of its own): the aggregate's verbs and events stay in `domain.affair`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from domain import bounds
from domain.affair_fields import TRANSITIONS, AffairStatus
from domain.budget import BudgetReport, LabourSummary, budget_vs_actual
from domain.errors import CurrencyNotConfigured, InvalidTransition
from domain.stages import (
    DEFAULT_RISK_FACTORS,
    LOST,
    Risk,
    RiskFactors,
    StageEntry,
    StageLadder,
    time_in_stages,
    weighted_amount,
)
from domain.values import MONEY_CONTEXT, ZERO, Money, round_money

if TYPE_CHECKING:
    from domain.affair import Alert


def fold_v1_entries(state: dict[str, Any]) -> None:
    """Fold a v1 snapshot's lists of entries into the v2 summaries."""
    labour: dict[str, LabourSummary] = {}
    time_entries = state.pop("time_entries")
    for entry in time_entries:
        summary = labour.get(entry.employee, LabourSummary())
        labour[entry.employee] = summary.logged(entry.hours, entry.cost, entry.billable)
    state["labour"] = labour
    state["time_entry_count"] = len(time_entries)
    state["cost_count"] = len(state.pop("costs"))
    state["revenue_entry_count"] = len(state.pop("revenue_entries"))


class AffairReadings:
    """The affair's reads; its state is set by `Affair`'s events."""

    currency: str
    expected_amount: Decimal
    stage: str
    ladder: StageLadder
    stage_history: list[StageEntry]
    risk: Risk
    zone: str
    labour: dict[str, LabourSummary]
    alerts: dict[str, Alert]
    progress: Decimal
    budget: dict[str, Decimal]
    actual: dict[str, Decimal]
    committed: dict[str, Decimal]
    revenue: dict[str, Decimal]
    second_currency: str | None
    second_rate: Decimal | None
    zone_rates: dict[str, Decimal]
    start: date | None
    end: date | None

    @property
    def status(self) -> AffairStatus:
        if self.stage == LOST:
            return AffairStatus.LOST
        return AffairStatus.WON if self.stage == self.ladder.won else AffairStatus.OPEN

    @property
    def probability(self) -> int:
        """Probability percent of the current stage (0 when lost)."""
        return self.ladder.probability(self.stage)

    def _allow(self, verb: str) -> None:
        if verb not in TRANSITIONS[self.status]:
            raise InvalidTransition("affair", str(self.status), verb)

    def time_in_stages(self, now: datetime) -> dict[str, float]:
        """Seconds spent in each stage until `now`."""
        return time_in_stages(self.stage_history, now)

    def weighted_amount(self, factors: RiskFactors = DEFAULT_RISK_FACTORS) -> Money:
        """Expected amount × stage probability × risk factor."""
        amount = Money(self.expected_amount, self.currency)
        return weighted_amount(amount, self.probability, self.risk, factors)

    @property
    def hours(self) -> Decimal:
        """Hours logged on the affair, billable or not."""
        return sum((s.hours for s in self.labour.values()), ZERO)

    @property
    def billable_hours(self) -> Decimal:
        return sum((s.billable_hours for s in self.labour.values()), ZERO)

    @property
    def non_billable_hours(self) -> Decimal:
        return self.hours - self.billable_hours

    @property
    def open_alerts(self) -> list[Alert]:
        return [a for a in self.alerts.values() if a.closed_at is None]

    def budget_report(self) -> BudgetReport:
        """Budget versus actual per category (see `domain.budget`)."""
        return budget_vs_actual(self)

    @staticmethod
    def _check_sum(current: Decimal, added: Decimal, what: str) -> None:
        """A running total of the affair must stay within the bounds."""
        bounds.total(MONEY_CONTEXT.add(current, added), f"the affair's {what}")

    @property
    def conversion_rate(self) -> Decimal | None:
        """Units of second currency per unit of the affair's, for the affair's zone."""
        return self.zone_rates.get(self.zone, self.second_rate)

    def convert(self, amount: Money, currency: str) -> Money:
        """Convert between the affair's two currencies, rounded half-up."""
        rate = self.conversion_rate
        if amount.currency == currency:
            return amount
        if rate is None or {amount.currency, currency} != {self.currency, self.second_currency}:
            raise CurrencyNotConfigured(f"no rate from {amount.currency} to {currency}")
        if currency != self.currency:
            converted = MONEY_CONTEXT.multiply(amount.amount, rate)
        else:
            converted = MONEY_CONTEXT.divide(amount.amount, rate)
        return Money(round_money(converted, currency), currency)

    def expected_amount_in(self, currency: str) -> Money:
        """The expected amount in the affair's currency or its second currency."""
        return self.convert(Money(self.expected_amount, self.currency), currency)
