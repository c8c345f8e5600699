"""Order lines from the catalogue over HTTP (issue 17, P4): a product and a quantity at
entry or in an amendment, priced for the customer's group on the order's day, kits
expanded, fields given by hand kept and named, repriced past a quantity break; a
converted quote's lines keep their sources."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.support import as_role, assert_problem
from tests.api.test_catalogue_api import PRICES, PRODUCTS, imported, workbook


def reseller(client: TestClient) -> str:
    """The catalogue imported, and a customer of the `resellers` group."""
    manager = as_role(client, "mia", "manager")
    response = imported(client, manager, workbook(("products", PRODUCTS), ("prices", PRICES)))
    assert response.status_code == 200, response.text
    customer: str = client.post("/customers", json={"name": "Revendeur Dupont"}).json()["id"]
    grouped = client.put(
        f"/pricing/groups/{customer}", json={"group": "resellers"}, headers=manager
    )
    assert grouped.status_code == 200, grouped.text
    return customer


def new_order(client: TestClient, customer: str, *lines: dict[str, Any]) -> Any:
    return client.post("/orders", json={"customer_id": customer, "currency": "EUR", "lines": lines})


def lines_of(client: TestClient, order_id: str) -> dict[str, dict[str, Any]]:
    response = client.get(f"/orders/{order_id}")
    assert response.status_code == 200, response.text
    return {line["line_id"]: line for line in response.json()["lines"]}


def test_order_lines_from_products_take_the_group_prices_and_keep_what_was_given_by_hand(
    client: TestClient,
) -> None:
    customer = reseller(client)
    response = new_order(
        client,
        customer,
        {"product": "CR-200", "quantity": "2"},
        {"product": "INST", "quantity": "3", "description": "On-site installation"},
        {"product": "KIT-SHOP", "quantity": "1", "line_id": "K"},
        {"description": "Cable", "quantity": "1", "unit_price": "5.00", "vat_rate": "20"},
    )
    assert response.status_code == 201, response.text
    order_id = response.json()["id"]
    lines = lines_of(client, order_id)
    assert list(lines) == ["L1", "L2", "K", "K.1", "K.2", "L4"]
    register, install = lines["L1"], lines["L2"]
    assert (register["unit_price"], register["unit_cost"], register["unit"]) == (
        "750.00",
        "400.00",  # a unit cost is an amount: its currency's minor unit
        "C62",
    )
    assert (register["product_ref"], register["source"]["overridden"]) == ("CR-200", [])
    assert "RES" in register["source"]["rule"]
    assert install["description"] == "On-site installation"
    assert install["discount"] == {"kind": "percent", "value": "10"}
    assert install["source"]["overridden"] == ["description"]
    kit = [(lines[i]["unit_price"], lines[i]["quantity"]) for i in ("K", "K.1", "K.2")]
    assert kit == [("0.00", "1"), ("750.00", "1"), ("60.00", "3")]
    assert lines["K.1"]["source"]["kit"] == "KIT-SHOP"
    assert lines["L4"]["source"] is None

    assert client.post(f"/orders/{order_id}/confirm").status_code == 200
    amended = client.post(
        f"/orders/{order_id}/amendments",
        json={
            "reason": "ten registers after all, and one more kit part",
            "changes": [
                {"op": "change", "line_id": "L1", "quantity": "10"},
                {"op": "change", "line_id": "L2", "unit_price": "55"},
                {"op": "change", "line_id": "L2", "quantity": "12"},
                {"op": "add", "line": {"line_id": "A", "product": "CR-200", "quantity": "1"}},
            ],
        },
    )
    assert amended.status_code == 201, amended.text
    lines = lines_of(client, order_id)
    assert (lines["L1"]["quantity"], lines["L1"]["unit_price"]) == ("10", "700.00")
    assert "from 10" in lines["L1"]["source"]["rule"]
    # a price given by hand is named and not repriced by a later quantity
    assert (lines["L2"]["quantity"], lines["L2"]["unit_price"]) == ("12", "55.00")
    assert lines["L2"]["source"]["overridden"] == ["description", "unit_price"]
    assert (lines["A"]["unit_price"], lines["A"]["source"]["product_id"]) == (
        "750.00",
        register["source"]["product_id"],
    )
    [amendment] = client.get(f"/orders/{order_id}").json()["amendments"]
    assert [c["op"] for c in amendment["changes"]] == ["reprice", "change", "change", "add"]
    assert amendment["changes"][0]["unit_price"] == "700.00"


def test_lines_from_products_are_refused_by_name(client: TestClient) -> None:
    customer = reseller(client)
    unknown = new_order(client, customer, {"product": "NOPE", "quantity": "1"})
    assert_problem(unknown, 404, "not-found")
    both = new_order(client, customer, {"product": "CR-200", "product_ref": "X", "quantity": "1"})
    assert both.status_code == 422, both.text
    bare = new_order(client, customer, {"quantity": "1", "unit_price": "5", "vat_rate": "20"})
    assert bare.status_code == 422, bare.text
    unit = new_order(client, customer, {"product": "INST", "quantity": "1", "unit": "XBX"})
    assert_problem(unit, 422, "unknown-sale-unit")


def test_a_converted_quote_keeps_its_lines_sources(client: TestClient) -> None:
    customer = reseller(client)
    quote = client.post("/quotes", json={"currency": "EUR", "customer_id": customer}).json()["id"]
    for body in ({"reference": "CR-200", "quantity": "2"}, {"reference": "INST", "quantity": "1"}):
        added = client.post(f"/quotes/{quote}/product-lines", json=body)
        assert added.status_code == 201, added.text
    quoted = client.get(f"/quotes/{quote}").json()["lines"]
    assert client.post(f"/quotes/{quote}/send").status_code == 200
    assert client.post(f"/quotes/{quote}/accept").status_code == 200
    converted = client.post(f"/quotes/{quote}/convert")
    assert converted.status_code == 201, converted.text
    lines = lines_of(client, converted.json()["id"])
    assert [line["source"] for line in lines.values()] == [line["source"] for line in quoted]
    assert [line["unit_cost"] for line in lines.values()] == ["400.00", "30.00"]
