"""What a credit note credits: the issued invoice's remainder, and the lines it takes.

A credit note credits an issued invoice in one of three ways:

- whole: all that remains. On an invoice never credited, its lines as invoiced (same
  discounts, so the same totals); otherwise one line per VAT breakdown for what remains;
- chosen lines and quantities (all of a line's remaining quantity when none is given),
  with the invoice's document discounts;
- an amount incl. tax, shared over the remaining breakdowns by `invoicing.share_of` (it
  may come out one minor unit off the amount asked for, as the orders' credit notes do).

Never above what remains: every breakdown's base and VAT, and every line's quantity.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Protocol
from uuid import UUID

from domain import bounds
from domain.errors import CreditExceedsInvoice, InvalidAmount, InvalidInput, UnknownLine
from domain.invoice_lines import InvoiceLine, group_of, invoice_totals
from domain.invoice_terms import InvoiceDetails, OperationCategory
from domain.invoicing import Amounts, part_of_line, rate_key, share_of
from domain.quote_lines import checked_decimal
from domain.values import ZERO, DiscountMode, in_money_context, round_money


@dataclass(frozen=True)
class CreditedInvoice:
    """The invoice a credit note corrects, as the credit note names it."""

    invoice_id: UUID
    number: str
    issue_date: date


@dataclass(frozen=True)
class Creditable:
    """What remains creditable on an issued invoice, read by the application."""

    invoice: CreditedInvoice
    customer_id: UUID
    currency: str
    operation: OperationCategory
    lines: dict[str, InvoiceLine]
    discounts: list[Decimal]
    discount_mode: DiscountMode
    remaining: Amounts
    remaining_quantities: dict[str, Decimal]
    credited_before: bool


@dataclass(frozen=True)
class CreditRequest:
    """Whole (neither field), chosen lines with quantities, or an amount incl. tax."""

    quantities: dict[str, Decimal | None] | None = None
    amount: Decimal | None = None


@dataclass(frozen=True)
class CreditLines:
    """The credit note's lines and discounts, and what it takes off the invoice."""

    lines: list[InvoiceLine]
    discounts: list[Decimal] = field(default_factory=list)
    discount_mode: DiscountMode = DiscountMode.CASCADING
    amounts: Amounts = field(default_factory=Amounts)
    quantities: dict[str, Decimal] = field(default_factory=dict)


def credit_lines(source: Creditable, request: CreditRequest) -> CreditLines:
    """The lines crediting `request` of `source`; `CreditExceedsInvoice` above the remainder."""
    if request.quantities is not None and request.amount is not None:
        raise InvalidInput("credit chosen lines or an amount, not both")
    if source.remaining.gross <= 0 and source.remaining.net <= 0:
        raise CreditExceedsInvoice(f"invoice {source.invoice.number} is fully credited")
    if request.quantities is not None:
        credit = _by_quantities(source, request.quantities)
    elif request.amount is not None:
        credit = _by_amount(source, request.amount)
    elif not source.credited_before:
        credit = _by_quantities(source, dict.fromkeys(source.lines))
    else:
        credit = _by_amount(source, source.remaining.gross)
    check_credit(credit, source)
    return credit


def check_credit(credit: CreditLines, source: Creditable) -> None:
    """Refuse a credit above what remains: any breakdown's base or VAT, any line's quantity."""
    check_within(credit.amounts, source.remaining, source.invoice.number)
    for line_id, quantity in credit.quantities.items():
        left = source.remaining_quantities.get(line_id, ZERO)
        if quantity > left:
            raise CreditExceedsInvoice(
                f"line {line_id} of {source.invoice.number} has {left} left to credit"
            )


def check_within(amounts: Amounts, remaining: Amounts, number: str) -> None:
    """Refuse a credit above what remains, breakdown by breakdown."""
    if any(v < 0 for v in (*amounts.bases.values(), *amounts.vats.values())):
        raise InvalidAmount("a credit note credits amounts above zero")
    if amounts.capped_by(remaining) != amounts or amounts.gross <= 0:
        raise CreditExceedsInvoice(
            f"crediting {amounts.gross} is above what remains creditable on {number} "
            f"({remaining.gross}), or nothing"
        )


