"""What running contracts will bring in (C5): recurring revenue per month, and the net of
the periods a contract will bill between two dates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from domain.periods import Frequency, monthly_equivalent, period_start, periods_between
from domain.values import ZERO, compute_totals, in_money_context, round_money

if TYPE_CHECKING:
    from domain.contract import Contract, ContractLine


@in_money_context
def monthly_recurring_revenue(
    lines: Iterable[ContractLine], frequency: Frequency | str, currency: str
) -> Decimal:
    """Net per period as net per month (day ×365/12 … year ÷12), rounded half-up."""
    net = _net(lines, currency)
    return round_money(monthly_equivalent(net, frequency), currency)


@in_money_context
def revenue_between(contract: Contract, from_date: date, to_date: date) -> Decimal:
    """Net of the periods starting in [from_date, to_date) that the contract will bill.

    Respects amendments, the term's end, termination and suspensions (an open one
    skips every later period); billed periods count for what they were billed.
    """
    total = ZERO
    for n in periods_between(
        contract.start, contract.frequency, contract.last_day, from_date, to_date
    ):
        done = contract.billed.get(str(n))
        if done is not None:
            total += done.net
        elif not contract.skips_period(n):
            first = period_start(contract.start, contract.frequency, n)
            lines = contract.lines_at(first)
            total += _net(lines, contract.currency)
    return total


def _net(lines: Iterable[ContractLine], currency: str) -> Decimal:
    return compute_totals((line.priced() for line in lines), currency).net
