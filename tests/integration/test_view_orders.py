"""The `orders` and `order_lines` views (V8) against amounts computed by hand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from adapters.duckdb_store import DuckStore
from application.app import Comptoir
from application.journal import CommandContext
from application.order_documents import credit_request_of, document_of, payment_of
from domain.order import ChangeLine, NonConformity, OrderLine, RemoveLine
from interfaces.settings import Settings
from projections.orders import orders_source
from projections.runner import ProjectionRunner
from tests.integration.company_support import establish_company

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
D = Decimal


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    establish_company(app)
    yield app
    app.close()


def ctx(reason: str | None = None) -> CommandContext:
    return CommandContext(actor="alice", at=AT, reason=reason)


def credit(app: Comptoir, order_id: UUID, number: str, quantities: dict[str, Decimal]) -> None:
    """A credit note of quantities per order line on the order's invoice document."""
    order = app.orders.get(order_id)
    invoice_id = document_of(order, number)
    assert invoice_id is not None
    request = credit_request_of(order, number, quantities, None)
    app.invoices.credit(ctx(), invoice_id, request=request, issue_date=AT.date())


def pay(app: Comptoir, order_id: UUID, number: str, amount: Decimal) -> None:
    """A payment by transfer of the order's invoice document."""
    order = app.orders.get(order_id)
    app.payments.record(ctx(), payment_of(order, number, amount, "transfer", AT.date()))


def customer(app: Comptoir) -> UUID:
    return app.customers.register(ctx(), name="Boulangerie Martin", status="customer").aggregate_id


def confirmed_order(app: Comptoir, customer_id: UUID, lines: list[OrderLine]) -> UUID:
    order_id = app.orders.create(
        ctx(), customer_id=customer_id, currency="EUR", lines=lines
    ).aggregate_id
    app.orders.confirm(ctx(), order_id)
    return order_id


def bread(quantity: str = "10", line_id: str = "L1", price: str = "12.50") -> OrderLine:
    return OrderLine(line_id, "Bread oven part", D(quantity), D(price), D("20"), product_ref="OV-1")


def one(store: DuckStore, sql: str, params: list[Any] | None = None) -> dict[str, Any]:
    cursor = store.reader()
    cursor.execute(sql, params or [])
    names = [d[0] for d in cursor.description or []]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    assert len(rows) == 1, rows
    return rows[0]


def project(app: Comptoir, tmp_path: Path) -> DuckStore:
    store = DuckStore(tmp_path / "v.duckdb")
    ProjectionRunner(app, store.writer()).catch_up()
    return store


def test_an_amended_partly_delivered_invoiced_credited_and_paid_order_adds_up(
    app: Comptoir, tmp_path: Path
) -> None:
    order_id = confirmed_order(app, customer(app), [bread("10")])
    app.orders.amend(ctx("customer wants two more"), order_id, [ChangeLine("L1", quantity=D(12))])
    app.orders.record_delivery(ctx(), order_id, {"L1": D(7)})
    invoice = app.orders.invoice(ctx(), order_id, {"L1": D(7)}).result["invoice_number"]
    credit(app, order_id, invoice, {"L1": D(1)})
    pay(app, order_id, invoice, D("50.00"))
    store = project(app, tmp_path)

    row = one(store, f"SELECT * FROM {orders_source()} WHERE order_id = ?", [str(order_id)])
    # 12 × 12.50 = 150.00 net, VAT 20 % = 30.00, 180.00 incl. tax
    assert (row["ordered_net"], row["ordered_vat"], row["ordered_gross"]) == (
        D("150.00"),
        D("30.00"),
        D("180.00"),
    )
    # 7 delivered and invoiced: 87.50 net, 105.00 incl. tax
    assert (row["delivered_net"], row["delivered_gross"]) == (D("87.50"), D("105.00"))
    assert (row["invoiced_net"], row["invoiced_gross"]) == (D("87.50"), D("105.00"))
    # credit note for 1: 12.50 net, 15.00 incl. tax
    assert (row["credited_net"], row["credited_gross"]) == (D("12.50"), D("15.00"))
    # 105.00 − 15.00 = 90.00 to pay, 50.00 paid, 40.00 still owed
    assert (row["to_pay"], row["paid"], row["outstanding"]) == (D("90.00"), D("50.00"), D("40.00"))
    assert (row["qty_ordered"], row["qty_delivered"], row["qty_backordered"]) == (12, 7, 5)
    assert row["qty_invoiced"] == 6  # 7 invoiced − 1 credited
    assert row["delivery_status"] == "partial"
    assert row["invoicing_status"] == "partial"
    assert row["payment_status"] == "partial"
    assert row["status"] == "partially_invoiced"
    assert row["amendments"] == 1
    assert row["currency"] == "EUR"
    assert row["created_at"] == AT.replace(tzinfo=None)

    line = one(store, "SELECT * FROM order_lines WHERE order_id = ?", [str(order_id)])
    assert line["line_id"] == "L1"
    assert (line["ordered"], line["delivered"], line["returned"]) == (12, 7, 0)
    assert (line["invoiced"], line["credited"], line["qty_net_invoiced"]) == (7, 1, 6)
    assert line["backorder"] == 5
    assert line["net_amount"] == D("150.00")
    store.close()


