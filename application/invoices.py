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
from datetime import date
from typing import Any
from uuid import UUID

from application.commands import CommandResult, CommandRunner, Outcome
from application.invoice_issuing import InvoiceIssuer, issue_date_of
from application.journal import CommandContext
from domain.customer import Customer
from domain.errors import NotFound, UnknownInvoiceNumber
from domain.invoice import Invoice
from domain.invoice_credit import CreditRequest
from domain.invoice_lines import InvoiceLine
from domain.invoice_numbers import InvoiceNumber, number_id
from domain.invoice_terms import InvoiceDetails


class InvoiceCommands:
    """Use cases of the Invoice aggregate: drafts, lines, issuing, credit notes."""

    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner
        self.issuer = InvoiceIssuer(runner)

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
            index = self.issuer.index(customer_id, ctx)
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
        day = issue_date_of(issue_date)

        def build() -> Outcome:
            invoice = self.runner.load(Invoice, invoice_id, ctx)
            issued = self.issuer.issue(ctx, invoice, day)
            return Outcome(issued.aggregates, {"number": issued.number}, issued.claims)

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
        day = issue_date_of(issue_date)

        def build() -> Outcome:
            invoice = self.runner.load(Invoice, invoice_id, ctx)
            note, credit = Invoice.credit_note(
                at=ctx.at, source=invoice.creditable(), request=request
            )
            if invoice.source is not None:
                note.state_source(at=ctx.at, source=invoice.source)
            issued = self.issuer.issue(ctx, note, day)
            invoice.record_credit(
                at=ctx.at, credit_note_id=note.id, number=issued.number, credit=credit
            )
            followed = self.issuer.follow_credit(ctx, note, invoice, credit)
            result = {"number": issued.number, "invoice_id": str(invoice_id)}
            aggregates = [note, invoice, *issued.aggregates[1:], *followed]
            return Outcome(aggregates, result, issued.claims)

        payload = {"invoice_id": invoice_id, "issue_date": day, **asdict(request)}
        return self.runner.run(ctx, "invoice.credit", payload, build)

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
