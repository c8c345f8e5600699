"""What a payment may settle on an invoice, and when an invoice is overdue (issue 14).

Pure functions of an invoice's amounts and dates: the Invoice aggregate calls
`check_payable` before it records a payment's part; `is_overdue` answers for a day the
caller states (the domain never reads the clock).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Protocol

from domain import bounds
from domain.errors import InvalidAmount, NotPayable, PaymentAboveDue
from domain.invoice_states import DocumentKind, InvoiceStatus


def check_payable(
    kind: DocumentKind, number: str | None, due: Decimal, amount: Decimal, currency: str
) -> Decimal:
    """`amount` if an invoice (not a credit note) with `due` left may take it: above
    zero, bounded, never above what is due."""
    if kind != DocumentKind.INVOICE:
        raise NotPayable(f"credit note {number} is not paid by the customer")
    amount = bounds.amount(amount)
    if amount <= 0:
        raise InvalidAmount(f"a payment allocates an amount above zero, got {amount}")
    if amount > due:
        raise PaymentAboveDue(
            f"{amount} {currency} is above what is due on {number} ({due} {currency})"
        )
    return amount


class Dated(Protocol):
    """What `is_overdue` reads of an invoice."""

    kind: DocumentKind
    status: InvoiceStatus
    due_date: date | None

    @property
    def amount_due(self) -> Decimal: ...


def is_overdue(invoice: Dated, on_day: date) -> bool:
    """True when an issued invoice still has something due after its due date: on the
    due date itself it is not overdue yet, the day after it is."""
    if invoice.kind != DocumentKind.INVOICE or invoice.status != InvoiceStatus.ISSUED:
        return False
    assert invoice.due_date is not None
    return on_day > invoice.due_date and invoice.amount_due > 0
