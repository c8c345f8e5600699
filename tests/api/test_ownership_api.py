"""A salesperson acts on the quotes and affairs assigned to them; a manager on all."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.support import as_role, assert_problem, log_position

LINE = {"description": "Till", "quantity": "1", "unit_price": "500", "vat_rate": "20"}


def test_a_quote_drafted_by_a_salesperson_is_theirs_to_work(client: TestClient) -> None:
    quote = client.post("/quotes", json={"currency": "EUR", "prospect": "Martin"}).json()["id"]
    assert client.get(f"/quotes/{quote}").json()["salesperson"] == "alice"
    bob = as_role(client, "bob", "sales")
    before = log_position(client)
    refused = client.post(f"/quotes/{quote}/lines", json=LINE, headers=bob)
    assert_problem(refused, 403, "not-assigned")
    assert log_position(client) == before
    assert client.get(f"/quotes/{quote}", headers=bob).status_code == 200
    assert client.post(f"/quotes/{quote}/lines", json=LINE).status_code == 201
    manager = as_role(client, "max", "manager")
    assert client.post(f"/quotes/{quote}/lines", json=LINE, headers=manager).status_code == 201


def test_an_affair_reassigned_by_a_manager_moves_to_its_new_salesperson(
    client: TestClient,
) -> None:
    opened = client.post(
        "/affairs",
        json={
            "name": "Roll-out",
            "prospect": "Martin",
            "currency": "EUR",
            "expected_amount": "10000",
            "sale_type": "product",
        },
    )
    assert opened.status_code == 201, opened.text
    affair = opened.json()["id"]
    bob = as_role(client, "bob", "sales")
    assert_problem(
        client.post(f"/affairs/{affair}/progress", json={"percent": "10"}, headers=bob),
        403,
        "not-assigned",
    )
    manager = as_role(client, "max", "manager")
    moved = client.post(
        f"/affairs/{affair}/reassign",
        json={"salesperson": "bob", "reason": "alice is on leave"},
        headers=manager,
    )
    assert moved.status_code == 200, moved.text
    assert client.post(
        f"/affairs/{affair}/progress", json={"percent": "10"}, headers=bob
    ).is_success
    assert_problem(
        client.post(f"/affairs/{affair}/progress", json={"percent": "20"}),
        403,
        "not-assigned",
    )