def _by_quantities(source: Creditable, chosen: dict[str, Decimal | None]) -> CreditLines:
    if not isinstance(chosen, dict) or not chosen:
        raise InvalidInput("a credit note by lines names at least one line")
    lines: list[InvoiceLine] = []
    taken: dict[str, Decimal] = {}
    for line_id, asked in chosen.items():
        if line_id not in source.lines:
            raise UnknownLine(f"invoice {source.invoice.number} has no line {line_id!r}")
        line, left = source.lines[line_id], source.remaining_quantities.get(line_id, ZERO)
        quantity = left if asked is None else bounds.quantity(checked_decimal(asked, "quantity"))
        if quantity <= 0 and asked is not None:
            raise InvalidAmount(f"a credited quantity is above zero, got {quantity}")
        if quantity > left:
            raise CreditExceedsInvoice(
                f"line {line_id} of {source.invoice.number} has {left} left to credit, "
                f"not {quantity}"
            )
        if quantity == 0:
            continue
        part = part_of_line(line.priced(), quantity, source.currency)
        new_id = str(len(lines) + 1)
        lines.append(replace(line, line_id=new_id, quantity=quantity, discount=part.discount))
        taken[line_id] = quantity
    if not lines:
        raise CreditExceedsInvoice(f"the chosen lines of {source.invoice.number} are credited")
    totals = invoice_totals(lines, source.currency, source.discounts, source.discount_mode)
    return CreditLines(lines, source.discounts, source.discount_mode, totals.amounts, taken)


@in_money_context
def _by_amount(source: Creditable, amount: Decimal) -> CreditLines:
    gross = bounds.amount(checked_decimal(amount, "amount"))
    if gross <= 0:
        raise InvalidAmount(f"a credited amount is above zero, got {gross}")
    if gross > source.remaining.gross:
        raise CreditExceedsInvoice(
            f"{gross} is above what remains creditable on {source.invoice.number} "
            f"({source.remaining.gross})"
        )
    share = share_by_breakdown(source.remaining, gross, source.currency)
    reasons = {line.group: line.exemption_reason for line in source.lines.values()}
    lines: list[InvoiceLine] = []
    for key, base in share.bases.items():
        if base <= 0:
            continue
        category, rate = group_of(key)
        what = f"TVA {category} {rate_key(rate).replace('.', ',')} %"  # printed in French
        lines.append(
            InvoiceLine(
                str(len(lines) + 1),
                f"Avoir sur la facture {source.invoice.number} ({what})",
                Decimal(1),
                "C62",
                base,
                category,
                rate,
                reasons.get(key),
            )
        )
    totals = invoice_totals(lines, source.currency)
    quantities = dict(source.remaining_quantities) if gross == source.remaining.gross else {}
    return CreditLines(lines, amounts=totals.amounts, quantities=quantities)


@in_money_context
def share_by_breakdown(remaining: Amounts, gross: Decimal, currency: str) -> Amounts:
    """About `gross` incl. tax of `remaining`, breakdown by breakdown.

    `share_of` shares rate by rate. Only the 0 % rate holds several breakdowns (Z, E, AE,
    K, G, O) and it has no VAT, so its base is split over them pro rata, the largest
    taking what rounding leaves, never above its own.
    """
    by_rate: dict[str, list[str]] = {}
    for key in remaining.bases:
        by_rate.setdefault(rate_key(group_of(key)[1]), []).append(key)
    merged = Amounts(
        {r: sum((remaining.bases[k] for k in keys), ZERO) for r, keys in by_rate.items()},
        {r: sum((remaining.vats[k] for k in keys), ZERO) for r, keys in by_rate.items()},
    )
    shared = share_of(merged, gross, currency)
    bases: dict[str, Decimal] = {}
    vats: dict[str, Decimal] = {}
    for rate, keys in by_rate.items():
        total, base = merged.bases[rate], shared.bases.get(rate, ZERO)
        ordered = sorted(keys, key=lambda k: remaining.bases[k])
        for key in ordered[:-1]:
            part = base * remaining.bases[key] / total if total else ZERO
            bases[key], vats[key] = round_money(part, currency), ZERO
        last = ordered[-1]
        rest = base - sum((bases[k] for k in ordered[:-1]), ZERO)
        bases[last] = min(rest, remaining.bases[last])
        vats[last] = shared.vats.get(rate, ZERO) if len(keys) == 1 else ZERO
    return Amounts(bases, vats)


class CreditableDocument(Protocol):
    """What `creditable_of` reads of an issued invoice."""

    @property
    def id(self) -> UUID: ...

    number: str | None
    issue_date: date | None
    customer_id: UUID
    currency: str
    details: InvoiceDetails
    lines: dict[str, InvoiceLine]
    credited_quantities: dict[str, Decimal]
    credit_notes: dict[str, UUID]

    def remaining(self) -> Amounts: ...


def creditable_of(invoice: CreditableDocument) -> Creditable:
    """What a credit note may still take off an issued invoice."""
    assert invoice.number is not None
    assert invoice.issue_date is not None
    return Creditable(
        invoice=CreditedInvoice(invoice.id, invoice.number, invoice.issue_date),
        customer_id=invoice.customer_id,
        currency=invoice.currency,
        operation=invoice.details.operation,
        lines=dict(invoice.lines),
        discounts=list(invoice.details.discounts),
        discount_mode=invoice.details.discount_mode,
        remaining=invoice.remaining(),
        remaining_quantities={
            i: line.quantity - invoice.credited_quantities.get(i, ZERO)
            for i, line in invoice.lines.items()
        },
        credited_before=bool(invoice.credit_notes),
    )
