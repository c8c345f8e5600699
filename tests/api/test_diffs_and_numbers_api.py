"""One diff format for every document and one number format in every answer (issue 16),
on SQLite and on Postgres."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.support import as_role

LINE = {"description": "Register", "quantity": "3.00", "unit_price": "10", "vat_rate": "20.0"}


def changes(answer: Any) -> dict[str, dict[str, Any]]:
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return {c["path"]: c for c in body["changes"]}


def customer(client: TestClient) -> str:
    registered = client.post("/customers", json={"name": "Boulangerie", "status": "customer"})
    assert registered.status_code == 201, registered.text
    customer_id: str = registered.json()["id"]
    return customer_id


def test_a_customer_diff_names_each_changed_field_by_its_path(client: TestClient) -> None:
    customer_id = customer(client)
    address = {"kind": "billing", "street": "1 rue de la Paix", "city": "Paris"}
    address |= {"postal_code": "75002", "country": "FR"}
    added = client.post(f"/customers/{customer_id}/addresses", json=address)
    assert added.status_code == 201, added.text
    diff = client.get(f"/customers/{customer_id}/diff?from=1&to=2")
    assert diff.json()["from_version"] == 1
    assert diff.json()["to_version"] == 2
    found = changes(diff)
    assert found["addresses/A1"]["change"] == "added"
    assert found["addresses/A1"]["before"] is None
    assert "version" not in found


def test_an_order_diff_covers_its_status_and_deliveries_not_only_its_lines(
    client: TestClient,
) -> None:
    manager = as_role(client, "max", "manager", "sales")
    body = {"customer_id": customer(client), "currency": "EUR", "lines": [LINE]}
    order_id = client.post("/orders", json=body, headers=manager).json()["id"]
    confirmed = client.post(f"/orders/{order_id}/confirm", headers=manager)
    assert confirmed.status_code == 200, confirmed.text
    delivery = {"quantities": {"L1": "1"}}
    delivered = client.post(f"/orders/{order_id}/deliveries", json=delivery, headers=manager)
    assert delivered.status_code == 201, delivered.text
    version = delivered.json()["version"]
    found = changes(client.get(f"/orders/{order_id}/diff?from=1&to={version}"))
    assert (found["status"]["before"], found["status"]["after"]) == ("draft", "partially_delivered")
    assert found["lines/L1/delivered"]["after"] == "1"
    assert next(c for p, c in found.items() if p.startswith("deliveries/"))["change"] == "added"


def test_a_quote_diff_between_versions_answers_the_common_shape_too(client: TestClient) -> None:
    quote_id = client.post("/quotes", json={"currency": "EUR", "prospect": "M"}).json()["id"]
    assert client.post(f"/quotes/{quote_id}/lines", json=LINE).status_code == 201
    diff = client.get(f"/quotes/{quote_id}/diff?from=1&to=2")
    assert (diff.json()["from_version"], diff.json()["to_version"]) == (1, 2)
    found = changes(diff)
    assert found["lines/1"]["change"] == "added"
    assert found["totals/net"] == {
        "path": "totals/net",
        "change": "changed",
        "before": "0.00",
        "after": "30.00",
    }


def test_an_asset_diff_shows_its_configuration_change(client: TestClient) -> None:
    body = {"customer_id": customer(client), "product_ref": "CR-200", "site": "Shop"}
    asset_id = client.post("/assets", json=body).json()["id"]
    changed = client.post(
        f"/assets/{asset_id}/configuration",
        json={"changes": {"firmware": "2.1"}, "reason": "upgrade"},
    )
    assert changed.status_code == 200, changed.text
    found = changes(client.get(f"/assets/{asset_id}/diff?from=1&to=2"))
    assert any(path.startswith("configuration") for path in found)


def test_a_document_and_its_view_write_rates_quantities_and_amounts_alike(
    client: TestClient,
) -> None:
    manager = as_role(client, "max", "manager", "sales")
    body = {"customer_id": customer(client), "currency": "EUR", "lines": [LINE]}
    created = client.post("/orders", json=body, headers=manager)
    order_id = created.json()["id"]
    order = client.get(f"/orders/{order_id}").json()
    [line] = order["lines"]
    # Rates and quantities as given, without trailing zeros; amounts at the minor unit.
    assert (line["vat_rate"], line["quantity"], line["unit_price"]) == ("20", "3", "10.00")
    assert order["deposit_balance"] == "0.00"
    position = created.json()["position"]
    view = client.get(f"/views/orders/{order_id}/lines?min_position={position}")
    assert view.status_code == 200, view.text
    [row] = view.json()["items"]
    assert (row["vat_rate"], row["ordered"], row["unit_price"]) == ("20", "3", "10.00")
    assert row["net_amount"] == "30.00"