def test_returns_put_goods_back_on_backorder_and_a_fully_paid_order_is_paid(
    app: Comptoir, tmp_path: Path
) -> None:
    order_id = confirmed_order(
        app, customer(app), [bread("4"), bread("2", "L2", "100.00")]
    )  # 4 × 12.50 + 2 × 100.00 = 250.00 net, 300.00 incl. tax
    app.orders.record_delivery(ctx(), order_id, {"L1": D(4), "L2": D(2)})
    app.orders.record_return(
        ctx(), order_id, {"L2": D(1)}, NonConformity("cracked glass")
    )  # one L2 back: 100.00 net off what is delivered
    invoice = app.orders.invoice(ctx(), order_id, {"L1": D(4), "L2": D(1)}).result[
        "invoice_number"
    ]  # 50.00 + 100.00 = 150.00 net, 180.00 incl. tax
    pay(app, order_id, invoice, D("180.00"))
    store = project(app, tmp_path)

    row = one(store, f"SELECT * FROM {orders_source()} WHERE order_id = ?", [str(order_id)])
    assert (row["delivered_net"], row["delivered_gross"]) == (D("150.00"), D("180.00"))
    assert (row["invoiced_net"], row["invoiced_gross"]) == (D("150.00"), D("180.00"))
    assert (row["qty_ordered"], row["qty_delivered"], row["qty_returned"]) == (6, 5, 1)
    assert row["qty_backordered"] == 1
    assert (row["delivery_status"], row["invoicing_status"]) == ("partial", "partial")
    assert (row["payment_status"], row["outstanding"]) == ("paid", D("0.00"))
    lines = store.reader().execute(
        "SELECT line_id, delivered, returned, qty_net_delivered, backorder FROM order_lines "
        "WHERE order_id = ? ORDER BY line_id",
        [str(order_id)],
    )
    assert lines.fetchall() == [("L1", 4, 0, 4, 0), ("L2", 2, 1, 1, 1)]
    store.close()


def test_a_cancelled_order_stays_in_the_view_with_nothing_delivered_or_owed(
    app: Comptoir, tmp_path: Path
) -> None:
    order_id = confirmed_order(app, customer(app), [bread("3")])
    app.orders.cancel(ctx("customer changed their mind"), order_id)
    store = project(app, tmp_path)
    row = one(store, f"SELECT * FROM {orders_source()} WHERE order_id = ?", [str(order_id)])
    assert row["status"] == "cancelled"
    assert (row["ordered_gross"], row["to_pay"], row["paid"]) == (D("45.00"), 0, 0)
    assert (row["delivery_status"], row["invoicing_status"], row["payment_status"]) == (
        "none",
        "none",
        "none",
    )
    store.close()


def test_a_fully_delivered_and_invoiced_order_is_full_and_removed_lines_leave_the_lines_view(
    app: Comptoir, tmp_path: Path
) -> None:
    order_id = confirmed_order(app, customer(app), [bread("2"), bread("1", "L2")])
    app.orders.amend(ctx("L2 is out of stock"), order_id, [RemoveLine("L2")])
    app.orders.record_delivery(ctx(), order_id, {"L1": D(2)})
    app.orders.invoice(ctx(), order_id, {"L1": D(2)})
    store = project(app, tmp_path)
    row = one(store, f"SELECT * FROM {orders_source()} WHERE order_id = ?", [str(order_id)])
    assert (row["status"], row["delivery_status"], row["invoicing_status"]) == (
        "invoiced",
        "full",
        "full",
    )
    assert (row["ordered_gross"], row["qty_backordered"], row["payment_status"]) == (
        D("30.00"),
        0,
        "none",
    )
    lines = store.reader().execute(
        "SELECT line_id FROM order_lines WHERE order_id = ?", [str(order_id)]
    )
    assert lines.fetchall() == [("L1",)]
    store.close()


def test_the_orders_history_answers_as_of_a_past_time(app: Comptoir, tmp_path: Path) -> None:
    order_id = confirmed_order(app, customer(app), [bread("10")])
    app.orders.record_delivery(ctx(), order_id, {"L1": D(4)})
    after_delivery = datetime.now(UTC)
    invoice = app.orders.invoice(ctx(), order_id, {"L1": D(4)}).result["invoice_number"]
    pay(app, order_id, invoice, D("60.00"))
    store = project(app, tmp_path)

    then = one(
        store,
        "SELECT * FROM orders_history WHERE order_id = ? AND valid_from <= ? "
        "AND (valid_to IS NULL OR valid_to > ?)",
        [str(order_id), after_delivery.replace(tzinfo=None), after_delivery.replace(tzinfo=None)],
    )
    assert (then["status"], then["qty_delivered"], then["invoiced_gross"]) == (
        "partially_delivered",
        4,
        0,
    )
    assert then["payment_status"] == "none"
    now = one(store, f"SELECT * FROM {orders_source()} WHERE order_id = ?", [str(order_id)])
    # 4 × 12.50 = 50.00 net, 60.00 incl. tax, paid in full
    assert (now["invoiced_gross"], now["payment_status"]) == (D("60.00"), "paid")
    states = store.reader().execute(
        "SELECT count(*) FROM orders_history WHERE order_id = ?", [str(order_id)]
    )
    assert states.fetchone() == (4,)  # created, confirmed, delivered, invoiced
    # the payment is the invoice document's: the view as of before it was not paid
    paid = one(store, "SELECT * FROM order_invoices WHERE order_id = ?", [str(order_id)])
    assert (paid["number"], paid["paid"], paid["payment_count"]) == (invoice, D("60.00"), 1)
    before = one(
        store, f"SELECT * FROM {orders_source(after_delivery)} WHERE order_id = ?", [str(order_id)]
    )
    assert (before["paid"], before["payment_status"]) == (D("0.00"), "none")
    store.close()
