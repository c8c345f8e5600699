"""An order's invoices as documents of their own, on SQLite and Postgres: the document's
content, deposits deducted by the final invoice, a credit note on the document followed
up on the order, and the order's revenue on its affair (A5), counted once under retries."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from application.app import Comptoir
from application.journal import CommandContext
from application.order_documents import InvoiceTerms
from domain.errors import DateOutsideAffairPeriod
from domain.invoice_credit import CreditRequest
from domain.invoice_terms import OperationCategory, PaymentTerms, TermsKind
from domain.order import OrderLine
from interfaces.settings import Settings
from tests.integration.company_support import establish_company

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
DAY = date(2026, 11, 2)
D = Decimal


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    establish_company(app)
    yield app
    app.close()


def ctx(**kwargs: Any) -> CommandContext:
    kwargs.setdefault("actor", "alice")
    kwargs.setdefault("at", AT)
    return CommandContext(**kwargs)


def confirmed(app: Comptoir, affair_id: UUID | None = None) -> UUID:
    """Oven 2 × 1,000.00 (pieces) and installation 8 h × 50.00, both at 20 %, 5 % off:
    2,400.00 × 0.95 = 2,280.00 net, 456.00 VAT, 2,736.00 incl. tax."""
    customer_id = app.customers.register(ctx(), name="Martin SA").aggregate_id
    lines = [
        OrderLine("L1", "Oven", D(2), D("1000.00"), D(20), unit="pieces"),
        OrderLine("L2", "Installation", D(8), D("50.00"), D(20), unit="hour"),
    ]
    order_id = app.orders.create(
        ctx(), customer_id=customer_id, currency="EUR", lines=lines, discounts=[D(5)]
    ).aggregate_id
    if affair_id is not None:
        app.orders.assign_to_affair(ctx(), order_id, affair_id)
    app.orders.confirm(ctx(), order_id)
    return order_id


def affair(app: Comptoir, policy: str = "informative", end: date | None = None) -> UUID:
    opened = app.affairs.open(
        ctx(),
        name="Bakery refit",
        salesperson="alice",
        currency="EUR",
        expected_amount=D(5000),
        sale_type="product",
        prospect="Martin SA",
        start=date(2026, 1, 1),
        end=end,
        alert_policy=policy,
    )
    return opened.aggregate_id


def test_an_order_invoice_is_a_document_with_the_order_lines_and_the_stated_terms(
    app: Comptoir,
) -> None:
    order_id = confirmed(app)
    terms = InvoiceTerms(DAY, PaymentTerms(TermsKind.NET, 30), "PO-118")
    invoiced = app.orders.invoice(ctx(), order_id, {"L1": D(1), "L2": D(8)}, terms)
    document = app.invoices.get(UUID(invoiced.result["invoice_id"]))
    assert (document.number, document.issue_date) == ("INV-2026-00001", DAY)
    assert document.source is not None
    assert document.source.document_id == order_id
    one, two = document.lines.values()
    assert (one.description, one.quantity, one.unit, one.vat_category) == (
        "Oven",
        D(1),
        "H87",
        "S",
    )
    assert (two.unit, two.unit_price, two.vat_rate) == ("HUR", D("50.00"), D(20))
    details = document.details
    assert (details.operation, details.order_reference) == (OperationCategory.BOTH, "PO-118")
    assert document.due_date == date(2026, 12, 2)
    # 1,400.00 × 0.95 = 1,330.00 net, 266.00 VAT: what the order records too
    assert document.totals().gross == D("1596.00")
    order = app.orders.get(order_id)
    assert order.invoices["INV-2026-00001"].amounts.gross == D("1596.00")
    assert order.documents["INV-2026-00001"].invoice_id == document.id


def test_a_final_invoice_deducts_the_deposit_invoice_and_a_credit_note_reopens_lines(
    app: Comptoir,
) -> None:
    order_id = confirmed(app)
    deposit = app.orders.deposit_invoice(ctx(), order_id, percent=D(10), terms=InvoiceTerms(DAY))
    deposit_doc = app.invoices.get(UUID(deposit.result["invoice_id"]))
    # 10 % of 2,736.00 = 273.60: one line of 228.00 at 20 %
    assert [(line.unit_price, line.vat_rate) for line in deposit_doc.lines.values()] == [
        (D("228.00"), D(20))
    ]
    assert deposit_doc.totals().gross == D("273.60")
    final = app.orders.invoice(ctx(), order_id, {"L1": D(2), "L2": D(8)})
    document = app.invoices.get(UUID(final.result["invoice_id"]))
    [deduction] = document.details.deposits
    assert (deduction.number, deduction.amount) == ("INV-2026-00001", D("273.60"))
    assert deduction.invoice_id == deposit_doc.id
    assert (document.prepaid, document.amount_due) == (D("273.60"), D("2462.40"))

    request = CreditRequest(quantities={"2": D(2)})  # two hours of installation
    credit = app.invoices.credit(ctx(), document.id, request=request, issue_date=DAY)
    assert credit.result["number"] == "CN-2026-00001"
    order = app.orders.get(order_id)
    assert (order.net_invoiced("L2"), order.invoiceable("L2")) == (D(6), D(2))
    # 2 × 50.00 × 0.95 = 95.00 net, 114.00 incl. tax off what is due
    assert order.credit_notes["CN-2026-00001"].amounts.gross == D("114.00")
    assert app.invoices.get(document.id).amount_due == D("2348.40")
    assert order.to_pay(document.number or "") == D("2348.40")


def test_the_order_revenue_follows_the_affair_once_under_a_retried_command(
    app: Comptoir,
) -> None:
    affair_id = affair(app)
    order_id = confirmed(app, affair_id)
    revenue = app.affairs.get(affair_id).revenue
    assert (revenue["ordered"], revenue["invoiced"]) == (D("2280.00"), D("0.00"))
    for _ in range(2):  # the same command delivered twice
        app.orders.invoice(ctx(idempotency_key="inv-1"), order_id, {"L1": D(1)})
    # 1,000.00 × 0.95 = 950.00 net invoiced, once
    assert app.affairs.get(affair_id).revenue["invoiced"] == D("950.00")
    document = app.orders.get(order_id).documents["INV-2026-00001"]
    for _ in range(2):
        app.invoices.credit(
            ctx(idempotency_key="cn-1"),
            document.invoice_id,
            request=CreditRequest(amount=D("114.00")),
            issue_date=DAY,
        )
    # 114.00 incl. tax is 95.00 net: taken off once
    assert app.affairs.get(affair_id).revenue["invoiced"] == D("855.00")


def test_assigning_a_confirmed_order_to_an_affair_past_its_period_is_refused_when_blocking(
    app: Comptoir,
) -> None:
    closed = affair(app, "blocking", end=date(2026, 6, 30))
    order_id = confirmed(app)
    with pytest.raises(DateOutsideAffairPeriod):
        app.orders.assign_to_affair(ctx(), order_id, closed)
    assert app.orders.get(order_id).affair_id is None
    assert app.affairs.get(closed).revenue["ordered"] == D("0.00")
