"""The catalogue over HTTP (issue 17): a file of three products and two lists imported as
one command, a group's prices on a quote, a list changed the next day that leaves the
quote's prices alone, simulation, overrides, kits, views, roles and refused files."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import Workbook

from tests.api.support import as_role, assert_problem, log_position
from tests.conftest import FrozenClock

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PRODUCTS: list[list[Any]] = [
    [
        "reference",
        "name",
        "kind",
        "family",
        "unit",
        "vat_rate",
        "cost",
        "cost_currency",
        "cost_from",
        "sale_units",
        "components",
        "kit_pricing",
    ],
    [
        "CR-200",
        "Cash register CR-200",
        "goods",
        "registers",
        "C62",
        20,
        400,
        "EUR",
        "2026-01-01",
        "XBX=2",
        None,
        None,
    ],
    [
        "INST",
        "Installation",
        "service",
        "services",
        "HUR",
        20,
        30,
        "EUR",
        "2026-01-01",
        None,
        None,
        None,
    ],
    [
        "KIT-SHOP",
        "Shop kit",
        "kit",
        "kits",
        "SET",
        20,
        None,
        None,
        None,
        None,
        "CR-200*1; INST*3",
        "components",
    ],
]
PRICES: list[list[Any]] = [
    [
        "list",
        "list_name",
        "currency",
        "valid_from",
        "default",
        "groups",
        "product",
        "family",
        "kind",
        "min_quantity",
        "value",
    ],
    ["STD", "Standard", "EUR", "2026-01-01", "yes", None, "CR-200", None, "fixed", 0, 899],
    ["STD", None, None, None, None, None, None, "services", "fixed", 0, 60],
    ["RES", "Resellers", "EUR", "2026-01-01", "no", "resellers", "CR-200", None, "fixed", 0, 750],
    ["RES", None, None, None, None, None, "CR-200", None, "fixed", 10, 700],
    ["RES", None, None, None, None, None, None, "services", "discount", 0, 10],
]


def workbook(*sheets: tuple[str, Any]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def imported(client: TestClient, headers: dict[str, str], data: bytes, **params: str) -> Any:
    return client.post(
        "/catalogue/import",
        content=data,
        headers={**headers, "Content-Type": XLSX},
        params={"reason": "2026 catalogue", **params},
    )


def new_quote(client: TestClient, customer_id: str) -> str:
    response = client.post("/quotes", json={"currency": "EUR", "customer_id": customer_id})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def add_product(client: TestClient, quote_id: str, **body: Any) -> Any:
    return client.post(f"/quotes/{quote_id}/product-lines", json=body)


def lines(client: TestClient, quote_id: str) -> list[dict[str, Any]]:
    response = client.get(f"/quotes/{quote_id}")
    assert response.status_code == 200, response.text
    return list(response.json()["lines"])


def test_a_quote_keeps_its_group_prices_when_the_list_changes_the_next_day(
    client: TestClient, clock: FrozenClock
) -> None:
    manager = as_role(client, "mia", "manager")
    data = workbook(("products", PRODUCTS), ("prices", PRICES))
    response = imported(client, manager, data)
    assert response.status_code == 200, response.text
    assert response.json()["result"] == {"products": 3, "price_lists": 2}
    history = client.get("/products/CR-200/history", headers=manager).json()
    assert {h["command"] for h in history} == {"catalogue.import"}
    assert {h["reason"] for h in history} == {"2026 catalogue"}

    customer = client.post("/customers", json={"name": "Revendeur Dupont"}).json()["id"]
    grouped = client.put(
        f"/pricing/groups/{customer}", json={"group": "resellers"}, headers=manager
    )
    assert grouped.status_code == 200, grouped.text
    first = new_quote(client, customer)
    assert add_product(client, first, reference="CR-200", quantity="2").status_code == 201
    assert add_product(client, first, reference="CR-200", quantity="10").status_code == 201
    assert add_product(client, first, reference="INST", quantity="3").status_code == 201
    got = lines(client, first)
    assert [(line["unit_price"], line["discount"]) for line in got] == [
        ("750.00", None),
        ("700.00", None),
        ("60.00", {"kind": "percent", "value": "10"}),
    ]
    assert got[0]["unit_cost"] == "400.00"
    assert "RES" in got[0]["source"]["rule"]
    assert got[0]["unit"] == "C62"

    clock.now += timedelta(days=1)
    tomorrow = clock.now.date().isoformat()
    changed = [PRICES[0], ["RES", None, "EUR", None, None, None, "CR-200", None, "fixed", 0, 780]]
    response = imported(client, manager, workbook(("prices", changed)), effective=tomorrow)
    assert response.status_code == 200, response.text

    assert [line["unit_price"] for line in lines(client, first)] == ["750.00", "700.00", "60.00"]
    second = new_quote(client, customer)
    assert add_product(client, second, reference="CR-200", quantity="2").status_code == 201
    assert lines(client, second)[0]["unit_price"] == "780.00"
    # the old quote, still a draft, is priced on its own date
    assert add_product(client, first, reference="CR-200", quantity="1").status_code == 201
    assert lines(client, first)[-1]["unit_price"] == "750.00"

    simulated = client.post(
        "/pricing/simulate",
        json={
            "currency": "EUR",
            "customer_id": customer,
            "items": [
                {"reference": "CR-200", "quantity": "1"},
                {"reference": "CR-200", "quantity": "1", "unit": "XBX"},
                {"reference": "NOPE", "quantity": "1"},
            ],
        },
    )
    assert simulated.status_code == 200, simulated.text
    items = simulated.json()["items"]
    assert [i["unit_price"] for i in items[:2]] == ["780.00", "1560.00"]
    assert items[0]["source"]["level"] == "group"
    assert items[2]["error"]["type"] == "/problems/not-found"
    assert simulated.json()["group"] == "resellers"

    position = log_position(client)
    view = client.get(
        "/views/price-history",
        params={"product": "CR-200", "price_list": "RES", "min_position": position},
    )
    assert view.status_code == 200, view.text
    rows = view.json()["items"]
    assert [(Decimal(r["value"]), r["effective_from"], r["effective_to"]) for r in rows] == [
        (Decimal(750), "2026-01-01", tomorrow),
        (Decimal(700), "2026-01-01", tomorrow),
        (Decimal(780), tomorrow, None),
    ]
    products = client.get("/views/products", params={"search": "regist", "min_position": position})
    assert products.status_code == 200, products.text
    [row] = products.json()["items"]
    assert {(p["price_list"], Decimal(p["value"])) for p in row["prices"]} == {
        ("RES", Decimal(780)),
        ("STD", Decimal(899)),
    }


def test_a_kit_priced_per_component_gives_its_line_and_its_components(
    client: TestClient,
) -> None:
    manager = as_role(client, "mia", "manager")
    assert (
        imported(client, manager, workbook(("products", PRODUCTS), ("prices", PRICES))).status_code
        == 200
    )
    customer = client.post("/customers", json={"name": "Boulangerie"}).json()["id"]
    quote = new_quote(client, customer)
    added = add_product(client, quote, reference="KIT-SHOP", quantity="2")
    assert added.status_code == 201, added.text
    got = lines(client, quote)
    assert [(line["description"], line["quantity"], line["unit_price"]) for line in got] == [
        ("Shop kit", "2", "0.00"),
        ("KIT-SHOP: Cash register CR-200", "2", "899.00"),
        ("KIT-SHOP: Installation", "6", "60.00"),
    ]
    assert client.get(f"/quotes/{quote}").json()["margin"]["amount"] == "1178.00"


def test_fields_given_by_hand_are_kept_and_named_on_the_line(client: TestClient) -> None:
    manager = as_role(client, "mia", "manager")
    assert (
        imported(client, manager, workbook(("products", PRODUCTS), ("prices", PRICES))).status_code
        == 200
    )
    quote = client.post("/quotes", json={"currency": "EUR", "prospect": "Café"}).json()["id"]
    added = add_product(
        client,
        quote,
        reference="CR-200",
        quantity="1",
        unit_price="850",
        description="Register, demo unit",
    )
    assert added.status_code == 201, added.text
    line_id = added.json()["result"]["line_id"]
    changed = client.patch(f"/quotes/{quote}/lines/{line_id}", json={"vat_rate": "5.5"})
    assert changed.status_code == 200, changed.text
    [line] = lines(client, quote)
    assert (line["unit_price"], line["description"]) == ("850.00", "Register, demo unit")
    assert line["source"]["overridden"] == ["description", "unit_price", "vat_rate"]
    assert line["source"]["rule"] is None


def test_a_file_with_errors_records_nothing_and_names_each_row_and_column(
    client: TestClient,
) -> None:
    manager = as_role(client, "mia", "manager")
    bad_products = [PRODUCTS[0], PRODUCTS[1], ["BAD", "Bad", "goods", None, "parsec", "x"]]
    bad_prices = [
        PRICES[0],
        ["STD", "Standard", "EUR", "2026-01-01", "yes", None, "CR-200", None, "cheap", 0, 1],
    ]
    before = log_position(client)
    response = imported(
        client, manager, workbook(("products", bad_products), ("prices", bad_prices))
    )
    body = assert_problem(response, 422, "import-rejected")
    where = {(e["sheet"], e["row"], e["column"]) for e in body["errors"]}
    assert {("products", 3, "vat_rate"), ("prices", 2, "kind")} <= where
    assert any(
        e["row"] == 3 and e["sheet"] == "products" and "parsec" in e["message"]
        for e in body["errors"]
    )
    assert log_position(client) == before
    assert_problem(client.get("/products/CR-200", headers=manager), 404, "not-found")


def test_sales_read_and_simulate_but_only_managers_write_the_catalogue(client: TestClient) -> None:
    product = {"reference": "P-1", "name": "Widget", "vat_rate": "20"}
    assert_problem(client.post("/products", json=product), 403, "forbidden")
    manager = as_role(client, "mia", "manager")
    created = client.post("/products", json=product, headers=manager)
    assert created.status_code == 201, created.text
    assert client.get("/products/P-1").json()["reference"] == "P-1"
    assert_problem(
        client.post("/products", json=product, headers=manager), 409, "duplicate-product"
    )
    renamed = client.put(
        "/products/P-1/details", headers=manager, json={"name": "Widget 2", "vat_rate": "20"}
    )
    assert renamed.status_code == 200, renamed.text
    diff = client.get("/products/P-1/diff", params={"from": 1, "to": 2}).json()
    assert diff["fields"] == [{"name": "name", "before": "Widget", "after": "Widget 2"}]
    assert client.get("/products/P-1", params={"version": 1}).json()["name"] == "Widget"
    simulated = client.post(
        "/pricing/simulate",
        json={"currency": "EUR", "items": [{"reference": "P-1", "quantity": "1"}]},
    )
    assert simulated.json()["items"][0]["error"]["type"] == "/problems/no-price"
