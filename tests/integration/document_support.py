"""Documents to print in tests: a sent quote, a confirmed and delivered order, an issued
invoice with three VAT breakdowns and its credit note, all for one customer."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from pypdf import PdfReader

from application.app import Comptoir
from application.journal import CommandContext
from domain.customer import Address, AddressKind
from domain.invoice_credit import CreditRequest
from domain.invoice_lines import InvoiceLine, VatCategory
from domain.invoice_terms import InvoiceDetails, OperationCategory, PaymentTerms, TermsKind
from domain.order import OrderLine

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
D = Decimal


def ctx(**kwargs: Any) -> CommandContext:
    kwargs.setdefault("actor", "alice")
    kwargs.setdefault("at", AT)
    return CommandContext(**kwargs)


def customer(app: Comptoir) -> UUID:
    customer_id = app.customers.register(
        ctx(), name="Martin SA", vat_number="FR40303265045", status="customer"
    ).aggregate_id
    billing = Address(AddressKind.BILLING, "1 rue de la Paix", "75002", "Paris", "FR")
    app.customers.add_address(ctx(), customer_id, billing)
    site = Address(AddressKind.DELIVERY, "8 quai des Docks", "13002", "Marseille", "FR")
    app.customers.add_address(ctx(), customer_id, site)
    return customer_id


def sent_quote(app: Comptoir, customer_id: UUID, lines: int = 3) -> UUID:
    quote_id = app.quotes.draft(
        ctx(), currency="EUR", customer_id=customer_id, title="Rénovation du showroom"
    ).aggregate_id
    for n in range(1, lines + 1):
        app.quotes.add_line(
            ctx(),
            quote_id,
            description=f"Poste {n} — pose et fournitures",
            quantity=D(n % 7 + 1),
            unit_price=D("1234.56"),
            vat_rate=D(20),
            unit="day",
            product_ref=f"REF-{n:03d}",
        )
    app.quotes.send(ctx(), quote_id)
    return quote_id


def confirmed_order(app: Comptoir, customer_id: UUID) -> UUID:
    lines = [
        OrderLine("1", "Vitrine réfrigérée", D(2), D("4500.00"), D(20), "piece", "VIT-2"),
        OrderLine("2", "Installation", D(3), D("650.00"), D(20), "day"),
    ]
    order_id = app.orders.create(
        ctx(), customer_id=customer_id, currency="EUR", lines=lines
    ).aggregate_id
    app.orders.confirm(ctx(actor="maud"), order_id)
    app.orders.record_delivery(ctx(), order_id, {"1": D(1), "2": D(3)})
    return order_id


def issued_invoice(app: Comptoir, customer_id: UUID, issue_date: date = date(2026, 10, 30)) -> UUID:
    lines = (
        InvoiceLine(
            "", "Audit de sécurité", D(3), "DAY", D("1234.56"), VatCategory.STANDARD, D(20)
        ),
        InvoiceLine("", "Documentation", D(2), "C62", D("45.00"), VatCategory.STANDARD, D("5.5")),
        InvoiceLine(
            "",
            "Formation professionnelle",
            D(1),
            "DAY",
            D("900.00"),
            VatCategory.EXEMPT,
            D(0),
            exemption_reason="Exonération de TVA, article 261-4-4° du CGI",
        ),
    )
    return invoice_with(app, customer_id, lines, issue_date)


def invoice_with(
    app: Comptoir, customer_id: UUID, lines: Iterable[InvoiceLine], issue_date: date
) -> UUID:
    """An invoice of `lines` issued on `issue_date`: net 30 days, the order PO-118."""
    details = InvoiceDetails(
        OperationCategory.BOTH,
        payment_terms=PaymentTerms(TermsKind.NET, 30),
        order_reference="PO-118",
        early_payment_discount=None,
    )
    invoice_id = app.invoices.draft(
        ctx(actor="carla"), customer_id=customer_id, details=details
    ).aggregate_id
    for line in lines:
        app.invoices.add_line(ctx(actor="carla"), invoice_id, line)
    app.invoices.issue(ctx(actor="carla"), invoice_id, issue_date=issue_date)
    return invoice_id


def credit_note(app: Comptoir, invoice_id: UUID) -> UUID:
    result = app.invoices.credit(
        ctx(actor="carla"),
        invoice_id,
        request=CreditRequest(amount=D("100.00")),
        issue_date=date(2026, 10, 31),
    )
    return result.aggregate_id


def pdf_text(data: bytes) -> list[str]:
    """The text of each page, with the no-break spaces French formats use made plain."""
    reader = PdfReader(io.BytesIO(data))
    return [
        (page.extract_text() or "").replace("\u202f", " ").replace("\u00a0", " ")
        for page in reader.pages
    ]
