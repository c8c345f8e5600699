"""Order routes and quote conversion through HTTP, on SQLite and Postgres."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from tests.api.invoicing_support import establish_company
from tests.api.support import as_role, assert_problem, log_position

LINE = {"description": "Cash register", "quantity": "10", "unit_price": "100.00", "vat_rate": "20"}


@pytest.fixture
def billing(client: TestClient) -> dict[str, str]:
    return as_role(client, "carla", "accountant")


@pytest.fixture
def manager(client: TestClient) -> dict[str, str]:
    return as_role(client, "maud", "manager")


def customer(client: TestClient, credit_limit: str | None = None) -> str:
    response = client.post("/customers", json={"name": "Martin SA", "credit_limit": credit_limit})
    assert response.status_code == 201, response.text
    customer_id: str = response.json()["id"]
    return customer_id


def order(client: TestClient, customer_id: str, confirm: bool = True, **line: Any) -> str:
    body = {"customer_id": customer_id, "currency": "EUR", "lines": [{**LINE, **line}]}
    response = client.post("/orders", json=body)
    assert response.status_code == 201, response.text
    order_id: str = response.json()["id"]
    if confirm:
        assert client.post(f"/orders/{order_id}/confirm").status_code == 200
    return order_id


def test_an_order_entered_directly_is_a_draft_with_its_lines(client: TestClient) -> None:
    customer_id = customer(client)
    response = client.post(
        "/orders",
        json={
            "customer_id": customer_id,
            "currency": "EUR",
            "lines": [LINE, {**LINE, "line_id": "X", "quantity": "1"}],
            "reason": "phone order",
        },
    )
    assert response.status_code == 201, response.text
    order_id = response.json()["id"]
    assert response.headers["Location"] == f"/orders/{order_id}"
    view = client.get(f"/orders/{order_id}").json()
    assert view["status"] == "draft"
    assert [line["line_id"] for line in view["lines"]] == ["L1", "X"]
    assert view["totals"] == {"net": "1100.00", "vat": "220.00", "gross": "1320.00"}


def test_a_refused_order_appends_nothing(client: TestClient) -> None:
    before = log_position(client)
    unknown = {"customer_id": str(uuid4()), "currency": "EUR", "lines": [LINE]}
    assert_problem(client.post("/orders", json=unknown), 404, "not-found")
    body = {"customer_id": customer(client), "currency": "EUR", "lines": []}
    assert_problem(client.post("/orders", json=body), 422, "invalid-request")
    negative = {**body, "lines": [{**LINE, "quantity": "-1"}]}
    assert_problem(client.post("/orders", json=negative), 422, "invalid-request")
    assert log_position(client) == before + 1


def test_orders_need_a_key_and_a_selling_role(client: TestClient, billing: dict[str, str]) -> None:
    body = {"customer_id": str(uuid4()), "currency": "EUR", "lines": [LINE]}
    assert_problem(
        client.post("/orders", json=body, headers={"X-API-Key": ""}), 401, "unauthenticated"
    )
    assert_problem(client.post("/orders", json=body, headers=billing), 403, "forbidden")


def test_the_credit_check_refuses_with_409_and_only_a_manager_overrides(
    client: TestClient, manager: dict[str, str]
) -> None:
    customer_id = customer(client, credit_limit="1000.00")
    order_id = order(client, customer_id, confirm=False)
    before = log_position(client)
    assert_problem(client.post(f"/orders/{order_id}/confirm"), 409, "credit-limit-exceeded")
    override = {"override": {"reason": "long-standing customer"}}
    assert_problem(client.post(f"/orders/{order_id}/confirm", json=override), 403, "forbidden")
    assert log_position(client) == before
    response = client.post(f"/orders/{order_id}/confirm", json=override, headers=manager)
    assert response.status_code == 200, response.text
    view = client.get(f"/orders/{order_id}").json()
    assert view["status"] == "confirmed"
    assert view["credit_override"] == {"manager": "maud", "reason": "long-standing customer"}
    empty = client.post(f"/orders/{order_id}/confirm", json={"override": {"reason": ""}})
    assert_problem(empty, 422, "invalid-request")


def test_cancelling_needs_a_reason(client: TestClient) -> None:
    order_id = order(client, customer(client))
    assert_problem(client.post(f"/orders/{order_id}/cancel"), 422, "reason-required")
    response = client.post(f"/orders/{order_id}/cancel", json={"reason": "duplicate"})
    assert response.status_code == 200
    assert client.get(f"/orders/{order_id}").json()["cancel_reason"] == "duplicate"
    assert_problem(client.post(f"/orders/{order_id}/close"), 409, "invalid-transition")


def test_deliveries_leave_backorders_and_over_delivery_is_a_409(client: TestClient) -> None:
    order_id = order(client, customer(client))
    response = client.post(f"/orders/{order_id}/deliveries", json={"quantities": {"L1": "4"}})
    assert response.status_code == 201, response.text
    assert response.json()["result"] == {"delivery_id": "D1"}
    before = log_position(client)
    over = client.post(f"/orders/{order_id}/deliveries", json={"quantities": {"L1": "7"}})
    assert_problem(over, 409, "over-delivery")
    unknown = client.post(f"/orders/{order_id}/deliveries", json={"quantities": {"L9": "1"}})
    assert_problem(unknown, 404, "unknown-line")
    empty = client.post(f"/orders/{order_id}/deliveries", json={"quantities": {}})
    assert_problem(empty, 422, "invalid-request")
    assert log_position(client) == before
    view = client.get(f"/orders/{order_id}").json()
    assert view["backorders"] == {"L1": "6"}
    assert (view["lines"][0]["delivered"], view["lines"][0]["backorder"]) == ("4", "6")


def test_a_return_carries_its_non_conformity(client: TestClient) -> None:
    order_id = order(client, customer(client))
    client.post(f"/orders/{order_id}/deliveries", json={"quantities": {"L1": "3"}})
    body = {"quantities": {"L1": "1"}, "non_conformity": {"description": "scratched"}}
    response = client.post(f"/orders/{order_id}/returns", json=body)
    assert response.status_code == 201, response.text
    view = client.get(f"/orders/{order_id}").json()
    assert view["returns"][0]["non_conformity"]["description"] == "scratched"
    assert view["lines"][0]["returned"] == "1"
    over = client.post(f"/orders/{order_id}/returns", json={**body, "quantities": {"L1": "5"}})
    assert_problem(over, 409, "over-return")


def test_amendments_need_a_reason_and_two_versions_diff_by_line(client: TestClient) -> None:
    order_id = order(client, customer(client))
    changes = [
        {"op": "change", "line_id": "L1", "quantity": "12"},
        {"op": "add", "line": {**LINE, "line_id": "L2", "quantity": "1"}},
    ]
    path = f"/orders/{order_id}/amendments"
    assert_problem(client.post(path, json={"changes": changes}), 422, "reason-required")
    unnamed = [{"op": "add", "line": LINE}]
    assert_problem(
        client.post(path, json={"changes": unnamed, "reason": "x"}), 422, "invalid-request"
    )
    response = client.post(path, json={"changes": changes, "reason": "more tills"})
    assert response.status_code == 201, response.text
    assert response.json()["result"] == {"amendment": 1}
    diff = client.get(f"/orders/{order_id}/diff?from=2&to=3").json()
    assert [(d["line_id"], d["change"]) for d in diff["lines"]] == [
        ("L1", "changed"),
        ("L2", "added"),
    ]
    assert diff["lines"][0]["before"]["quantity"] == "10"
    assert diff["lines"][0]["after"]["quantity"] == "12"
    assert_problem(client.get(f"/orders/{order_id}/diff?from=1&to=9"), 404, "not-found")
    below = [{"op": "remove", "line_id": "L9"}]
    assert_problem(client.post(path, json={"changes": below, "reason": "x"}), 404, "unknown-line")


def test_invoices_credit_notes_and_payments_are_for_billing_roles(
    client: TestClient, billing: dict[str, str]
) -> None:
    establish_company(client)
    order_id = order(client, customer(client), quantity="2")
    path = f"/orders/{order_id}/invoices"
    assert_problem(client.post(path, json={"quantities": {"L1": "1"}}), 403, "forbidden")
    deposit = client.post(
        f"/orders/{order_id}/deposit-invoices", json={"percent": "10"}, headers=billing
    )
    assert deposit.json()["result"]["invoice_number"] == "INV-2026-00001"
    invoice = client.post(path, json={"quantities": {"L1": "2"}}, headers=billing)
    assert invoice.status_code == 201, invoice.text
    number = invoice.json()["result"]["invoice_number"]
    assert number == "INV-2026-00002"
    over = client.post(path, json={"quantities": {"L1": "1"}}, headers=billing)
    assert_problem(over, 409, "over-invoicing")
    credit = client.post(
        f"/orders/{order_id}/credit-notes",
        json={"invoice_number": number, "amount": "12.00"},
        headers=billing,
    )
    # the invoice is a document: so is its credit note, issued under /invoices
    assert credit.status_code == 201, credit.text
    assert credit.json()["result"]["number"] == "CN-2026-00001"
    assert credit.headers["Location"] == f"/invoices/{credit.json()['id']}"
    payments = f"/orders/{order_id}/payments"
    paid = client.post(
        payments, json={"invoice_number": number, "amount": "100.00"}, headers=billing
    )
    assert paid.status_code == 201, paid.text
    too_much = client.post(
        payments, json={"invoice_number": number, "amount": "999.00"}, headers=billing
    )
    assert_problem(too_much, 409, "payment-above-due")
    unknown = client.post(
        payments, json={"invoice_number": "INV-1", "amount": "1.00"}, headers=billing
    )
    assert_problem(unknown, 404, "unknown-invoice")
    both = client.post(
        f"/orders/{order_id}/deposit-invoices",
        json={"percent": "10", "amount": "5"},
        headers=billing,
    )
    assert_problem(both, 422, "invalid-request")
    invoices = {i["number"]: i for i in client.get(f"/orders/{order_id}").json()["invoices"]}
    assert invoices[number]["payment_status"] == "partial"
    assert invoices[number]["paid"] == "100.00"
    assert invoices["INV-2026-00001"]["kind"] == "deposit"
    deposit_gross = invoices["INV-2026-00001"]["gross"]
    assert invoices[number]["deposit_deducted"] == deposit_gross
    document = client.get(f"/invoices/{invoices[number]['invoice_id']}").json()
    assert document["deposits_deducted"][0]["number"] == "INV-2026-00001"
    assert document["prepaid"] == deposit_gross
    assert document["amount_due"] == invoices[number]["due"]


def test_an_order_closes_once_delivered_and_invoiced(
    client: TestClient, billing: dict[str, str]
) -> None:
    establish_company(client)
    order_id = order(client, customer(client), quantity="1")
    invoiced = client.post(
        f"/orders/{order_id}/invoices", json={"quantities": {"L1": "1"}}, headers=billing
    )
    assert invoiced.status_code == 201, invoiced.text
    assert_problem(client.post(f"/orders/{order_id}/close"), 409, "order-incomplete")
    client.post(f"/orders/{order_id}/deliveries", json={"quantities": {"L1": "1"}})
    assert client.post(f"/orders/{order_id}/close", headers=billing).status_code == 200
    assert client.get(f"/orders/{order_id}").json()["status"] == "closed"


def test_assigning_to_an_unknown_affair_is_a_404(client: TestClient) -> None:
    order_id = order(client, customer(client))
    before = log_position(client)
    response = client.post(f"/orders/{order_id}/affair", json={"affair_id": str(uuid4())})
    assert_problem(response, 404, "not-found")
    assert log_position(client) == before


def test_an_order_reads_at_a_version_and_its_history_names_who_and_why(
    client: TestClient,
) -> None:
    order_id = order(client, customer(client))
    assert client.get(f"/orders/{order_id}?version=1").json()["status"] == "draft"
    assert client.get(f"/orders/{order_id}").headers["ETag"] == '"2"'
    history = client.get(f"/orders/{order_id}/history").json()
    assert [(h["type"], h["actor"]) for h in history] == [
        ("Order.Created", "alice"),
        ("Order.Confirmed", "alice"),
    ]
    assert_problem(client.get(f"/orders/{uuid4()}"), 404, "not-found")
    not_an_order = customer(client)
    assert_problem(client.get(f"/orders/{not_an_order}/history"), 404, "not-found")
    assert_problem(
        client.get(f"/orders/{order_id}", headers={"X-API-Key": ""}), 401, "unauthenticated"
    )


def accepted_quote(client: TestClient, customer_id: str) -> str:
    quote_id: str = client.post(
        "/quotes", json={"currency": "EUR", "customer_id": customer_id}
    ).json()["id"]
    line = {"description": "Till", "quantity": "2", "unit_price": "300.00", "vat_rate": "20"}
    assert client.post(f"/quotes/{quote_id}/lines", json=line).status_code == 201
    assert client.post(f"/quotes/{quote_id}/send").status_code == 200
    assert client.post(f"/quotes/{quote_id}/accept").status_code == 200
    return quote_id


def test_converting_an_accepted_quote_creates_the_order_and_marks_the_quote(
    client: TestClient,
) -> None:
    customer_id = customer(client)
    quote_id = accepted_quote(client, customer_id)
    before = log_position(client)
    response = client.post(f"/quotes/{quote_id}/convert", json={"reason": "signed"})
    assert response.status_code == 201, response.text
    order_id = response.json()["id"]
    assert response.json()["position"] == before + 2
    assert response.headers["Location"] == f"/orders/{order_id}"
    view = client.get(f"/orders/{order_id}").json()
    assert (view["quote_id"], view["customer_id"]) == (quote_id, customer_id)
    assert view["totals"]["gross"] == "720.00"
    assert client.get(f"/quotes/{quote_id}").json()["status"] == "converted"
    again = client.post(f"/quotes/{quote_id}/convert")
    assert_problem(again, 409, "invalid-transition")


def test_a_quote_that_cannot_convert_appends_nothing(
    client: TestClient, billing: dict[str, str]
) -> None:
    quote_id = accepted_quote(client, customer(client))
    before = log_position(client)
    other = client.post(f"/quotes/{quote_id}/convert", json={"customer_id": str(uuid4())})
    assert_problem(other, 422, "quote-customer-mismatch")
    assert_problem(client.post(f"/quotes/{quote_id}/convert", headers=billing), 403, "forbidden")
    assert_problem(client.post(f"/quotes/{uuid4()}/convert"), 404, "not-found")
    no_lines = client.post(f"/quotes/{quote_id}/convert", json={"line_ids": []})
    assert_problem(no_lines, 422, "invalid-request")
    assert log_position(client) == before
