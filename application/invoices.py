"""Invoice and credit note commands (issue 14): one method per verb, no rule here.

Issuing reads the customer and the company (the buyer as named on that day and the
seller's details in effect on the issue date are copied into the issued event) and the
series' last number with its date (see `domain.invoice_numbers`), then claims the next
number in the same transaction. Drafting lists the invoice in its customer's index, which
payments read to settle the oldest due first. A credit note is drafted from what its
invoice says remains creditable, issued under the next `CN` number and recorded on the
invoice, all in one transaction: the invoice's version refuses a concurrent credit.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any
from uuid import UUID

from adapters.eventstore.claims import SequenceClaim
from application.commands import CommandResult, CommandRunner, Outcome
from application.journal import CommandContext
from domain.company import COMPANY_ID, Company
from domain.customer import AddressKind, Customer
from domain.errors import InvalidInput, NotFound, UnknownInvoiceNumber
from domain.invoice import Invoice
from domain.invoice_credit import CreditRequest
from domain.invoice_index import CustomerInvoices, index_id
from domain.invoice_lines import InvoiceLine
from domain.invoice_numbers import InvoiceNumber, Series, number_id
from domain.invoice_seller import Seller
from domain.invoice_terms import Buyer, InvoiceDetails


def buyer_of(customer: Customer) -> Buyer:
    """The buyer as an invoice names it: legal name, VAT number, first billing address."""
    billing = [a for a in customer.addresses.values() if a.kind == AddressKind.BILLING]
    return Buyer(customer.name, customer.vat_number, billing[0] if billing else None)


def _issue_date(value: object) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInput(f"an issue date must be a date, got {value!r}")
    return value


class InvoiceCommands:
    """Use cases of the Invoice aggregate: drafts, lines, issuing, credit notes."""

    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner

    # -- reads -------------------------------------------------------------------------

    def get(self, invoice_id: UUID, version: int | None = None) -> Invoice:
        """The invoice as it stands now, or as it stood at `version`."""
        invoice = self.runner.load(Invoice, invoice_id)
        if version is None or version == invoice.version:
            return invoice
        return self.runner.load_version(Invoice, invoice_id, version)

    def by_number(self, number: str) -> Invoice:
        """The invoice or credit note holding `number`."""
        try:
            register = self.runner.load(InvoiceNumber, number_id(number))
        except NotFound:
            raise UnknownInvoiceNumber(f"no invoice document holds number {number!r}") from None
        return self.runner.load(Invoice, register.document_id)

    # -- drafts ------------------------------------------------------------------------

    def draft(
        self,
        ctx: CommandContext,
        *,
        customer_id: UUID,
        details: InvoiceDetails,
        currency: str | None = None,
    ) -> CommandResult:
        """A draft invoice for an existing customer, in its currency unless another is given."""

        def build() -> Outcome:
            customer = self.runner.load(Customer, customer_id)
            invoice = Invoice.draft(
                at=ctx.at,
                customer_id=customer_id,
                currency=currency or customer.currency,
                details=details,
            )
            index = self._index(customer_id, ctx)
            index.add(ctx.at, invoice.id)
            return Outcome([invoice, index])

        payload = {"customer_id": customer_id, "currency": currency, "details": asdict(details)}
        return self.runner.run(ctx, "invoice.draft", payload, build)

    def add_line(self, ctx: CommandContext, invoice_id: UUID, line: InvoiceLine) -> CommandResult:
        """Add a line to a draft; the result names its id."""

        def build() -> Outcome:
            invoice = self.runner.load(Invoice, invoice_id, ctx)
            return Outcome([invoice], {"line_id": invoice.add_line(at=ctx.at, line=line)})

        payload = {"invoice_id": invoice_id, **asdict(line)}
        return self.runner.run(ctx, "invoice.add_line", payload, build)

    def change_line(
        self, ctx: CommandContext, invoice_id: UUID, line_id: str, changes: dict[str, Any]
    ) -> CommandResult:
        return self._verb(
            ctx,
            invoice_id,
            "change_line",
            lambda i: i.change_line(line_id, at=ctx.at, **changes),
            line_id=line_id,
            **changes,
        )

    def remove_line(self, ctx: CommandContext, invoice_id: UUID, line_id: str) -> CommandResult:
        return self._verb(
            ctx,
            invoice_id,
            "remove_line",
            lambda i: i.remove_line(line_id, at=ctx.at),
            line_id=line_id,
        )

    def change_details(
        self, ctx: CommandContext, invoice_id: UUID, changes: dict[str, Any]
    ) -> CommandResult:
        """Change a draft's terms, discounts or references."""
        return self._verb(
            ctx,
            invoice_id,
            "change_details",
            lambda i: i.change_details(at=ctx.at, **changes),
            **changes,
        )

    # -- issuing and crediting ---------------------------------------------------------

    def issue(self, ctx: CommandContext, invoice_id: UUID, *, issue_date: date) -> CommandResult:
        """Issue a draft under the next `INV` number of its issue date's year."""
        day = _issue_date(issue_date)

        def build() -> Outcome:
            invoice = self.runner.load(Invoice, invoice_id, ctx)
            buyer = buyer_of(self.runner.load(Customer, invoice.customer_id))
            series = Series.CREDIT_NOTE if invoice.credited else Series.INVOICE
            claim, number, not_before = self._next_number(series, day, ctx.at)
            invoice.issue(
                at=ctx.at,
                number=number,
                issue_date=day,
                not_before=not_before,
                buyer=buyer,
                seller=self.seller_on(day),
            )
            register = InvoiceNumber(
                at=ctx.at, number=number, document_id=invoice.id, issue_date=day
            )
            return Outcome([invoice, register], {"number": number}, [claim])

        payload = {"invoice_id": invoice_id, "issue_date": day}
        return self.runner.run(ctx, "invoice.issue", payload, build)

    def credit(
        self,
        ctx: CommandContext,
        invoice_id: UUID,
        *,
        request: CreditRequest,
        issue_date: date,
    ) -> CommandResult:
        """Issue a credit note against an issued invoice (whole, chosen lines, or an
        amount) under the next `CN` number; the result is the credit note."""
        day = _issue_date(issue_date)

        def build() -> Outcome:
            invoice = self.runner.load(Invoice, invoice_id, ctx)
            buyer = buyer_of(self.runner.load(Customer, invoice.customer_id))
            note, credit = Invoice.credit_note(
                at=ctx.at, source=invoice.creditable(), request=request
            )
            claim, number, not_before = self._next_number(Series.CREDIT_NOTE, day, ctx.at)
            seller = self.seller_on(day)
            note.issue(
                at=ctx.at,
                number=number,
                issue_date=day,
                not_before=not_before,
                buyer=buyer,
                seller=seller,
            )
            invoice.record_credit(at=ctx.at, credit_note_id=note.id, number=number, credit=credit)
            register = InvoiceNumber(at=ctx.at, number=number, document_id=note.id, issue_date=day)
            result = {"number": number, "invoice_id": str(invoice_id)}
            return Outcome([note, invoice, register], result, [claim])

        payload = {"invoice_id": invoice_id, "issue_date": day, **asdict(request)}
        return self.runner.run(ctx, "invoice.credit", payload, build)

    def seller_on(self, day: date) -> Seller | None:
        """The company's details in effect on `day` with its logo's hash; None when the
        company is not established or only from a later day (the invoice refuses)."""
        try:
            company = self.runner.load(Company, COMPANY_ID)
        except NotFound:
            return None
        details = company.details_on(day)
        logo = None if company.logo is None else company.logo.sha256
        return None if details is None else Seller(details, logo)

    def _index(self, customer_id: UUID, ctx: CommandContext) -> CustomerInvoices:
        try:
            return self.runner.load(CustomerInvoices, index_id(customer_id))
        except NotFound:
            return CustomerInvoices.open(customer_id, ctx.at)

    def _next_number(
        self, series: Series, day: date, at: datetime
    ) -> tuple[SequenceClaim, str, date | None]:
        """The claim on the series' next number in `day`'s year, that number, and the date
        the document may not precede: the previous number's (today's when an order's
        invoice holds it: those are dated by the clock and register no date)."""
        claim = self.runner.next_claim(series.sequence(day.year))
        number = series.number(day.year, claim.value)
        if claim.value == 1:
            return claim, number, None
        previous = series.number(day.year, claim.value - 1)
        try:
            register = self.runner.load(InvoiceNumber, number_id(previous))
        except NotFound:
            return claim, number, at.date()
        return claim, number, register.issue_date

    def _verb(
        self,
        ctx: CommandContext,
        invoice_id: UUID,
        name: str,
        verb: Any,
        **payload: Any,
    ) -> CommandResult:
        def build() -> Outcome:
            invoice = self.runner.load(Invoice, invoice_id, ctx)
            verb(invoice)
            return Outcome([invoice])

        return self.runner.run(ctx, f"invoice.{name}", {"invoice_id": invoice_id, **payload}, build)
