"""An order's invoices issued as documents of their own (issue 14, O5).

Since invoices became `Invoice` aggregates, an order invoice is drafted and issued as
one in the invoicing command, and the order records it in the same transaction with
what the order's rules need: the quantities invoiced and the amounts per VAT rate (the
order's `Invoice` value, as before), plus the document's id and which document line
bills which order line (`DocumentRef`). Credit notes and payments then go through the
document; a credit note is followed up on the order (quantities re-opened, deposits
given back) by `Order.follow_credit_note`.

Deposits: a final invoice deducts what the order's deposits have left, oldest deposit
first, and states which deposit invoices and how much of each (`deposit_deductions`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from uuid import UUID

from domain.invoicing import Amounts
from domain.values import ZERO, in_money_context


@dataclass(frozen=True)
class DocumentRef:
    """The invoice document that holds one of the order's invoice numbers: its id, its
    issue date, and per document line id the order line it bills."""

    invoice_id: UUID
    issue_date: date
    lines: dict[str, str] = field(default_factory=dict)


@in_money_context
def by_rate(amounts: Amounts) -> Amounts:
    """A document's amounts per VAT breakdown (`S:20`) as the order keeps them, per rate
    (`20`): breakdowns of one rate add up."""
    bases: dict[str, Decimal] = {}
    vats: dict[str, Decimal] = {}
    for key, base in amounts.bases.items():
        rate = key.split(":")[-1]
        bases[rate] = bases.get(rate, ZERO) + base
        vats[rate] = vats.get(rate, ZERO) + amounts.vats.get(key, ZERO)
    return Amounts(bases, vats)


def deposits_left(deposits: Iterable[tuple[str, Decimal]], balance: Decimal) -> dict[str, Decimal]:
    """What each deposit (number, incl. tax less its credit notes) has not yet given to an
    invoice, when `balance` is what all of them have left: invoices took from the oldest
    deposit first."""
    deposits = [(n, max(ZERO, g)) for n, g in deposits]
    taken = sum((g for _, g in deposits), ZERO) - max(ZERO, balance)
    left: dict[str, Decimal] = {}
    for number, gross in deposits:
        used = min(gross, max(ZERO, taken))
        taken -= used
        left[number] = gross - used
    return left


def deposit_deductions(left: dict[str, Decimal], amount: Decimal) -> list[tuple[str, Decimal]]:
    """`amount` taken from the deposits' `left`, oldest first: (number, amount) each."""
    taken: list[tuple[str, Decimal]] = []
    for number, available in left.items():
        if amount <= 0:
            break
        part = min(available, amount)
        if part > 0:
            taken.append((number, part))
            amount -= part
    return taken
