"""The credit check's outstanding amount (O2, I5): per currency, from the customer's
invoices (credit notes and payments deducted) plus its orders as before, on SQLite and
Postgres. The book is `receivables_support`'s, worked out by hand."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest

from application.app import Comptoir
from application.outstanding import (
    OrdersByCustomer,
    Outstanding,
    billed_per_order,
    owed_on_order,
)
from domain.errors import CreditLimitExceeded
from domain.invoice_source import InvoiceSource, SourceKind
from domain.order import OrderLine, OrderStatus
from interfaces.settings import Settings
from tests.integration.receivables_support import TODAY, D, book, ctx, customer, paid

# Martin: INV-1 500.00 + INV-2 960.00 + INV-4 240.00 due (the draft and the credit
# note ask nothing); Dupont: INV-3 360.00 USD.
MARTIN_EUR = D("1700.00")


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    yield app
    app.close()


def order(app: Comptoir, customer_id: UUID, net: str, currency: str = "EUR") -> UUID:
    """A draft order of one line at `net` + 20 % VAT."""
    lines = [OrderLine("L1", "Oven part", D(1), D(net), D(20))]
    created = app.orders.create(ctx(), customer_id=customer_id, currency=currency, lines=lines)
    return created.aggregate_id


def test_the_outstanding_amount_is_what_issued_invoices_still_ask_per_currency(
    app: Comptoir,
) -> None:
    b = book(app)
    outstanding = Outstanding(app.runner)
    assert outstanding(b.martin, "EUR") == MARTIN_EUR
    assert outstanding(b.martin, "USD") == 0
    assert outstanding(b.dupont, "USD") == D("360.00")
    assert outstanding(customer(app, "Nobody"), "EUR") == 0


def test_confirmed_orders_count_in_their_own_currency_and_an_invoiced_one_once(
    app: Comptoir,
) -> None:
    b = book(app)
    outstanding = Outstanding(app.runner)
    assert outstanding(b.martin, "EUR") == MARTIN_EUR  # reads the log's orders once: none
    confirmed = order(app, b.martin, "100.00")  # 120.00
    app.orders.confirm(ctx(), confirmed)
    order(app, b.martin, "1000.00")  # a draft owes nothing
    cancelled = order(app, b.martin, "1000.00")
    app.orders.cancel(ctx(reason="changed their mind"), cancelled)
    app.orders.confirm(ctx(), order(app, b.martin, "50.00", "USD"))  # 60.00 USD
    # the new orders are found by reading only what the log recorded since the last call
    assert outstanding(b.martin, "EUR") == MARTIN_EUR + D("120.00")
    assert outstanding(b.martin, "USD") == D("60.00")
    assert len(outstanding.orders_of(b.martin)) == 4
    # invoicing the whole order moves its 120.00 from the order to an invoice: once
    app.orders.invoice(ctx(), confirmed, {"L1": D(1)})
    assert outstanding(b.martin, "EUR") == MARTIN_EUR + D("120.00")


def test_the_orders_of_a_customer_are_read_incrementally_from_the_log(app: Comptoir) -> None:
    martin, dupont = customer(app, "Martin SA"), customer(app, "Dupont")
    orders_of = OrdersByCustomer(app.runner)
    assert orders_of(martin) == []
    first, second = order(app, martin, "10.00"), order(app, dupont, "10.00")
    assert orders_of(martin) == [first]
    third = order(app, martin, "10.00")
    assert (orders_of(martin), orders_of(dupont)) == ([first, third], [second])


def test_confirmation_checks_the_outstanding_amount_in_the_orders_currency(
    app: Comptoir,
) -> None:
    b = book(app)
    app.customers.set_credit_limit(ctx(actor="maud"), b.martin, D("2200.00"))
    fits = order(app, b.martin, "400.00")  # 480.00: 1700.00 + 480.00 = 2180.00 ≤ 2200.00
    app.orders.confirm(ctx(), fits)
    assert app.orders.get(fits).status == OrderStatus.CONFIRMED
    checked: Any = app.history(fits)[-1].event
    assert (checked.outstanding, checked.credit_limit) == (MARTIN_EUR, D("2200.00"))
    # Martin's dollar orders start from what Martin owes in dollars only
    dollars = order(app, b.martin, "1500.00", "USD")  # 1800.00 USD
    app.orders.confirm(ctx(), dollars)
    assert app.history(dollars)[-1].event.outstanding == 0  # type: ignore[attr-defined]
    over = order(app, b.martin, "20.00")  # 24.00: 2180.00 + 24.00 > 2200.00
    before = app.log_position()
    with pytest.raises(CreditLimitExceeded):
        app.orders.confirm(ctx(), over)
    assert app.log_position() == before


def test_paying_an_invoice_makes_room_under_the_credit_limit(app: Comptoir) -> None:
    b = book(app)
    app.customers.set_credit_limit(ctx(actor="maud"), b.martin, D("2000.00"))
    big = order(app, b.martin, "500.00")  # 600.00: 1700.00 + 600.00 > 2000.00
    with pytest.raises(CreditLimitExceeded):
        app.orders.confirm(ctx(), big)
    paid(app, b.martin, b.second, "960.00", TODAY)  # INV-2 settled: 740.00 left
    app.orders.confirm(ctx(), big)
    assert app.history(big)[-1].event.outstanding == D("740.00")  # type: ignore[attr-defined]


def test_an_order_billed_by_invoice_documents_is_not_counted_twice(app: Comptoir) -> None:
    b = book(app)
    order_id = order(app, b.martin, "1000.00")  # 1200.00
    app.orders.confirm(ctx(), order_id)
    # copies loaded for the test, stating what they bill (never saved)
    second = app.invoices.get(b.second)  # 1200.00 less 240.00 credited
    fourth = app.invoices.get(b.fourth)  # 240.00
    second.source = InvoiceSource(SourceKind.ORDER, order_id)
    fourth.source = InvoiceSource(SourceKind.CONTRACT_PERIOD, order_id)
    draft = app.invoices.get(b.draft)
    draft.source = InvoiceSource(SourceKind.ORDER, order_id)
    assert billed_per_order([second, fourth, draft]) == {order_id: D("960.00")}
    # the order then counts 1200.00 less the 960.00 its invoice asks for (counted there)
    confirmed = app.orders.get(order_id)
    assert owed_on_order(confirmed, D("960.00")) == D("240.00")
    assert owed_on_order(confirmed, D("1300.00")) == 0
