"""The `orders` view and an order's lines through HTTP (V8, V9)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from application.app import Comptoir
from application.journal import CommandContext
from application.order_documents import credit_request_of, document_of, payment_of
from domain.order import ChangeLine, OrderLine
from tests.api.invoicing_support import establish_company
from tests.api.support import assert_problem

D = Decimal
AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def comptoir(client: TestClient) -> Comptoir:
    app: Comptoir = client.app.state.services.app  # type: ignore[attr-defined]
    return app


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


def order(app: Comptoir, customer_id: UUID, quantity: str, price: str = "12.50") -> UUID:
    lines = [OrderLine("L1", "Oven part", D(quantity), D(price), D("20"))]
    order_id = app.orders.create(
        ctx(), customer_id=customer_id, currency="EUR", lines=lines
    ).aggregate_id
    app.orders.confirm(ctx(), order_id)
    return order_id


def orders(client: TestClient, **params: Any) -> dict[str, Any]:
    params.setdefault("min_position", comptoir(client).log_position())
    response = client.get("/views/orders", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_orders_view_gives_amounts_quantities_and_statuses(client: TestClient) -> None:
    establish_company(client)
    app = comptoir(client)
    martin = app.customers.register(ctx(), name="Martin", status="customer").aggregate_id
    order_id = order(app, martin, "10")
    app.orders.amend(ctx("two more"), order_id, [ChangeLine("L1", quantity=D(12))])
    app.orders.record_delivery(ctx(), order_id, {"L1": D(7)})
    invoice = app.orders.invoice(ctx(), order_id, {"L1": D(7)}).result["invoice_number"]
    credit(app, order_id, invoice, {"L1": D(1)})
    pay(app, order_id, invoice, D("50.00"))
    body = orders(client)
    assert body["total"] == 1
    row = body["items"][0]
    assert row["order_id"] == str(order_id)
    assert (row["ordered_net"], row["ordered_gross"]) == ("150.00", "180.00")
    assert (row["invoiced_net"], row["invoiced_gross"]) == ("87.50", "105.00")
    assert (row["credited_gross"], row["paid"], row["outstanding"]) == ("15.00", "50.00", "40.00")
    assert (row["delivery_status"], row["invoicing_status"], row["payment_status"]) == (
        "partial",
        "partial",
        "partial",
    )
    assert Decimal(row["qty_backordered"]) == 5
    assert row["amendments"] == 1
    assert row["created_at"] == "2026-11-02T09:30:00+00:00"
    lines = client.get(f"/views/orders/{order_id}/lines").json()
    assert lines["total"] == 1
    line = lines["items"][0]
    assert [Decimal(line[k]) for k in ("ordered", "delivered", "invoiced", "backorder")] == [
        12,
        7,
        7,
        5,
    ]
    assert line["net_amount"] == "150.00"


def test_filters_sorting_and_pagination(client: TestClient) -> None:
    app = comptoir(client)
    martin = app.customers.register(ctx(), name="Martin", status="customer").aggregate_id
    dupont = app.customers.register(ctx(), name="Dupont", status="customer").aggregate_id
    small = order(app, martin, "1")  # 15.00 incl. tax
    large = order(app, martin, "10")  # 150.00
    middle = order(app, dupont, "4")  # 60.00
    app.orders.record_delivery(ctx(), middle, {"L1": D(4)})
    assert orders(client, customer_id=str(martin))["total"] == 2
    assert [r["order_id"] for r in orders(client, delivery_status="full")["items"]] == [str(middle)]
    assert orders(client, payment_status="paid")["total"] == 0
    assert orders(client, status="confirmed")["total"] == 2
    by_amount = orders(client, order_by="ordered_gross", descending="true")["items"]
    assert [r["order_id"] for r in by_amount] == [str(large), str(middle), str(small)]
    second = orders(client, order_by="ordered_gross", limit=1, offset=1)
    assert (second["total"], [r["order_id"] for r in second["items"]]) == (3, [str(middle)])
    bad = client.get("/views/orders", params={"order_by": "order_id; DROP TABLE orders"})
    assert bad.status_code == 422
    assert client.get("/views/orders", params={"delivery_status": "half"}).status_code == 422


def test_the_view_as_of_a_past_time_and_read_your_writes(client: TestClient) -> None:
    app = comptoir(client)
    martin = app.customers.register(ctx(), name="Martin", status="customer").aggregate_id
    order_id = order(app, martin, "10")
    before_delivery = datetime.now(UTC)
    delivered = app.orders.record_delivery(ctx(), order_id, {"L1": D(10)})
    now = orders(client, min_position=delivered.position)["items"][0]
    assert now["delivery_status"] == "full"
    then = orders(client, as_of=before_delivery.isoformat())["items"]
    assert [(r["status"], r["delivery_status"]) for r in then] == [("confirmed", "none")]
    assert "valid_from" not in then[0]
    assert orders(client, as_of="2000-01-01T00:00:00Z")["total"] == 0
    assert_problem(
        client.get("/views/orders", params={"min_position": 10**9}), 422, "position-not-recorded"
    )


def test_reading_orders_needs_a_key(client: TestClient) -> None:
    response = client.get("/views/orders", headers={"X-API-Key": ""})
    assert response.status_code == 401
