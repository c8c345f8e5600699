"""Payments on the real SQLite and Postgres stores: one command records the payment and
its part on each invoice it settles; the seller is stated on every issued invoice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from application.app import Comptoir
from application.journal import CommandContext
from application.payments import RecordPayment
from domain.errors import (
    NotFound,
    NotPayable,
    PaymentAboveDue,
    PaymentDateInFuture,
    SellerNotEstablished,
)
from domain.invoice import InvoiceStatus, PaymentStatus
from domain.invoice_credit import CreditRequest
from domain.invoice_lines import InvoiceLine, VatCategory
from domain.invoice_terms import InvoiceDetails, OperationCategory, PaymentTerms, TermsKind
from domain.payment import PaymentMeans
from interfaces.settings import Settings
from tests.integration.company_support import establish_company

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
TODAY = AT.date()
D = Decimal


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    yield app
    app.close()


def ctx(**kwargs: Any) -> CommandContext:
    kwargs.setdefault("actor", "carla")
    kwargs.setdefault("at", AT)
    return CommandContext(**kwargs)


def customer(app: Comptoir) -> UUID:
    return app.customers.register(ctx(), name="Martin SA").aggregate_id


def invoice(app: Comptoir, customer_id: UUID, price: str, on: date, days: int = 30) -> UUID:
    """An invoice of one line at `price` + 20 % VAT, issued on `on`, due `days` later."""
    details = InvoiceDetails(
        operation=OperationCategory.SERVICES, payment_terms=PaymentTerms(TermsKind.NET, days)
    )
    invoice_id = app.invoices.draft(ctx(), customer_id=customer_id, details=details).aggregate_id
    line = InvoiceLine("", "Audit", D(1), "day", D(price), VatCategory.STANDARD, D(20))
    app.invoices.add_line(ctx(), invoice_id, line)
    app.invoices.issue(ctx(), invoice_id, issue_date=on)
    return invoice_id


def payment(customer_id: UUID, amount: str, **kwargs: Any) -> RecordPayment:
    kwargs.setdefault("value_date", TODAY)
    kwargs.setdefault("means", PaymentMeans.TRANSFER)
    return RecordPayment(customer_id, amount=D(amount), **kwargs)


def test_issuing_without_the_company_established_is_refused(app: Comptoir) -> None:
    customer_id = customer(app)
    details = InvoiceDetails(operation=OperationCategory.GOODS)
    invoice_id = app.invoices.draft(ctx(), customer_id=customer_id, details=details).aggregate_id
    line = InvoiceLine("", "Box", D(1), "C62", D(10), VatCategory.STANDARD, D(20))
    app.invoices.add_line(ctx(), invoice_id, line)
    with pytest.raises(SellerNotEstablished):
        app.invoices.issue(ctx(), invoice_id, issue_date=TODAY)
    establish_company(app, effective_on=date(2026, 11, 1))
    with pytest.raises(SellerNotEstablished):  # the settings take effect after that day
        app.invoices.issue(ctx(), invoice_id, issue_date=date(2026, 10, 31))
    app.invoices.issue(ctx(), invoice_id, issue_date=TODAY)
    issued = app.invoices.get(invoice_id)
    assert issued.status == InvoiceStatus.ISSUED
    assert issued.seller is not None
    assert issued.seller.details.legal_name == "Comptoir Lyonnais SAS"
    assert issued.seller.details.siren == "732829320"
    assert issued.seller.details.iban == "FR1420041010050500013M02606"


def test_a_payment_settles_the_oldest_invoices_first_in_one_command(app: Comptoir) -> None:
    establish_company(app)
    customer_id = customer(app)
    older = invoice(app, customer_id, "500.00", date(2026, 9, 1))  # 600.00, due 1 October
    newer = invoice(app, customer_id, "1000.00", date(2026, 10, 1))  # 1200.00
    recorded = app.payments.record(ctx(), payment(customer_id, "1000.00", reference="VIR 1"))
    assert recorded.result == {
        "allocations": {"INV-2026-00001": "600.00", "INV-2026-00002": "400.00"}
    }
    settled = app.payments.get(recorded.aggregate_id)
    assert [(a.invoice_id, a.amount) for a in settled.allocations] == [
        (older, D("600.00")),
        (newer, D("400.00")),
    ]
    first, second = app.invoices.get(older), app.invoices.get(newer)
    assert (first.payment_status, first.amount_due) == (PaymentStatus.PAID, D(0))
    assert (second.payment_status, second.amount_due) == (PaymentStatus.PARTLY_PAID, D(800))
    assert second.payments == {str(recorded.aggregate_id): D("400.00")}
    history = [e.type for e in app.history(newer)]
    assert history[-1] == "Invoice.PaymentRecorded"


def test_an_overpayment_or_a_future_date_records_nothing(app: Comptoir) -> None:
    establish_company(app)
    customer_id = customer(app)
    invoice_id = invoice(app, customer_id, "100.00", date(2026, 10, 1))  # 120.00
    other = customer(app)
    position = app.log_position()
    with pytest.raises(PaymentAboveDue):
        app.payments.record(ctx(), payment(customer_id, "120.01"))
    with pytest.raises(PaymentAboveDue):
        app.payments.record(ctx(), payment(customer_id, "50", allocations={invoice_id: D(121)}))
    with pytest.raises(PaymentDateInFuture):
        app.payments.record(ctx(), payment(customer_id, "10", value_date=date(2026, 11, 3)))
    with pytest.raises(NotPayable):
        app.payments.record(ctx(), payment(other, "10", allocations={invoice_id: D(10)}))
    assert app.log_position() == position
    assert app.invoices.get(invoice_id).amount_paid == 0


def test_credit_notes_and_earlier_payments_reduce_what_is_left_to_pay(app: Comptoir) -> None:
    establish_company(app)
    customer_id = customer(app)
    invoice_id = invoice(app, customer_id, "1000.00", date(2026, 10, 1))  # 1200.00
    app.invoices.credit(ctx(), invoice_id, request=CreditRequest(amount=D(200)), issue_date=TODAY)
    app.payments.record(ctx(), payment(customer_id, "300", allocations={invoice_id: D(300)}))
    assert app.invoices.get(invoice_id).amount_due == D("700.00")
    with pytest.raises(PaymentAboveDue):
        app.payments.record(ctx(), payment(customer_id, "700.01"))
    app.payments.record(ctx(), payment(customer_id, "700.00", means=PaymentMeans.CHEQUE))
    assert app.invoices.get(invoice_id).payment_status == PaymentStatus.PAID


def test_a_retried_payment_is_recorded_once(app: Comptoir) -> None:
    establish_company(app)
    customer_id = customer(app)
    invoice_id = invoice(app, customer_id, "100.00", date(2026, 10, 1))
    first = app.payments.record(ctx(idempotency_key="pay-1"), payment(customer_id, "60"))
    again = app.payments.record(ctx(idempotency_key="pay-1"), payment(customer_id, "60"))
    assert again.replayed
    assert again.aggregate_id == first.aggregate_id
    assert app.invoices.get(invoice_id).amount_paid == D(60)


def test_an_unknown_invoice_is_not_found(app: Comptoir) -> None:
    establish_company(app)
    customer_id = customer(app)
    with pytest.raises(NotFound):
        app.payments.record(ctx(), payment(customer_id, "10", allocations={uuid4(): D(10)}))
