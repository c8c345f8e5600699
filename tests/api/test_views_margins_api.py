"""The margins view (issue 17, P4, Q8): quote and order lines by product and by family,
with net, cost, margin and rate; a line's own cost, else its product's on the document's
day; lines without a cost named apart; days, as_of and export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.api.support import log_position
from tests.api.test_order_products_api import new_order, reseller
from tests.conftest import FrozenClock


def margins(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/views/margins", params={"min_position": log_position(client), **params})
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def figures(rows: list[dict[str, Any]], key: str) -> list[tuple[Any, ...]]:
    return [
        (
            r[key],
            r["lines"],
            r["net"],
            r["cost"],
            r["margin"],
            r["margin_rate"],
            r["uncosted_lines"],
        )
        for r in rows
    ]


def converted_quote(client: TestClient, customer: str) -> str:
    quote = client.post("/quotes", json={"currency": "EUR", "customer_id": customer}).json()["id"]
    for body in ({"reference": "CR-200", "quantity": "2"}, {"reference": "INST", "quantity": "3"}):
        assert client.post(f"/quotes/{quote}/product-lines", json=body).status_code == 201
    assert client.post(f"/quotes/{quote}/send").status_code == 200
    assert client.post(f"/quotes/{quote}/accept").status_code == 200
    converted = client.post(f"/quotes/{quote}/convert")
    assert converted.status_code == 201, converted.text
    return str(converted.json()["id"])


def test_margins_per_product_and_family_over_quotes_and_orders(
    client: TestClient, clock: FrozenClock
) -> None:
    customer = reseller(client)
    converted_quote(client, customer)
    # CR-200: 2 × 750 (the resellers' price), cost 2 × 400; INST: 3 × 60 less 10 %, cost 3 × 30
    assert figures(margins(client, by="product", document="order"), "product") == [
        ("CR-200", 1, "1500.00", "800.00", "700.00", "46.67", 0),
        ("INST", 1, "162.00", "90.00", "72.00", "44.44", 0),
    ]
    before_second = datetime.now(UTC)
    typed = new_order(
        client,
        customer,
        # typed by hand, naming the product in hours: its cost is the product's, 2 × 30
        {
            "description": "Installation, evening",
            "quantity": "2",
            "unit": "hour",
            "unit_price": "100",
            "vat_rate": "20",
            "product_ref": "INST",
        },
        {"description": "Delivery", "quantity": "1", "unit_price": "25", "vat_rate": "20"},
    )
    assert typed.status_code == 201, typed.text

    by_product = margins(client, by="product", document="order")
    assert figures(by_product, "product") == [
        ("CR-200", 1, "1500.00", "800.00", "700.00", "46.67", 0),
        ("INST", 2, "362.00", "150.00", "212.00", "58.56", 0),
        (None, 1, "25.00", "0.00", "0.00", None, 1),
    ]
    assert {r["document"] for r in by_product} == {"order"}
    by_family = margins(client, by="family", document="order")
    assert [(r["family"], r["margin"]) for r in by_family] == [
        ("registers", "700.00"),
        ("services", "212.00"),
        (None, "0.00"),
    ]
    quoted = margins(client, by="family", document="quote")
    assert [(r["family"], r["net"], r["margin"]) for r in quoted] == [
        ("registers", "1500.00", "700.00"),
        ("services", "162.00", "72.00"),
    ]
    both = margins(client, by="product", product="inst")
    assert sorted((r["document"], r["net"]) for r in both) == [
        ("order", "362.00"),
        ("quote", "162.00"),
    ]

    then = margins(client, by="product", document="order", as_of=before_second.isoformat())
    assert [(r["product"], r["net"]) for r in then] == [("CR-200", "1500.00"), ("INST", "162.00")]
    tomorrow = (clock.now + timedelta(days=1)).date().isoformat()
    assert margins(client, by="product", **{"from": tomorrow}) == []
    today = clock.now.date().isoformat()
    assert len(margins(client, by="product", document="order", to=today)) == 3
    by_rate = margins(client, by="product", document="order", order_by="margin_rate")
    assert [r["product"] for r in by_rate] == ["INST", "CR-200", None]


def test_cancelled_orders_are_left_out_unless_asked_for(client: TestClient) -> None:
    customer = reseller(client)
    made = new_order(client, customer, {"product": "CR-200", "quantity": "1"})
    assert made.status_code == 201, made.text
    order_id = made.json()["id"]
    cancelled = client.post(f"/orders/{order_id}/cancel", json={"reason": "customer left"})
    assert cancelled.status_code == 200, cancelled.text
    assert margins(client, by="product") == []
    [row] = margins(client, by="product", status="cancelled")
    assert (row["product"], row["net"], row["margin"]) == ("CR-200", "750.00", "350.00")


def test_the_margins_export_as_csv_with_the_views_filters(client: TestClient) -> None:
    customer = reseller(client)
    converted_quote(client, customer)
    response = client.get(
        "/views/margins/export",
        params={"by": "family", "document": "order", "min_position": log_position(client)},
    )
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["family"], r["margin"], r["margin_rate"]) for r in rows] == [
        ("registers", "700.00", "46.67"),
        ("services", "72.00", "44.44"),
    ]
    assert client.get("/views/margins", params={"by": "colour"}).status_code == 422
    by_default = client.get("/views/margins", params={"document": "order"})
    assert [r["product"] for r in by_default.json()["items"]] == ["CR-200", "INST"]
