"""The states of an invoice document and of what it is owed (issue 14).

`InvoiceStatus` is the document's life (draft, then issued: frozen for ever); what a
customer still owes on an issued invoice is another axis, `PaymentStatus`, derived from
the amounts: a paid invoice may still be corrected by a credit note (then refunded).
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"


class DocumentKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class PaymentStatus(StrEnum):
    """Unpaid (nothing received), partly paid, paid (nothing left due)."""

    UNPAID = "unpaid"
    PARTLY_PAID = "partly_paid"
    PAID = "paid"


S = InvoiceStatus
# What each state allows, by the past participle the error message uses.
TRANSITIONS: dict[InvoiceStatus, frozenset[str]] = {
    S.DRAFT: frozenset({"edited", "issued"}),
    S.ISSUED: frozenset({"credited", "paid"}),
}


def payment_status(due: Decimal, paid: Decimal) -> PaymentStatus:
    """Paid once nothing is left due (by payments or credit notes), partly paid while
    something was received and something is left, unpaid before any payment."""
    if due <= 0:
        return PaymentStatus.PAID
    return PaymentStatus.PARTLY_PAID if paid > 0 else PaymentStatus.UNPAID
