"""The rules a contract's verbs check (C1, C3, C4), apart from the aggregate that records
them: which status allows which verb, the lines a contract may bill, and when a period,
an amendment or a termination may be recorded against the periods already billed.

Each function raises the named error of `domain.errors` and records nothing; the verbs
of `domain.contract.Contract` call them before triggering their event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from domain import bounds
from domain.errors import (
    AmendmentBeforeBilledPeriod,
    ContractEnded,
    ContractSuspended,
    InvalidInput,
    InvalidTransition,
    PeriodNotDue,
)
from domain.periods import Frequency, period_start
from domain.values import PricedLine, compute_totals


class ContractStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


# Verb → states it is allowed from; everything else is an `InvalidTransition`.
ALLOWED: dict[str, set[str]] = {
    "amended": {ContractStatus.ACTIVE, ContractStatus.SUSPENDED},
    "renewed": {ContractStatus.ACTIVE, ContractStatus.SUSPENDED},
    "terminated": {ContractStatus.ACTIVE, ContractStatus.SUSPENDED},
    "suspended": {ContractStatus.ACTIVE},
    "resumed": {ContractStatus.SUSPENDED},
    "billed": {ContractStatus.ACTIVE, ContractStatus.TERMINATED},
    "changed in coverage": {ContractStatus.ACTIVE, ContractStatus.SUSPENDED},
}


class PricedContractLine(Protocol):
    """What the rules read of a contract line."""

    @property
    def quantity(self) -> Decimal: ...
    @property
    def unit_price(self) -> Decimal: ...
    @property
    def vat_rate(self) -> Decimal: ...
    def priced(self) -> PricedLine: ...


class BillingState(Protocol):
    """What the period rules read of a contract."""

    @property
    def status(self) -> str: ...
    @property
    def start(self) -> date: ...
    @property
    def frequency(self) -> Frequency: ...
    @property
    def billed(self) -> Mapping[str, object]: ...
    def runs_on(self, day: date) -> bool: ...
    def skips_period(self, n: int) -> bool: ...


def check_at(at: datetime) -> None:
    if at.tzinfo is None:
        raise InvalidInput("a command's time must be timezone-aware")


def check_allowed(status: str, verb: str) -> None:
    if status not in ALLOWED[verb]:
        raise InvalidTransition("contract", str(status), verb)


def check_lines(lines: Sequence[PricedContractLine], currency: str) -> None:
    """At least one line, each bounded, and the period's totals bounded."""
    if not lines:
        raise InvalidInput("a contract needs at least one line")
    for index, line in enumerate(lines):
        field = f"lines[{index}]"
        bounds.quantity(line.quantity, f"{field}.quantity")
        bounds.unit_price(line.unit_price, f"{field}.unit_price")
        bounds.percent(line.vat_rate, f"{field}.vat_rate")
        bounds.line_gross(line.quantity, line.unit_price, field=field)
    period = compute_totals((line.priced() for line in lines), currency)
    bounds.totals(period, "the contract's period")


def check_billable(contract: BillingState, at: datetime, period_index: int) -> date:
    """The first day of a period `bill` may record at `at`: started by then, within the
    term, not skipped by a suspension, the contract neither suspended nor ended."""
    if period_index < 0:
        raise InvalidInput(f"a period index cannot be negative, got {period_index}")
    if contract.status == ContractStatus.SUSPENDED:
        raise ContractSuspended("a suspended contract bills nothing until it resumes")
    check_allowed(contract.status, "billed")
    first = period_start(contract.start, contract.frequency, period_index)
    if not contract.runs_on(first):
        raise ContractEnded(f"period {period_index} starts {first}, after the contract ends")
    if first > at.date():
        raise PeriodNotDue(f"period {period_index} starts {first}, it is not due yet")
    if contract.skips_period(period_index):
        raise ContractSuspended(f"period {period_index} started while suspended")
    return first


def check_amendment(contract: BillingState, effective: date) -> None:
    """An amendment takes effect within the term and after every billed period (C4)."""
    if effective < contract.start:
        raise InvalidInput(f"an amendment cannot take effect before the start {contract.start}")
    if not contract.runs_on(effective):
        raise ContractEnded(f"the contract no longer runs on {effective}")
    if contract.billed:
        after = period_start(contract.start, contract.frequency, max(map(int, contract.billed)) + 1)
        if effective < after:
            raise AmendmentBeforeBilledPeriod(
                f"periods up to {after} are billed: an amendment takes effect from {after}"
            )


def check_termination(start: date, billed_starts: list[date], effective: date) -> None:
    """A termination takes effect after the start and after every billed period (C3)."""
    if effective < start:
        raise InvalidInput(f"a termination cannot take effect before the start {start}")
    if billed_starts and effective <= max(billed_starts):
        raise AmendmentBeforeBilledPeriod(
            f"the period starting {max(billed_starts)} is billed: terminate after it"
        )
