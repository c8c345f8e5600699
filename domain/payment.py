"""The Payment aggregate (issue 14): money received from a customer on a value date,
allocated across issued invoices of that customer.

Allocations are explicit, or the oldest due first when none is given. Never above what
is due on an invoice (credit notes and earlier payments deducted), never more than the
payment in total, and every unit of the payment allocated: what would be left over is an
overpayment, refused. The application records each allocation on its invoice
(`Invoice.record_payment`) in the same command, so an invoice's version refuses a
concurrent payment of the same amount due.

A payment by voucher (`PaymentMeans.VOUCHER`, S6) names the voucher it spends; the
application redeems that voucher for the payment's amount in the same command.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import bounds
from domain.errors import (
    AllocationsAbovePayment,
    InvalidAmount,
    InvalidInput,
    NotPayable,
    PaymentAboveDue,
    PaymentDateInFuture,
    VoucherMeansMismatch,
)
from domain.quote_lines import checked_at, checked_uuid, optional_text
from domain.values import ZERO, check_currency

MAX_REFERENCE = 140


class PaymentMeans(StrEnum):
    TRANSFER = "transfer"
    CARD = "card"
    CHEQUE = "cheque"
    CASH = "cash"
    DIRECT_DEBIT = "direct_debit"
    VOUCHER = "voucher"


@dataclass(frozen=True)
class Receivable:
    """What is due on one issued invoice, as the application reads it."""

    invoice_id: UUID
    number: str
    customer_id: UUID
    currency: str
    issue_date: date
    due_date: date
    due: Decimal


@dataclass(frozen=True)
class Allocation:
    """The part of a payment that settles one invoice."""

    invoice_id: UUID
    number: str
    amount: Decimal


def oldest_first(receivables: Iterable[Receivable]) -> list[Receivable]:
    """By due date, then issue date, then number: the order a payment settles them in."""
    return sorted(receivables, key=lambda r: (r.due_date, r.issue_date, r.number))


def allocate(
    amount: Decimal,
    receivables: Iterable[Receivable],
    asked: Mapping[UUID, Decimal] | None = None,
) -> list[Allocation]:
    """Allocations of `amount`: the amounts `asked` per invoice, or the oldest due first
    up to what each has due. Never above an invoice's due (`PaymentAboveDue`), never
    more than `amount` in total (`AllocationsAbovePayment`); without `asked` they add up
    to the smaller of `amount` and the total due."""
    by_id = {r.invoice_id: r for r in receivables}
    if asked is None:
        left, allocations = amount, []
        for receivable in oldest_first(by_id.values()):
            part = min(left, receivable.due)
            if part > 0:
                allocations.append(Allocation(receivable.invoice_id, receivable.number, part))
                left -= part
        return allocations
    allocations = []
    for invoice_id, part in asked.items():
        if invoice_id not in by_id:
            raise NotPayable(f"invoice {invoice_id} is not an issued invoice of this customer")
        receivable = by_id[invoice_id]
        part = bounds.amount(part, "allocation")
        if part <= 0:
            raise InvalidAmount(f"an allocation is above zero, got {part}")
        if part > receivable.due:
            raise PaymentAboveDue(
                f"{part} {receivable.currency} is above what is due on {receivable.number} "
                f"({receivable.due} {receivable.currency})"
            )
        allocations.append(Allocation(invoice_id, receivable.number, part))
    total = sum((a.amount for a in allocations), ZERO)
    if total > amount:
        raise AllocationsAbovePayment(f"allocations add up to {total}, the payment is {amount}")
    return allocations


class Payment(Aggregate):
    """Money received from a customer, on a value date, settling issued invoices."""

    class Recorded(Aggregate.Created):
        """v2 added `voucher_id` (S6); v1 payments named no voucher."""

        class_version = 2
        at: datetime
        customer_id: UUID
        currency: str
        value_date: date
        amount: Decimal
        means: str
        reference: str | None
        allocations: list[Allocation]
        voucher_id: UUID | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["voucher_id"] = None

    @event(Recorded)
    def __init__(
        self,
        *,
        at: datetime,
        customer_id: UUID,
        currency: str,
        value_date: date,
        amount: Decimal,
        means: str,
        reference: str | None,
        allocations: list[Allocation],
        voucher_id: UUID | None,
    ) -> None:
        self.recorded_at = at
        self.customer_id, self.currency = customer_id, currency
        self.value_date, self.amount = value_date, amount
        self.means = PaymentMeans(means)
        self.reference = reference
        self.allocations = list(allocations)
        self.voucher_id = voucher_id

    @classmethod
    def record(
        cls,
        *,
        at: datetime,
        customer_id: UUID,
        currency: str,
        value_date: date,
        amount: Decimal,
        means: PaymentMeans,
        reference: str | None,
        receivables: Iterable[Receivable],
        asked: Mapping[UUID, Decimal] | None = None,
        voucher_id: UUID | None = None,
    ) -> Payment:
        """A payment of `amount` received on `value_date` (never after the command's day),
        allocated per `asked` or oldest due first across the customer's `receivables` in
        its currency; refused if any of it would be left over (an overpayment). A
        payment by voucher names `voucher_id`, and only a payment by voucher does."""
        at = checked_at(at)
        if checked_uuid(customer_id, "a customer id") is None:
            raise InvalidInput("a payment needs a customer id")
        if not isinstance(value_date, date) or isinstance(value_date, datetime):
            raise InvalidInput(f"a value date must be a date, got {value_date!r}")
        if value_date > at.date():
            raise PaymentDateInFuture(
                f"a payment is recorded once received: {value_date} is after {at.date()}"
            )
        currency = check_currency(currency)
        amount = bounds.amount(amount)
        if amount <= 0:
            raise InvalidAmount(f"a payment is above zero, got {amount}")
        try:
            means = PaymentMeans(means)
        except ValueError:
            raise InvalidInput(
                f"means: {means!r} is not one of {', '.join(PaymentMeans)}"
            ) from None
        if checked_uuid(voucher_id, "a voucher id") is None and means == PaymentMeans.VOUCHER:
            raise VoucherMeansMismatch("a payment by voucher names the voucher it spends")
        if voucher_id is not None and means != PaymentMeans.VOUCHER:
            raise VoucherMeansMismatch(
                f"a payment by {means} spends no voucher: record it by voucher"
            )
        reference = optional_text(reference, "reference")
        if reference is not None and len(reference) > MAX_REFERENCE:
            raise InvalidInput(f"reference: at most {MAX_REFERENCE} characters")
        owed = [r for r in receivables if _payable(r, customer_id, currency)]
        allocations = allocate(amount, owed, asked)
        allocated = sum((a.amount for a in allocations), ZERO)
        if allocated < amount:
            raise PaymentAboveDue(
                f"{amount} {currency} is above what it settles ({allocated} {currency} due "
                f"on the invoices it is allocated to): {amount - allocated} would be left over"
            )
        return cls(
            at=at,
            customer_id=customer_id,
            currency=currency,
            value_date=value_date,
            amount=amount,
            means=means,
            reference=reference,
            allocations=allocations,
            voucher_id=voucher_id,
        )

    @property
    def allocated(self) -> Decimal:
        return sum((a.amount for a in self.allocations), ZERO)


def _payable(receivable: Receivable, customer_id: UUID, currency: str) -> bool:
    return receivable.customer_id == customer_id and receivable.currency == currency
