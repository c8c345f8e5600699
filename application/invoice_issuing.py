"""Issuing invoice documents (issue 14): what every issuing command shares.

An invoice is issued under the next number of its series in its issue date's year,
claimed in the issuing transaction (`domain.invoice_numbers`), with the buyer as the
customer is named that day and the seller's details in effect on the issue date.
`InvoiceIssuer.issue_new` drafts, fills and issues an invoice in one go for the commands
that bill a source document (an order, a contract period, a service case, an affair's
entries): the caller adds what it returns to its own `Outcome`, next to the source
document that records the invoice, so both are written in one transaction or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from adapters.eventstore.claims import SequenceClaim
from application.commands import CommandRunner
from application.journal import CommandContext
from domain.company import COMPANY_ID, Company
from domain.customer import Address, AddressKind, Customer
from domain.errors import InvalidInput, NotFound
from domain.invoice import Invoice
from domain.invoice_credit import CreditLines
from domain.invoice_index import CustomerInvoices, index_id
from domain.invoice_lines import InvoiceLine
from domain.invoice_numbers import InvoiceNumber, Series, number_id
from domain.invoice_seller import Seller
from domain.invoice_source import InvoiceSource, SourceKind
from domain.invoice_terms import Buyer, InvoiceDetails

# What a source document does when a credit note corrects one of its invoices (an order
# re-opens the quantities credited, an affair takes the credited amount off its invoiced
# revenue): given the command, the credit note, the invoice and what was credited, the
# aggregates it changed, written in the credit note's transaction.
CreditFollower = Callable[[CommandContext, Invoice, Invoice, CreditLines], Sequence[Aggregate]]


def buyer_of(customer: Customer) -> Buyer:
    """The buyer as an invoice names it: its legal name (else its name), VAT number,
    SIREN and SIRET, first billing address and first delivery address."""

    def first(kind: AddressKind) -> Address | None:
        found = [a for a in customer.addresses.values() if a.kind == kind]
        return found[0] if found else None

    return Buyer(
        customer.legal_name or customer.name,
        customer.vat_number,
        first(AddressKind.BILLING),
        siren=customer.siren,
        siret=customer.siret,
        delivery_address=first(AddressKind.DELIVERY),
    )


def issue_date_of(value: object) -> date:
    """`value` if it is a calendar date (a datetime is not one)."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInput(f"an issue date must be a date, got {value!r}")
    return value


@dataclass
class Issued:
    """An invoice issued in a command, and what the command must write with it."""

    invoice: Invoice
    number: str
    aggregates: list[Aggregate] = field(default_factory=list)
    claims: list[SequenceClaim] = field(default_factory=list)


class InvoiceIssuer:
    """Numbers, dates, buyer and seller for every command that issues an invoice."""

    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner
        self.credit_followers: dict[SourceKind, CreditFollower] = {}

    def issue_new(
        self,
        ctx: CommandContext,
        *,
        customer_id: UUID,
        lines: Sequence[InvoiceLine],
        details: InvoiceDetails,
        issue_date: date,
        source: InvoiceSource,
        currency: str | None = None,
    ) -> Issued:
        """Draft an invoice of `lines` billing `source`, list it for its customer and
        issue it on `issue_date`, all in the caller's transaction."""
        customer = self.runner.load(Customer, customer_id)
        invoice = Invoice.draft(
            at=ctx.at,
            customer_id=customer_id,
            currency=currency or customer.currency,
            details=details,
        )
        invoice.state_source(at=ctx.at, source=source)
        for line in lines:
            invoice.add_line(at=ctx.at, line=line)
        index = self.index(customer_id, ctx)
        index.add(ctx.at, invoice.id)
        issued = self.issue(ctx, invoice, issue_date_of(issue_date), customer)
        issued.aggregates.insert(1, index)
        return issued

    def issue(
        self, ctx: CommandContext, invoice: Invoice, day: date, customer: Customer | None = None
    ) -> Issued:
        """Issue a draft under the next number of its series; the invoice comes first in
        the aggregates, then its number's register."""
        customer = customer or self.runner.load(Customer, invoice.customer_id)
        series = Series.CREDIT_NOTE if invoice.credited else Series.INVOICE
        claim, number, not_before = self.next_number(series, day, ctx.at)
        invoice.issue(
            at=ctx.at,
            number=number,
            issue_date=day,
            not_before=not_before,
            buyer=buyer_of(customer),
            seller=self.seller_on(day),
        )
        register = InvoiceNumber(at=ctx.at, number=number, document_id=invoice.id, issue_date=day)
        return Issued(invoice, number, [invoice, register], [claim])

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

    def index(self, customer_id: UUID, ctx: CommandContext) -> CustomerInvoices:
        """The customer's invoice index, opened on its first invoice."""
        try:
            return self.runner.load(CustomerInvoices, index_id(customer_id))
        except NotFound:
            return CustomerInvoices.open(customer_id, ctx.at)

    def next_number(
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

    def follow_credit(
        self, ctx: CommandContext, note: Invoice, invoice: Invoice, credit: CreditLines
    ) -> Sequence[Aggregate]:
        """What the credited invoice's source changes when a credit note corrects it."""
        source = invoice.source
        follower = None if source is None else self.credit_followers.get(source.kind)
        return () if follower is None else follower(ctx, note, invoice, credit)
