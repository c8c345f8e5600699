"""Non-conformities (O7): goods returned on orders with what was wrong, why and what is
done, by customer, order, product and day; as they stood at a time (V9); exported (V10)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from application.app import Comptoir
from application.journal import CommandContext
from domain.order import NonConformity, OrderLine

D = Decimal
AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def comptoir(client: TestClient) -> Comptoir:
    app: Comptoir = client.app.state.services.app  # type: ignore[attr-defined]
    return app


def ctx(at: datetime = AT) -> CommandContext:
    return CommandContext(actor="alice", at=at, reason="test")


def returned(client: TestClient, **params: Any) -> dict[str, Any]:
    params.setdefault("min_position", comptoir(client).log_position())
    response = client.get("/views/non-conformities", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def records(client: TestClient, **params: Any) -> list[tuple[str, str, str]]:
    """(return, line, quantity) of each row, in the answer's order."""
    rows = returned(client, **params)["items"]
    return [(r["return_id"], r["line_id"], r["quantity"]) for r in rows]


def delivered_order(app: Comptoir, customer: UUID) -> UUID:
    lines = [
        OrderLine("L1", "Widget", D(10), D("12.50"), D(20), product_ref="W-1"),
        OrderLine("L2", "Cable", D(5), D("4.00"), D(20), product_ref="C-9", unit="m"),
    ]
    order = app.orders.create(ctx(), customer_id=customer, currency="EUR", lines=lines)
    app.orders.confirm(ctx(), order.aggregate_id)
    app.orders.record_delivery(ctx(), order.aggregate_id, {"L1": D(10), "L2": D(5)})
    return order.aggregate_id


def test_each_returned_line_carries_its_non_conformity_record(client: TestClient) -> None:
    app = comptoir(client)
    martin = app.customers.register(ctx(), name="Martin", status="customer").aggregate_id
    order = delivered_order(app, martin)
    scratched = NonConformity("scratched", cause="transport", action="replace")
    app.orders.record_return(ctx(), order, {"L1": D(2)}, scratched)
    app.orders.record_return(
        ctx(AT + timedelta(days=3)), order, {"L1": D(1), "L2": D("1.5")}, NonConformity("bent")
    )
    assert records(client) == [("R2", "L1", "1"), ("R2", "L2", "1.5"), ("R1", "L1", "2")]
    first = returned(client, descending=False)["items"][0]
    assert first == {
        "order_id": str(order),
        "return_id": "R1",
        "line_id": "L1",
        "customer_id": str(martin),
        "affair_id": None,
        "product_ref": "W-1",
        "product_description": "Widget",
        "unit": first["unit"],
        "quantity": "2",
        "returned_at": "2026-11-02T09:30:00+00:00",
        "description": "scratched",
        "cause": "transport",
        "action": "replace",
        "position": first["position"],
    }
    assert returned(client, product_ref="C-9")["items"][0]["unit"] == "m"


def test_non_conformities_are_selected_by_customer_order_product_and_day(
    client: TestClient,
) -> None:
    app = comptoir(client)
    martin = app.customers.register(ctx(), name="Martin", status="customer").aggregate_id
    dupont = app.customers.register(ctx(), name="Dupont", status="customer").aggregate_id
    ours, theirs = delivered_order(app, martin), delivered_order(app, dupont)
    app.orders.record_return(ctx(), ours, {"L1": D(1)}, NonConformity("dented"))
    later = ctx(AT + timedelta(days=3))
    app.orders.record_return(later, theirs, {"L2": D(2)}, NonConformity("too short"))
    assert records(client, customer_id=str(dupont)) == [("R1", "L2", "2")]
    assert records(client, order_id=str(ours)) == [("R1", "L1", "1")]
    assert records(client, product_ref="W-1") == [("R1", "L1", "1")]
    assert records(client, returned_from="2026-11-03") == [("R1", "L2", "2")]
    assert records(client, returned_to="2026-11-02") == [("R1", "L1", "1")]
    assert records(client, returned_from="2026-11-02", returned_to="2026-11-05") == [
        ("R1", "L2", "2"),
        ("R1", "L1", "1"),
    ]
    by_quantity = returned(client, order_by="quantity", descending=False)["items"]
    assert [r["quantity"] for r in by_quantity] == ["1", "2"]


def test_non_conformities_read_as_they_stood(client: TestClient) -> None:
    app = comptoir(client)
    martin = app.customers.register(ctx(), name="Martin", status="customer").aggregate_id
    order = delivered_order(app, martin)
    app.orders.record_return(ctx(), order, {"L1": D(1)}, NonConformity("dented"))
    returned(client)
    then = datetime.now(UTC).isoformat()
    app.orders.record_return(ctx(), order, {"L2": D(1)}, NonConformity("cut"))
    assert returned(client)["total"] == 2
    assert records(client, as_of=then) == [("R1", "L1", "1")]


def test_non_conformities_are_exported_to_a_worksheet(client: TestClient) -> None:
    app = comptoir(client)
    martin = app.customers.register(ctx(), name="Martin", status="customer").aggregate_id
    order = delivered_order(app, martin)
    app.orders.record_return(ctx(), order, {"L1": D(1)}, NonConformity("=HYPERLINK(1)"))
    params = {"min_position": app.log_position(), "format": "xlsx"}
    response = client.get("/views/non-conformities/export", params=params)
    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    header, row = [list(r) for r in sheet.iter_rows(values_only=True)]
    record = dict(zip(header, row, strict=True))
    assert (record["product_ref"], record["description"]) == ("W-1", "=HYPERLINK(1)")
    assert sheet.cell(2, header.index("description") + 1).data_type == "s"  # text, no formula
    openapi = client.get("/openapi.json").json()["paths"]
    listed = {p["name"] for p in openapi["/views/non-conformities"]["get"]["parameters"]}
    exported = {p["name"] for p in openapi["/views/non-conformities/export"]["get"]["parameters"]}
    assert exported == (listed - {"limit", "offset"}) | {"format"}
