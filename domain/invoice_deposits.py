"""Deposits an invoice deducts (EN 16931 BT-113, "paid amount"): the deposit invoices
already issued for the same sale, by number, and how much of each (incl. tax) this
invoice sets against its total.

A final invoice states them so the customer sees why less is due: amount due = total
− deposits deducted − credit notes − payments. Which deposits and how much is the
source's rule (an order deducts what its deposits have left, oldest first); the invoice
only checks that each is above zero, named once, and that together they stay within
its own total when it is issued.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from domain import bounds
from domain.errors import DepositsAboveInvoice, InvalidAmount, InvalidInput
from domain.quote_lines import checked_decimal, checked_uuid, required_text
from domain.values import ZERO


@dataclass(frozen=True)
class DepositDeduction:
    """A deposit invoice (its number, and its document's id when it is one) and the
    amount incl. tax this invoice deducts of it."""

    number: str
    amount: Decimal
    invoice_id: UUID | None = None


def checked_deductions(deductions: object) -> list[DepositDeduction]:
    """The deductions with their numbers trimmed: amounts above zero, each number once."""
    if not isinstance(deductions, list):
        raise InvalidInput(f"deposits deducted must be a list, got {deductions!r}")
    checked: list[DepositDeduction] = []
    for index, deduction in enumerate(deductions):
        if not isinstance(deduction, DepositDeduction):
            raise InvalidInput(f"a deposit deduction expected, got {deduction!r}")
        field = f"deposits[{index}].amount"
        amount = bounds.amount(checked_decimal(deduction.amount, field), field)
        if amount <= 0:
            raise InvalidAmount(f"a deposit deducted is above zero, got {amount}")
        number = required_text(deduction.number, "a deposit invoice number")
        if any(d.number == number for d in checked):
            raise InvalidInput(f"deposit invoice {number} is deducted twice")
        invoice_id = deduction.invoice_id
        if invoice_id is not None:
            checked_uuid(invoice_id, "a deposit invoice id")
        checked.append(DepositDeduction(number, amount, invoice_id))
    return checked


def deducted(deductions: Iterable[DepositDeduction]) -> Decimal:
    """What the deductions take off the total incl. tax."""
    return sum((d.amount for d in deductions), ZERO)


def check_within_total(deductions: Iterable[DepositDeduction], gross: Decimal) -> None:
    """Deposits deducted never above the invoice's total incl. tax."""
    total = deducted(deductions)
    if total > gross:
        raise DepositsAboveInvoice(
            f"deposits of {total} cannot be deducted from an invoice of {gross} incl. tax"
        )
