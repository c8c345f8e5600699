"""What an issued invoice owes and what settles or corrects it (issue 14): its totals,
the deposits it deducts, what credit notes may still take off it, what is due, and the
verbs that record a credit note or a payment's part against it.

A mixin of `domain.invoice.Invoice`, kept apart so the aggregate's module holds its
life as a document (draft, lines, issue). The events stay declared on the aggregate
(`_record_credit`, `_record_payment`): their topics name it, as stored events do.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from domain.errors import InvalidTransition, NotCreditable
from domain.invoice_credit import (
    Creditable,
    CreditedInvoice,
    CreditLines,
    check_credit,
    creditable_of,
)
from domain.invoice_deposits import deducted
from domain.invoice_lines import InvoiceLine, InvoiceTotals, bounded_totals
from domain.invoice_payments import check_payable
from domain.invoice_states import (
    TRANSITIONS,
    DocumentKind,
    InvoiceStatus,
    PaymentStatus,
    payment_status,
)
from domain.invoice_terms import InvoiceDetails
from domain.invoicing import Amounts
from domain.quote_lines import checked_at, required_text
from domain.values import ZERO


class InvoiceSettlement:
    """Totals, deposits deducted, credit notes and payments of an invoice document."""

    kind: DocumentKind
    status: InvoiceStatus
    number: str | None
    currency: str
    details: InvoiceDetails
    lines: dict[str, InvoiceLine]
    credited: CreditedInvoice | None
    credited_amounts: Amounts
    amount_paid: Decimal

    # -- reading ------------------------------------------------------------------------

    def totals(self) -> InvoiceTotals:
        """Lines' net, document discount, base and VAT per (category, rate), total."""
        details = self.details
        return bounded_totals(self.lines, self.currency, details.discounts, details.discount_mode)

    @property
    def prepaid(self) -> Decimal:
        """The deposits (incl. tax) this invoice deducts from its total (BT-113)."""
        return deducted(self.details.deposits)

    @property
    def amount_due(self) -> Decimal:
        """The total less the deposits it deducts, what credit notes took off it and
        what payments settled, never below zero."""
        gross = self.totals().gross
        due = gross - self.prepaid - self.credited_amounts.gross - self.amount_paid
        return max(due, ZERO)

    @property
    def payment_status(self) -> PaymentStatus | None:
        """Unpaid, partly paid or paid for an issued invoice; None otherwise."""
        if self.kind != DocumentKind.INVOICE or self.status != InvoiceStatus.ISSUED:
            return None
        return payment_status(self.amount_due, self.amount_paid)

    def remaining(self) -> Amounts:
        """Base and VAT per breakdown not yet credited."""
        return self.totals().amounts.minus(self.credited_amounts)

    def creditable(self) -> Creditable:
        """What a credit note may still take off this issued invoice."""
        if self.kind != DocumentKind.INVOICE:
            raise NotCreditable("a credit note is not corrected by another credit note")
        self._require("credited")
        return creditable_of(self)  # type: ignore[arg-type]

    def _require(self, verb: str) -> None:
        if verb not in TRANSITIONS[self.status]:
            raise InvalidTransition(self.kind.replace("_", " "), self.status, verb)

    # -- credit notes and payments ------------------------------------------------------

    def record_credit(
        self, *, at: datetime, credit_note_id: UUID, number: str, credit: CreditLines
    ) -> None:
        """Record a credit note issued against this invoice: never above what remains."""
        check_credit(credit, self.creditable())
        self._record_credit(
            at=checked_at(at),
            credit_note_id=credit_note_id,
            number=required_text(number, "a credit note number"),
            amounts=credit.amounts,
            quantities=dict(credit.quantities),
        )

    def _record_credit(
        self,
        at: datetime,
        credit_note_id: UUID,
        number: str,
        amounts: Amounts,
        quantities: dict[str, Decimal],
    ) -> None:
        raise NotImplementedError  # the aggregate's event

    def record_payment(
        self, *, at: datetime, payment_id: UUID, amount: Decimal, value_date: date
    ) -> None:
        """Record the part of a payment allocated to this issued invoice: above zero and
        never above what is due (deposits, credit notes and earlier payments deducted)."""
        self._require("paid")
        amount = check_payable(self.kind, self.number, self.amount_due, amount, self.currency)
        self._record_payment(
            at=checked_at(at), payment_id=payment_id, amount=amount, value_date=value_date
        )

    def _record_payment(
        self, at: datetime, payment_id: UUID, amount: Decimal, value_date: date
    ) -> None:
        raise NotImplementedError  # the aggregate's event
