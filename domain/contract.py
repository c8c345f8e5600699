"""The recurring contract (C1–C5): periods billed exactly once, amendments, renewals.

Dates: `end` is the term's last day (inclusive); a termination's `effective` date is the
first day the contract no longer runs. A period is billable when it starts within the
term and before termination, and is billed whole (no proration).

Suspension: from the day it is recorded until the day the contract resumes, periods
starting in that interval are skipped for good; while suspended, `bill` refuses every
period not yet billed with `ContractSuspended`.

Amendments: each replaces the lines from its effective date, which must fall after every
billed period, so billing done before it is never rewritten. On a day the lines in
force come from the amendment with the latest effective date on or before it (ties go
to the later number), or the signed lines before any.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, CanMutateAggregate, event

from domain.contract_billing import PeriodToBill, period_lines
from domain.contract_readings import ContractReadings
from domain.contract_revenue import monthly_recurring_revenue, revenue_between
from domain.contract_rules import (
    ContractStatus,
    check_allowed,
    check_amendment,
    check_at,
    check_billable,
    check_lines,
    check_termination,
)
from domain.errors import InvalidInput, NotAMaintenanceContract
from domain.periods import Frequency, period_end
from domain.values import PricedLine, check_currency, check_finite, compute_totals


class ContractKind(StrEnum):
    """A plain service contract, or a maintenance contract covering assets."""

    SERVICE = "service"
    MAINTENANCE = "maintenance"


@dataclass(frozen=True)
class ContractLine:
    """What is billed each period."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal

    def __post_init__(self) -> None:
        check_finite(self.quantity, "quantity")
        check_finite(self.unit_price, "unit price")
        check_finite(self.vat_rate, "VAT rate")

    def priced(self) -> PricedLine:
        return PricedLine(self.quantity, self.unit_price, self.vat_rate)


@dataclass(frozen=True)
class BilledPeriod:
    """A period billed once and for all; `period_end` is its last day (inclusive)."""

    period_index: int
    period_start: date
    period_end: date
    net: Decimal
    vat: Decimal
    gross: Decimal
    billed_at: datetime
    invoice_ref: str | None = None
    invoice_id: UUID | None = None  # the invoice issued with it (none before issue 14)
    invoice_number: str | None = None


@dataclass(frozen=True)
class Amendment:
    """Numbered from 1; its lines replace the earlier ones from `effective`."""

    number: int
    effective: date
    reason: str
    lines: list[ContractLine]
    at: datetime


@dataclass(frozen=True)
class Renewal:
    number: int
    previous_end: date
    new_end: date
    reason: str
    at: datetime


@dataclass(frozen=True)
class Suspension:
    """Periods starting in [start, end) are skipped; `end` is None while suspended."""

    start: date
    reason: str
    end: date | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


