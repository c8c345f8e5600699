"""Invoicing value objects and the pure money helpers the Order aggregate uses (O5, O6).

Amounts are kept per VAT rate (a rate written as text, `"20"`, `"5.5"`, so that state
and events hold str-keyed dicts only). Invoices and credit notes built from lines go
through `values.compute_totals`; deposits and credit notes of a given amount take a
share of an existing document's bases, rate by rate, and recompute each rate's VAT
with the same rule, never exceeding what they are a share of. A requested amount may
therefore come out one minor unit off when several rates are involved; the document
records what was actually computed (one or two rates' bases are nudged by a few minor
units when that makes the share exactly the amount asked for).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from itertools import product

from domain.errors import InvalidInput
from domain.values import (
    MINOR_UNITS,
    ZERO,
    Discount,
    DiscountKind,
    DiscountMode,
    PricedLine,
    compute_totals,
    in_money_context,
    round_money,
)


def format_invoice_number(year: int, seq: int, prefix: str = "INV") -> str:
    """The invoice number for the `seq`-th invoice of `year`: `INV-2026-00001`."""
    if not 1 <= year <= 9999:
        raise InvalidInput(f"an invoice year must have four digits, got {year}")
    if seq < 1:
        raise InvalidInput(f"invoice numbers start at 1, got {seq}")
    if not prefix or not prefix.isalnum():
        raise InvalidInput(f"an invoice prefix must be letters or digits, got {prefix!r}")
    return f"{prefix}-{year:04d}-{seq:05d}"


def rate_key(rate: Decimal) -> str:
    """A VAT rate as a dict key: `Decimal("20.00")` → `"20"`."""
    return format(rate.normalize(), "f")


@dataclass(frozen=True)
class Amounts:
    """A document's net base and VAT, per VAT rate (keys from `rate_key`)."""

    bases: dict[str, Decimal] = field(default_factory=dict)
    vats: dict[str, Decimal] = field(default_factory=dict)

    @property
    def net(self) -> Decimal:
        return sum(self.bases.values(), ZERO)

    @property
    def vat(self) -> Decimal:
        return sum(self.vats.values(), ZERO)

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat

    def plus(self, other: Amounts) -> Amounts:
        return _combine(self, other, 1)

    def minus(self, other: Amounts) -> Amounts:
        return _combine(self, other, -1)

    def capped_by(self, limit: Amounts) -> Amounts:
        """Rate by rate, never more than `limit` (absorbs rounding of partial credits)."""
        return Amounts(
            {k: min(v, limit.bases.get(k, ZERO)) for k, v in self.bases.items()},
            {k: min(v, limit.vats.get(k, ZERO)) for k, v in self.vats.items()},
        )


@in_money_context
def _combine(a: Amounts, b: Amounts, sign: int) -> Amounts:
    keys = list(dict.fromkeys([*a.bases, *b.bases]))
    return Amounts(
        {k: a.bases.get(k, ZERO) + sign * b.bases.get(k, ZERO) for k in keys},
        {k: a.vats.get(k, ZERO) + sign * b.vats.get(k, ZERO) for k in keys},
    )


@in_money_context
def amounts_of(
    lines: Iterable[PricedLine],
    currency: str,
    discounts: Iterable[Decimal] = (),
    mode: DiscountMode = DiscountMode.CASCADING,
) -> Amounts:
    """The amounts of a set of lines, by `compute_totals` applied rate by rate."""
    by_rate: dict[str, list[PricedLine]] = {}
    for line in lines:
        by_rate.setdefault(rate_key(line.vat_rate), []).append(line)
    discounts = list(discounts)
    bases: dict[str, Decimal] = {}
    vats: dict[str, Decimal] = {}
    for key, group in by_rate.items():
        totals = compute_totals(group, currency, discounts, mode)
        bases[key] = totals.net
        vats[key] = totals.vat
    return Amounts(bases, vats)


@in_money_context
def share_of(amounts: Amounts, gross: Decimal, currency: str) -> Amounts:
    """The part of `amounts` worth about `gross` incl. tax; all of it when `gross` covers it."""
    if gross >= amounts.gross:
        return amounts
    if amounts.gross <= 0:
        return Amounts()
    fraction = gross / amounts.gross
    bases = {k: round_money(v * fraction, currency) for k, v in amounts.bases.items()}
    share = _with_vat(bases, currency).capped_by(amounts)
    return _nudged(share, gross, amounts, currency) if share.gross != gross else share


def _with_vat(bases: dict[str, Decimal], currency: str) -> Amounts:
    lines = (PricedLine(Decimal(1), base, Decimal(k)) for k, base in bases.items())
    return Amounts(dict(bases), amounts_of(lines, currency).vats)


@in_money_context
def _nudged(share: Amounts, gross: Decimal, limit: Amounts, currency: str) -> Amounts:
    """Move one or two rates' bases by a few minor units so the share is exactly `gross`."""
    unit = Decimal(1).scaleb(-MINOR_UNITS[currency])
    steps = (0, 1, -1, 2, -2, 3, -3)
    keys = sorted(share.bases, key=lambda k: share.bases[k], reverse=True)
    pairs = [(a, b) for i, a in enumerate(keys) for b in keys[i:]]
    for first, second in pairs:
        for one, two in product(steps, steps if second != first else (0,)):
            bases = dict(share.bases)
            bases[first] += one * unit
            bases[second] += two * unit
            candidate = _with_vat(bases, currency)
            if candidate.gross == gross and candidate.capped_by(limit) == candidate:
                return candidate
    return share


@in_money_context
def part_of_line(line: PricedLine, quantity: Decimal, currency: str) -> PricedLine:
    """`quantity` of a line; a fixed discount is shared pro rata so it is not repeated."""
    discount = line.discount
    if discount is not None and discount.kind == DiscountKind.AMOUNT:
        share = round_money(discount.value * quantity / line.quantity, currency)
        discount = Discount(DiscountKind.AMOUNT, share)
    return replace(line, quantity=quantity, discount=discount)


class InvoiceKind(StrEnum):
    INVOICE = "invoice"
    DEPOSIT = "deposit"


class PaymentStatus(StrEnum):
    NONE = "none"
    PARTIAL = "partial"
    PAID = "paid"


@dataclass(frozen=True)
class Invoice:
    """An issued invoice: its lines as invoiced (by order line id) and its amounts.

    A deposit invoice has no lines. `deposit_deducted` is the part of earlier deposits
    (incl. tax) set against this invoice, so what the customer pays is `payable`.
    """

    number: str
    kind: InvoiceKind
    at: datetime
    lines: dict[str, PricedLine]
    amounts: Amounts
    deposit_deducted: Decimal = ZERO

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", InvoiceKind(self.kind))

    @property
    def payable(self) -> Decimal:
        return self.amounts.gross - self.deposit_deducted


@dataclass(frozen=True)
class CreditNote:
    """A credit note against one invoice: by quantities (per line) or by an amount."""

    number: str
    invoice_number: str
    at: datetime
    quantities: dict[str, Decimal]
    amounts: Amounts


@dataclass(frozen=True)
class Payment:
    """A payment received against one invoice."""

    invoice_number: str
    at: datetime
    amount: Decimal
    method: str


def payment_status(due: Decimal, paid: Decimal) -> PaymentStatus:
    """None, partial or paid; a document with nothing left to pay (fully credited) is paid."""
    if paid >= due:
        return PaymentStatus.PAID
    if paid > 0:
        return PaymentStatus.PARTIAL
    return PaymentStatus.NONE
