"""The Invoice aggregate: an invoice or a credit note, from draft (pro forma) to issued.

A draft changes freely; issuing checks the dates, the buyer and the seller, freezes it
and records its number, dates, the buyer and the seller as they stood that day and the
totals. An issued invoice is never edited: credit notes correct it and payments settle
it, each recorded on it, so what remains creditable and what is due are always known;
a final invoice states the deposit invoices it deducts (`domain.invoice_deposits`).
What it owes and the verbs recording credits and payments are in
`domain.invoice_settlement`; their events are declared here, where their topics name it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import EmptyInvoice, InvalidInput, UnknownLine
from domain.invoice_credit import (
    Creditable,
    CreditedInvoice,
    CreditLines,
    CreditRequest,
    credit_lines,
)
from domain.invoice_deposits import check_within_total
from domain.invoice_lines import (
    InvoiceLine,
    bounded_totals,
    changed_fields,
    check_buyer,
    edited_line,
)
from domain.invoice_numbers import check_issue_date
from domain.invoice_seller import Seller, checked_seller
from domain.invoice_settlement import InvoiceSettlement
from domain.invoice_source import InvoiceSource
from domain.invoice_states import TRANSITIONS, DocumentKind, InvoiceStatus, PaymentStatus
from domain.invoice_terms import (
    RECOVERY_INDEMNITY,
    Buyer,
    InvoiceDetails,
    changed_details,
    checked_details,
)
from domain.invoicing import Amounts
from domain.quote_lines import checked_at, checked_uuid, required_text
from domain.values import ZERO, check_currency

__all__ = ["TRANSITIONS", "DocumentKind", "Invoice", "InvoiceStatus", "PaymentStatus"]


class Invoice(InvoiceSettlement, Aggregate):
    """An invoice or a credit note to a customer, with its own number and history."""

    source: InvoiceSource | None = None  # what it bills; a class default for old snapshots

    class Drafted(Aggregate.Created):
        at: datetime
        kind: str
        currency: str
        customer_id: UUID
        details: InvoiceDetails
        credited: CreditedInvoice | None

    @event(Drafted)
    def __init__(
        self,
        *,
        at: datetime,
        kind: str,
        currency: str,
        customer_id: UUID,
        details: InvoiceDetails,
        credited: CreditedInvoice | None,
    ) -> None:
        self.drafted_at = at
        self.kind = DocumentKind(kind)
        self.status = InvoiceStatus.DRAFT
        self.currency, self.customer_id = currency, customer_id
        self.details = details
        self.credited = credited
        self.lines: dict[str, InvoiceLine] = {}
        self.lines_added = 0
        self.number: str | None = None
        self.issue_date: date | None = None
        self.due_date: date | None = None
        self.issued_at: datetime | None = None
        self.buyer: Buyer | None = None
        self.issued_amounts: Amounts | None = None
        self.recovery_indemnity: Decimal | None = None
        self.credited_amounts = Amounts()
        self.credited_quantities: dict[str, Decimal] = {}
        self.credit_notes: dict[str, UUID] = {}
        self.seller: Seller | None = None
        self.amount_paid = ZERO
        self.payments: dict[str, Decimal] = {}  # by payment id

    @classmethod
    def draft(
        cls, *, at: datetime, customer_id: UUID, currency: str, details: InvoiceDetails
    ) -> Invoice:
        """A draft invoice (pro forma) for a customer."""
        if checked_uuid(customer_id, "a customer id") is None:
            raise InvalidInput("an invoice needs a customer id")
        if not isinstance(details, InvoiceDetails):
            raise InvalidInput(f"invoice details expected, got {details!r}")
        return cls(
            at=checked_at(at),
            kind=DocumentKind.INVOICE,
            currency=check_currency(currency),
            customer_id=customer_id,
            details=checked_details(details),
            credited=None,
        )

    @classmethod
    def credit_note(
        cls, *, at: datetime, source: Creditable, request: CreditRequest
    ) -> tuple[Invoice, CreditLines]:
        """A credit note drafted against what remains creditable of an issued invoice;
        the application issues it and records it on the invoice in the same command."""
        credit = credit_lines(source, request)
        details = InvoiceDetails(source.operation, discounts=credit.discounts)
        details = replace(details, discount_mode=credit.discount_mode)
        note = cls(
            at=checked_at(at),
            kind=DocumentKind.CREDIT_NOTE,
            currency=source.currency,
            customer_id=source.customer_id,
            details=checked_details(details),
            credited=source.invoice,
        )
        for line in credit.lines:
            note.add_line(at=at, line=line)
        return note, credit

    # -- reading (totals, what is due and creditable: `InvoiceSettlement`) -------------

    def _line(self, line_id: str) -> InvoiceLine:
        try:
            return self.lines[line_id]
        except KeyError:
            raise UnknownLine(f"invoice has no line {line_id!r}") from None

    def _edited(self, line: InvoiceLine) -> InvoiceLine:
        details = self.details
        return edited_line(
            self.lines, line, self.currency, details.discounts, details.discount_mode
        )

    # -- editing a draft ----------------------------------------------------------------

    def state_source(self, *, at: datetime, source: InvoiceSource) -> None:
        """Say what a draft bills (an order, a contract period …), once."""
        self._require("edited")
        if not isinstance(source, InvoiceSource):
            raise InvalidInput(f"an invoice source expected, got {source!r}")
        if self.source is not None:
            raise InvalidInput(f"this draft already bills {self.source.kind}")
        self._state_source(at=checked_at(at), source=source)

    @event("SourceStated")
    def _state_source(self, at: datetime, source: InvoiceSource) -> None:
        self.source = source

    def add_line(self, *, at: datetime, line: InvoiceLine) -> str:
        """Add a line to a draft; return its id ("1", "2", … never reused)."""
        self._require("edited")
        if not isinstance(line, InvoiceLine):
            raise InvalidInput(f"an invoice line expected, got {line!r}")
        line = self._edited(replace(line, line_id=str(self.lines_added + 1)))
        self._add_line(at=checked_at(at), line=line)
        return line.line_id

    @event("LineAdded")
    def _add_line(self, at: datetime, line: InvoiceLine) -> None:
        self.lines[line.line_id] = line
        self.lines_added += 1

    def change_line(self, line_id: str, *, at: datetime, **changes: Any) -> None:
        """Change fields of a draft's line; nothing is recorded when nothing differs."""
        self._require("edited")
        line = self._edited(changed_fields(self._line(line_id), changes))
        if line != self.lines[line_id]:
            self._change_line(at=checked_at(at), line=line)

    @event("LineChanged")
    def _change_line(self, at: datetime, line: InvoiceLine) -> None:
        self.lines[line.line_id] = line

    def remove_line(self, line_id: str, *, at: datetime) -> None:
        """Remove a line from a draft."""
        self._require("edited")
        self._line(line_id)
        self._remove_line(at=checked_at(at), line_id=line_id)

    @event("LineRemoved")
    def _remove_line(self, at: datetime, line_id: str) -> None:
        del self.lines[line_id]

    def change_details(self, *, at: datetime, **changes: Any) -> None:
        """Change a draft's terms, discounts or references; nothing recorded if all equal."""
        self._require("edited")
        details = changed_details(self.details, changes)
        if details != self.details:
            lines, currency = self.lines, self.currency
            bounded_totals(lines, currency, details.discounts, details.discount_mode)
            self._change_details(at=checked_at(at), details=details)

    @event("DetailsChanged")
    def _change_details(self, at: datetime, details: InvoiceDetails) -> None:
        self.details = details

    # -- issuing ------------------------------------------------------------------------

    def issue(
        self,
        *,
        at: datetime,
        number: str,
        issue_date: date,
        not_before: date | None,
        buyer: Buyer,
        seller: Seller | None,
    ) -> None:
        """Freeze the draft under `number`, dated `issue_date`: never after the command's
        day, never before `not_before` (the date of the previous number of its series)
        nor, for a credit note, before its invoice; the seller is the company's details
        in effect that day (none: `SellerNotEstablished`)."""
        self._require("issued")
        at, number = checked_at(at), required_text(number, "an invoice number")
        if not self.lines:
            raise EmptyInvoice(f"an {self.kind.replace('_', ' ')} without lines cannot be issued")
        check_issue_date(issue_date, at.date(), not_before, self.credited)
        check_buyer(self.lines.values(), buyer)
        if self.kind == DocumentKind.INVOICE:
            check_within_total(self.details.deposits, self.totals().gross)
        seller = checked_seller(seller, issue_date)
        self._issue(
            at=at,
            number=number,
            issue_date=issue_date,
            due_date=self.details.payment_terms.due_date(issue_date),
            buyer=buyer,
            amounts=self.totals().amounts,
            recovery_indemnity=RECOVERY_INDEMNITY,
            seller=seller,
        )

    @event("Issued")
    def _issue(
        self,
        at: datetime,
        number: str,
        issue_date: date,
        due_date: date,
        buyer: Buyer,
        amounts: Amounts,
        recovery_indemnity: Decimal,
        seller: Seller | None = None,  # absent from invoices issued before it was stated
    ) -> None:
        self.status = InvoiceStatus.ISSUED
        self.number, self.issue_date, self.due_date = number, issue_date, due_date
        self.issued_at, self.buyer = at, buyer
        self.issued_amounts = amounts
        self.recovery_indemnity = recovery_indemnity
        self.seller = seller

    # -- credit notes -------------------------------------------------------------------

    @event("CreditRecorded")
    def _record_credit(
        self,
        at: datetime,
        credit_note_id: UUID,
        number: str,
        amounts: Amounts,
        quantities: dict[str, Decimal],
    ) -> None:
        self.credited_amounts = self.credited_amounts.plus(amounts)
        for line_id, quantity in quantities.items():
            self.credited_quantities[line_id] = (
                self.credited_quantities.get(line_id, ZERO) + quantity
            )
        self.credit_notes[number] = credit_note_id

    # -- payments -----------------------------------------------------------------------

    @event("PaymentRecorded")
    def _record_payment(
        self, at: datetime, payment_id: UUID, amount: Decimal, value_date: date
    ) -> None:
        self.amount_paid += amount
        key = str(payment_id)
        self.payments[key] = self.payments.get(key, ZERO) + amount
