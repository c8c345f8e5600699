"""What a contract reads of itself (C1, C3–C5): the lines in force on a day, when it
runs, the periods it will bill, renewal and recurring revenue.

`ContractReadings` is a base of `domain.contract.Contract` holding only reads (no
event, no state of its own): the aggregate's verbs and events stay in `domain.contract`.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from domain.contract_revenue import monthly_recurring_revenue
from domain.contract_rules import ContractStatus
from domain.periods import Frequency, period_start, periods_between

if TYPE_CHECKING:
    from domain.contract import Amendment, BilledPeriod, ContractLine, Suspension


class ContractReadings:
    """The contract's reads; its state is set by `Contract`'s events."""

    currency: str
    lines: list[ContractLine]
    frequency: Frequency
    start: date
    end: date | None
    notice_days: int
    status: str
    terminated_on: date | None
    amendments: list[Amendment]
    suspensions: list[Suspension]
    billed: dict[str, BilledPeriod]

    def lines_at(self, day: date) -> list[ContractLine]:
        """The lines in force on `day`."""
        lines = self.lines
        latest: tuple[date, int] | None = None
        for amendment in self.amendments:
            key = (amendment.effective, amendment.number)
            if amendment.effective <= day and (latest is None or key > latest):
                latest, lines = key, amendment.lines
        return list(lines)

    def renewal_due(self, today: date) -> bool:
        """True once the notice period before the term's end has begun."""
        if self.end is None or self.status == ContractStatus.TERMINATED:
            return False
        return today >= self.end - timedelta(days=self.notice_days)

    @property
    def last_day(self) -> date | None:
        """The last day the contract runs, from its end and any termination."""
        days = [] if self.end is None else [self.end]
        if self.terminated_on is not None:
            days.append(self.terminated_on - timedelta(days=1))
        return min(days, default=None)

    def runs_on(self, day: date) -> bool:
        last = self.last_day
        return self.start <= day and (last is None or day <= last)

    def billable_periods(self, today: date) -> list[int]:
        """Periods started by `today` that `bill` would accept now, in order."""
        if self.status == ContractStatus.SUSPENDED:
            return []
        due = periods_between(
            self.start, self.frequency, self.last_day, self.start, today + timedelta(days=1)
        )
        return [n for n in due if str(n) not in self.billed and not self.skips_period(n)]

    def monthly_recurring_revenue(self, day: date) -> Decimal:
        """Net per month equivalent of the lines in force on `day`."""
        return monthly_recurring_revenue(self.lines_at(day), self.frequency, self.currency)

    def _skipped(self, day: date) -> bool:
        return any(s.covers(day) for s in self.suspensions)

    def skips_period(self, n: int) -> bool:
        """True when period `n`, not billed, starts during a suspension: it never will be."""
        return str(n) not in self.billed and self._skipped(
            period_start(self.start, self.frequency, n)
        )
