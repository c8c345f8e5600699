"""Invoices, credit notes and payments for the receivables tests (views, dunning, O2).

The book every receivables test starts from, on 2 November 2026 (amounts incl. 20 % VAT):

| invoice        | customer | issued     | due        | gross   | credited | paid   | due now |
|----------------|----------|------------|------------|---------|----------|--------|---------|
| INV-2026-00001 | Martin   | 2026-07-01 | 2026-07-31 |  600.00 |          | 100.00 |  500.00 |
| INV-2026-00002 | Martin   | 2026-08-15 | 2026-09-14 | 1200.00 |   240.00 |        |  960.00 |
| INV-2026-00003 | Dupont   | 2026-10-01 | 2026-10-31 |  360.00 USD |      |        |  360.00 |
| INV-2026-00004 | Martin   | 2026-10-20 | 2026-11-19 |  240.00 |          |        |  240.00 |
| CN-2026-00001  | Martin   | 2026-10-25 |            |  240.00 | (credits INV-2026-00002)   |
| a draft        | Martin   |            |            |   60.00 |          |        |         |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.app import Comptoir
from application.journal import CommandContext
from application.payments import RecordPayment
from domain.invoice_credit import CreditRequest
from domain.invoice_lines import InvoiceLine, VatCategory
from domain.invoice_terms import InvoiceDetails, OperationCategory, PaymentTerms, TermsKind
from domain.payment import PaymentMeans
from tests.integration.company_support import establish_company

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
TODAY = AT.date()
D = Decimal


def ctx(**kwargs: Any) -> CommandContext:
    kwargs.setdefault("actor", "carla")
    kwargs.setdefault("at", AT)
    return CommandContext(**kwargs)


def customer(app: Comptoir, name: str, **kwargs: Any) -> UUID:
    return app.customers.register(ctx(), name=name, **kwargs).aggregate_id


def drafted(
    app: Comptoir, customer_id: UUID, quantity: str, price: str, currency: str = "EUR"
) -> UUID:
    """A draft of `quantity` days at `price` + 20 % VAT, due 30 days after its issue."""
    details = InvoiceDetails(
        operation=OperationCategory.SERVICES, payment_terms=PaymentTerms(TermsKind.NET, 30)
    )
    result = app.invoices.draft(ctx(), customer_id=customer_id, details=details, currency=currency)
    line = InvoiceLine("", "Audit", D(quantity), "DAY", D(price), VatCategory.STANDARD, D(20))
    app.invoices.add_line(ctx(), result.aggregate_id, line)
    return result.aggregate_id


def issued(
    app: Comptoir, customer_id: UUID, quantity: str, price: str, on: date, currency: str = "EUR"
) -> UUID:
    invoice_id = drafted(app, customer_id, quantity, price, currency)
    app.invoices.issue(ctx(), invoice_id, issue_date=on)
    return invoice_id


def paid(app: Comptoir, customer_id: UUID, invoice_id: UUID, amount: str, on: date) -> None:
    payment = RecordPayment(
        customer_id,
        value_date=on,
        amount=D(amount),
        means=PaymentMeans.TRANSFER,
        allocations={invoice_id: D(amount)},
    )
    app.payments.record(ctx(), payment)


def credited(app: Comptoir, invoice_id: UUID, amount: str, on: date) -> UUID:
    """A credit note of `amount` incl. tax against the invoice."""
    result = app.invoices.credit(
        ctx(), invoice_id, request=CreditRequest(amount=D(amount)), issue_date=on
    )
    return result.aggregate_id


@dataclass(frozen=True)
class Book:
    """The documents of the table above."""

    martin: UUID
    dupont: UUID
    first: UUID  # INV-2026-00001
    second: UUID  # INV-2026-00002
    dollars: UUID  # INV-2026-00003
    fourth: UUID  # INV-2026-00004
    credit_note: UUID  # CN-2026-00001
    draft: UUID
    before_settling: datetime  # after the four invoices, before the payment and credit


def book(app: Comptoir) -> Book:
    """Issue the table above, in the order of its issue dates."""
    establish_company(app)
    martin = customer(app, "Martin SA", status="customer")
    dupont = customer(app, "Dupont Inc", status="customer", currency="USD")
    first = issued(app, martin, "2", "250.00", date(2026, 7, 1))  # 500 + 100 VAT
    second = issued(app, martin, "4", "250.00", date(2026, 8, 15))  # 1000 + 200
    dollars = issued(app, dupont, "1", "300.00", date(2026, 10, 1), "USD")  # 300 + 60
    fourth = issued(app, martin, "1", "200.00", date(2026, 10, 20))  # 200 + 40
    draft = drafted(app, martin, "1", "50.00")  # 50 + 10, never issued
    before_settling = datetime.now(UTC)
    paid(app, martin, first, "100.00", date(2026, 8, 20))
    note = credited(app, second, "240.00", date(2026, 10, 25))  # 200 + 40 VAT
    return Book(martin, dupont, first, second, dollars, fourth, note, draft, before_settling)
