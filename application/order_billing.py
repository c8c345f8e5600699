"""Order billing (O5, O6): invoices and deposit invoices issued as documents of their own,
credit notes and payments, and the common path of every order verb: load, call one verb,
record what it changed on the order's affairs (A5), save. No business rule here.

Invoicing an order drafts and issues an `Invoice` document (`application.invoice_issuing`)
from the order's lines in the command that records it on the order, under the next
number of the invoices' series in the issue date's year. A credit note made on that
document is followed up on the order (`follow_credits`); payments settle the document.
Invoices recorded inside orders before (no document) keep their credit notes and
payments on the order, numbered as they were.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.commands import CommandResult, CommandRunner, Outcome
from application.invoice_issuing import InvoiceIssuer, issue_date_of
from application.journal import CommandContext, Result
from application.order_documents import (
    InvoiceTerms,
    deposit_lines,
    details_of,
    document_lines,
)
from application.order_revenue import (
    AffairRevenue,
    credited_by_affair,
    difference,
    invoiced_by_affair,
    ordered_by_affair,
)
from domain.invoice import Invoice
from domain.invoice_credit import CreditLines
from domain.invoice_source import InvoiceSource, SourceKind
from domain.invoicing import format_invoice_number
from domain.order import Order
from domain.order_documents import DocumentRef

# Each numbered document: its yearly sequence's name, its number's prefix, its result key.
CREDIT_NOTES = ("credit-note", "CN", "credit_note_number")


class OrderVerbs:
    """The common paths: load the order, call one verb (numbered or not), record it."""

    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner
        self.revenue = AffairRevenue(runner)

    def _verb(
        self,
        ctx: CommandContext,
        order_id: UUID,
        name: str,
        fields: dict[str, Any],
        verb: Callable[[Order], Result | None],
    ) -> CommandResult:
        def build() -> Outcome:
            order = self.runner.load(Order, order_id, ctx)
            before = ordered_by_affair(order)
            result = verb(order) or {}
            return Outcome([order, *self.ordered_revenue(ctx, order, before)], result)

        payload = {"order_id": order_id, **fields}
        return self.runner.run(ctx, f"order.{name}", payload, build)

    def ordered_revenue(
        self, ctx: CommandContext, order: Order, before: dict[UUID, Decimal]
    ) -> list[Aggregate]:
        """The affairs whose ordered revenue the verb just changed, each recorded."""
        changes = difference(before, ordered_by_affair(order))
        day = ctx.at.date()
        return [*self.revenue.record(ctx, order, "ordered", changes, str(order.id), day)]

    def _numbered(
        self,
        ctx: CommandContext,
        order_id: UUID,
        name: str,
        fields: dict[str, Any],
        numbering: tuple[str, str, str],
        verb: Callable[[Order, str], None],
    ) -> CommandResult:
        """Run a verb that issues a document under the next number of its yearly sequence.

        The number is read and claimed inside `build`, which the runner calls again
        when another command claimed that number first.
        """
        kind, prefix, key = numbering
        year = ctx.at.year
        sequence = f"{kind}-{year}"

        def build() -> Outcome:
            order = self.runner.load(Order, order_id, ctx)
            claim = self.runner.next_claim(sequence)
            number = format_invoice_number(year, claim.value, prefix)
            verb(order, number)
            return Outcome([order], {key: number}, [claim])

        payload = {"order_id": order_id, **fields}
        return self.runner.run(ctx, f"order.{name}", payload, build)


class OrderBillingCommands(OrderVerbs):
    """Use cases of an order's invoices, credit notes and payments."""

    def __init__(self, runner: CommandRunner) -> None:
        super().__init__(runner)
        self.issuer = InvoiceIssuer(runner)

    def follow_credits(self, issuer: InvoiceIssuer) -> None:
        """Have credit notes made on order invoices (`issuer`'s) followed up on the order."""
        issuer.credit_followers[SourceKind.ORDER] = self.follow_credit
        issuer.credit_followers[SourceKind.DEPOSIT] = self.follow_credit

    # ---- O5: invoices and deposits as documents -----------------------------------

    def invoice(
        self,
        ctx: CommandContext,
        order_id: UUID,
        quantities: Mapping[str, Decimal],
        terms: InvoiceTerms | None = None,
    ) -> CommandResult:
        """Issue an invoice document of quantities per line (deposits deducted) and record
        it on the order; the result names its number and id."""
        terms = terms or InvoiceTerms(ctx.at.date())
        day = issue_date_of(terms.issue_date)

        def build() -> Outcome:
            order = self.runner.load(Order, order_id, ctx)
            planned = order.invoice_of(ctx.at, "planned", quantities)
            lines, billed = document_lines(order, planned)
            deductions = order.deposit_deductions(planned.deposit_deducted)
            issued = self.issuer.issue_new(
                ctx,
                customer_id=order.customer_id,
                lines=lines,
                details=details_of(order, lines, terms, deductions),
                issue_date=day,
                source=InvoiceSource(SourceKind.ORDER, order.id),
                currency=order.currency,
            )
            document = DocumentRef(issued.invoice.id, day, billed)
            invoice = order.record_invoice_document(
                ctx.at, issued.number, document, quantities=quantities
            )
            affairs = self.revenue.record(
                ctx, order, "invoiced", invoiced_by_affair(order, invoice), issued.number, day
            )
            result = {"invoice_number": issued.number, "invoice_id": str(issued.invoice.id)}
            return Outcome([order, *issued.aggregates, *affairs], result, issued.claims)

        fields = {"quantities": dict(quantities), **terms.payload()}
        return self.runner.run(ctx, "order.invoice", {"order_id": order_id, **fields}, build)

    def deposit_invoice(
        self,
        ctx: CommandContext,
        order_id: UUID,
        *,
        percent: Decimal | None = None,
        amount: Decimal | None = None,
        terms: InvoiceTerms | None = None,
    ) -> CommandResult:
        """Issue a deposit invoice document (a percentage or an amount incl. tax of the
        order, one line per VAT rate) and record it on the order."""
        terms = terms or InvoiceTerms(ctx.at.date())
        day = issue_date_of(terms.issue_date)

        def build() -> Outcome:
            order = self.runner.load(Order, order_id, ctx)
            planned = order.deposit_of(ctx.at, "planned", percent, amount)
            lines = deposit_lines(order, planned)
            issued = self.issuer.issue_new(
                ctx,
                customer_id=order.customer_id,
                lines=lines,
                details=details_of(order, lines, terms, [], deposit=True),
                issue_date=day,
                source=InvoiceSource(SourceKind.DEPOSIT, order.id),
                currency=order.currency,
            )
            document = DocumentRef(issued.invoice.id, day)
            order.record_invoice_document(
                ctx.at, issued.number, document, percent=percent, amount=amount
            )
            result = {"invoice_number": issued.number, "invoice_id": str(issued.invoice.id)}
            return Outcome([order, *issued.aggregates], result, issued.claims)

        fields = {"percent": percent, "amount": amount, **terms.payload()}
        return self.runner.run(
            ctx, "order.deposit_invoice", {"order_id": order_id, **fields}, build
        )

    def follow_credit(
        self, ctx: CommandContext, note: Invoice, invoice: Invoice, credit: CreditLines
    ) -> list[Aggregate]:
        """A credit note on an order's invoice document, followed up on the order (the
        quantities it credits re-opened, a deposit given back) and on its affairs."""
        source, number = invoice.source, invoice.number
        if source is None or number is None or note.number is None or note.issue_date is None:
            return []
        order = self.runner.load(Order, source.document_id)
        order.follow_credit_note(ctx.at, note.number, number, credit.quantities, credit.amounts)
        billed = order.invoices[number]
        changes = credited_by_affair(order, billed, credit.amounts.net)
        affairs = self.revenue.record(ctx, order, "invoiced", changes, note.number, note.issue_date)
        return [order, *affairs]

    # ---- O5, O6: credit notes and payments of invoices kept inside orders ---------

    def credit_note(
        self,
        ctx: CommandContext,
        order_id: UUID,
        invoice_number: str,
        *,
        quantities: Mapping[str, Decimal] | None = None,
        amount: Decimal | None = None,
    ) -> CommandResult:
        """A credit note against an invoice kept inside the order (recorded before invoices
        became documents), numbered in the credit notes' own sequence."""

        def verb(order: Order, number: str) -> None:
            order.credit_note(
                at=ctx.at,
                number=number,
                invoice_number=invoice_number,
                quantities=quantities,
                amount=amount,
            )

        fields = {
            "invoice_number": invoice_number,
            "quantities": None if quantities is None else dict(quantities),
            "amount": amount,
        }
        return self._numbered(ctx, order_id, "credit_note", fields, CREDIT_NOTES, verb)

    def record_payment(
        self,
        ctx: CommandContext,
        order_id: UUID,
        invoice_number: str,
        amount: Decimal,
        method: str = "transfer",
    ) -> CommandResult:
        """A payment of an invoice kept inside the order (recorded before invoices became
        documents); a document is paid through `PaymentCommands`."""
        fields = {"invoice_number": invoice_number, "amount": amount, "method": method}
        return self._verb(
            ctx,
            order_id,
            "record_payment",
            fields,
            lambda o: o.record_payment(
                at=ctx.at, invoice_number=invoice_number, amount=amount, method=method
            ),
        )