class Contract(ContractReadings, Aggregate):
    """A recurring contract with a customer."""

    class Signed(Aggregate.Created):
        at: datetime
        customer_id: UUID
        currency: str
        lines: list[ContractLine]
        frequency: Frequency
        start: date
        end: date | None
        notice_days: int
        kind: ContractKind
        covered_asset_ids: list[UUID]

    class PeriodBilled(Aggregate.Event):
        """v2 added `invoice_ref`, v3 the invoice issued with the period (`invoice_id`,
        `invoice_number`); older events read back with None."""

        class_version = 3
        at: datetime
        period_index: int
        period_start: date
        period_end: date
        net: Decimal
        vat: Decimal
        gross: Decimal
        invoice_ref: str | None
        invoice_id: UUID | None
        invoice_number: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["invoice_ref"] = None

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state["invoice_id"] = None
            state["invoice_number"] = None

    class Amended(Aggregate.Event):
        at: datetime
        number: int
        effective: date
        reason: str
        lines: list[ContractLine]

    class Renewed(Aggregate.Event):
        at: datetime
        number: int
        previous_end: date
        new_end: date
        reason: str

    class Terminated(Aggregate.Event):
        at: datetime
        effective: date
        reason: str

    class Suspended(Aggregate.Event):
        at: datetime
        reason: str

    class Resumed(Aggregate.Event):
        at: datetime

    class AssetCovered(Aggregate.Event):
        at: datetime
        asset_id: UUID

    class AssetUncovered(Aggregate.Event):
        at: datetime
        asset_id: UUID

    @event(Signed)
    def __init__(
        self,
        at: datetime,
        customer_id: UUID,
        currency: str,
        lines: list[ContractLine],
        frequency: Frequency,
        start: date,
        end: date | None,
        notice_days: int,
        kind: ContractKind,
        covered_asset_ids: list[UUID],
    ) -> None:
        self.customer_id = customer_id
        self.currency = currency
        self.lines = list(lines)
        self.frequency = frequency
        self.start = start
        self.end = end
        self.notice_days = notice_days
        self.kind = kind
        self.covered_asset_ids = list(covered_asset_ids)
        self.status: str = ContractStatus.ACTIVE
        self.terminated_on: date | None = None
        self.termination_reason: str | None = None
        self.amendments: list[Amendment] = []
        self.renewals: list[Renewal] = []
        self.suspensions: list[Suspension] = []
        self.billed: dict[str, BilledPeriod] = {}

    def trigger_event(self, event_class: type[CanMutateAggregate[UUID]], **kwargs: Any) -> None:
        # The event's timestamp is the command's time, never the clock.
        kwargs.setdefault("timestamp", kwargs.get("at"))
        super().trigger_event(event_class, **kwargs)

    # --- C1 signing and billing ---------------------------------------------------------

    @classmethod
    def sign(
        cls,
        at: datetime,
        customer_id: UUID,
        currency: str,
        lines: list[ContractLine],
        frequency: Frequency,
        start: date,
        end: date | None = None,
        notice_days: int = 30,
        kind: ContractKind = ContractKind.SERVICE,
        covered_asset_ids: list[UUID] | None = None,
        contract_id: UUID | None = None,
    ) -> Contract:
        """Sign a contract billing `lines` every `frequency` from `start`."""
        check_at(at)
        check_currency(currency)
        check_lines(lines, currency)
        frequency, kind = Frequency(frequency), ContractKind(kind)
        assets = list(dict.fromkeys(covered_asset_ids or []))
        if end is not None and end < start:
            raise InvalidInput(f"the term cannot end ({end}) before it starts ({start})")
        if notice_days < 0:
            raise InvalidInput(f"a notice period cannot be negative, got {notice_days}")
        if assets and kind != ContractKind.MAINTENANCE:
            raise NotAMaintenanceContract("only a maintenance contract covers assets")
        return cls._create(
            cls.Signed,
            id=contract_id or uuid4(),
            timestamp=at,
            at=at,
            customer_id=customer_id,
            currency=currency,
            lines=list(lines),
            frequency=frequency,
            start=start,
            end=end,
            notice_days=notice_days,
            kind=kind,
            covered_asset_ids=assets,
        )

    def to_bill(self, at: datetime, period_index: int) -> PeriodToBill:
        """What billing a period not yet billed would record at `at`: its days and its
        invoice's lines (those in force on its first day); refused as `bill` refuses."""
        check_at(at)
        first = check_billable(self, at, period_index)
        last = period_end(self.start, self.frequency, period_index)
        return PeriodToBill(period_index, first, last, period_lines(self.lines_at(first)))

    def bill(
        self,
        at: datetime,
        period_index: int,
        invoice_ref: str | None = None,
        *,
        invoice_id: UUID | None = None,
        invoice_number: str | None = None,
    ) -> BilledPeriod:
        """Bill a period once, with the invoice issued for it; billing it again returns
        the first record and records nothing."""
        check_at(at)
        done = self.billed.get(str(period_index))
        if done is not None:
            return done
        first = check_billable(self, at, period_index)
        totals = compute_totals((line.priced() for line in self.lines_at(first)), self.currency)
        last = period_end(self.start, self.frequency, period_index)
        self._billed(
            at,
            period_index,
            first,
            last,
            totals.net,
            totals.vat,
            totals.gross,
            invoice_ref,
            invoice_id,
            invoice_number,
        )
        return self.billed[str(period_index)]

    @event(PeriodBilled)
    def _billed(
        self,
        at: datetime,
        period_index: int,
        period_start: date,
        period_end: date,
        net: Decimal,
        vat: Decimal,
        gross: Decimal,
        invoice_ref: str | None,
        invoice_id: UUID | None = None,
        invoice_number: str | None = None,
    ) -> None:
        record = BilledPeriod(
            period_index,
            period_start,
            period_end,
            net,
            vat,
            gross,
            at,
            invoice_ref,
            invoice_id,
            invoice_number,
        )
        self.billed[str(period_index)] = record

    # --- C4 amendments ------------------------------------------------------------------

    def amend(self, at: datetime, effective: date, reason: str, lines: list[ContractLine]) -> int:
        """Replace the lines from `effective` on; returns the amendment's number."""
        check_at(at)
        self._check_allowed("amended")
        check_lines(lines, self.currency)
        check_amendment(self, effective)
        number = len(self.amendments) + 1
        self._amended(at, number, effective, reason, list(lines))
        return number

    @event(Amended)
    def _amended(
        self, at: datetime, number: int, effective: date, reason: str, lines: list[ContractLine]
    ) -> None:
        self.amendments.append(Amendment(number, effective, reason, list(lines), at))

    # --- C3 renewal, termination, suspension ---------------------------------------------

    def renew(self, at: datetime, new_end: date, reason: str) -> None:
        """Extend the term to `new_end`."""
        check_at(at)
        self._check_allowed("renewed")
        if self.end is None:
            raise InvalidInput("an open-ended contract has no term to renew")
        if new_end <= self.end:
            raise InvalidInput(f"a renewal must end after the current end {self.end}")
        self._renewed(at, len(self.renewals) + 1, self.end, new_end, reason)

    @event(Renewed)
    def _renewed(
        self, at: datetime, number: int, previous_end: date, new_end: date, reason: str
    ) -> None:
        self.renewals.append(Renewal(number, previous_end, new_end, reason, at))
        self.end = new_end

    def terminate(self, at: datetime, effective: date, reason: str) -> None:
        """Stop the contract from `effective` (the first day it no longer runs)."""
        check_at(at)
        self._check_allowed("terminated")
        check_termination(self.start, [b.period_start for b in self.billed.values()], effective)
        self._terminated(at, effective, reason)

    @event(Terminated)
    def _terminated(self, at: datetime, effective: date, reason: str) -> None:
        self.status = ContractStatus.TERMINATED
        self.terminated_on = effective
        self.termination_reason = reason

    def suspend(self, at: datetime, reason: str) -> None:
        """Stop billing from today until resumed; periods starting meanwhile are skipped."""
        check_at(at)
        self._check_allowed("suspended")
        self._suspended(at, reason)

    @event(Suspended)
    def _suspended(self, at: datetime, reason: str) -> None:
        self.status = ContractStatus.SUSPENDED
        self.suspensions.append(Suspension(at.date(), reason))

    def resume(self, at: datetime) -> None:
        """Bill again from today."""
        check_at(at)
        self._check_allowed("resumed")
        self._resumed(at)

    @event(Resumed)
    def _resumed(self, at: datetime) -> None:
        self.status = ContractStatus.ACTIVE
        last = self.suspensions[-1]
        self.suspensions[-1] = replace(last, end=max(at.date(), last.start))

    # --- C2 covered assets ----------------------------------------------------------------

    def cover_asset(self, at: datetime, asset_id: UUID) -> None:
        """Cover an asset (maintenance contracts only); covering it again changes nothing."""
        check_at(at)
        self._check_allowed("changed in coverage")
        if self.kind != ContractKind.MAINTENANCE:
            raise NotAMaintenanceContract("only a maintenance contract covers assets")
        if asset_id not in self.covered_asset_ids:
            self._asset_covered(at, asset_id)

    @event(AssetCovered)
    def _asset_covered(self, at: datetime, asset_id: UUID) -> None:
        self.covered_asset_ids.append(asset_id)

    def uncover_asset(self, at: datetime, asset_id: UUID) -> None:
        """Stop covering an asset; an asset not covered changes nothing."""
        check_at(at)
        self._check_allowed("changed in coverage")
        if asset_id in self.covered_asset_ids:
            self._asset_uncovered(at, asset_id)

    @event(AssetUncovered)
    def _asset_uncovered(self, at: datetime, asset_id: UUID) -> None:
        self.covered_asset_ids.remove(asset_id)

    def _check_allowed(self, verb: str) -> None:
        check_allowed(self.status, verb)


__all__ = [
    "Amendment",
    "BilledPeriod",
    "Contract",
    "ContractKind",
    "ContractLine",
    "ContractStatus",
    "Frequency",
    "PeriodToBill",
    "Renewal",
    "Suspension",
    "monthly_recurring_revenue",
    "revenue_between",
]
