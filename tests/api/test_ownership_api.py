"""A salesperson acts on the quotes and affairs assigned to them; a manager on all."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.support import as_role, assert_problem, log_position
from tests.api.test_orders_api import customer, order

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


AFFAIR = {
    "name": "Roll-out",
    "prospect": "Martin",
    "currency": "EUR",
    "expected_amount": "10000",
    "sale_type": "product",
}


def test_a_salesperson_drafts_quotes_for_themselves_only(client: TestClient) -> None:
    before = log_position(client)
    for_bob = client.post(
        "/quotes", json={"currency": "EUR", "prospect": "Martin", "salesperson": "bob"}
    )
    body = assert_problem(for_bob, 403, "not-assigned")
    assert "manager" in body["detail"]
    assert log_position(client) == before
    for_herself = client.post(
        "/quotes", json={"currency": "EUR", "prospect": "Martin", "salesperson": "alice"}
    )
    assert for_herself.status_code == 201, for_herself.text


def test_a_manager_drafts_a_quote_for_a_salesperson(client: TestClient) -> None:
    manager = as_role(client, "max", "manager")
    drafted = client.post(
        "/quotes",
        json={"currency": "EUR", "prospect": "Martin", "salesperson": "bob"},
        headers=manager,
    )
    assert drafted.status_code == 201, drafted.text
    quote = drafted.json()["id"]
    assert client.get(f"/quotes/{quote}").json()["salesperson"] == "bob"


def test_a_salesperson_opens_affairs_for_themselves_only(client: TestClient) -> None:
    before = log_position(client)
    assert_problem(
        client.post("/affairs", json={**AFFAIR, "salesperson": "bob"}), 403, "not-assigned"
    )
    assert log_position(client) == before
    assert client.post("/affairs", json={**AFFAIR, "salesperson": "alice"}).status_code == 201
    manager = as_role(client, "max", "manager")
    opened = client.post("/affairs", json={**AFFAIR, "salesperson": "bob"}, headers=manager)
    assert opened.status_code == 201, opened.text


def test_a_salesperson_attaches_quotes_only_to_their_own_affairs(client: TestClient) -> None:
    manager = as_role(client, "max", "manager")
    bobs_affair = client.post(
        "/affairs", json={**AFFAIR, "salesperson": "bob"}, headers=manager
    ).json()["id"]
    own_affair = client.post("/affairs", json=AFFAIR).json()["id"]
    quote = client.post("/quotes", json={"currency": "EUR", "prospect": "Martin"}).json()["id"]
    before = log_position(client)
    refused = client.post(f"/quotes/{quote}/affair", json={"affair_id": bobs_affair})
    assert_problem(refused, 403, "not-assigned")
    assert log_position(client) == before
    attached = client.post(f"/quotes/{quote}/affair", json={"affair_id": own_affair})
    assert attached.status_code == 200, attached.text
    other = client.post("/quotes", json={"currency": "EUR", "prospect": "Martin"}).json()["id"]
    by_manager = client.post(
        f"/quotes/{other}/affair", json={"affair_id": bobs_affair}, headers=manager
    )
    assert by_manager.status_code == 200, by_manager.text


def test_no_key_can_be_issued_for_a_user_the_software_records_as_itself(
    client: TestClient,
) -> None:
    admin = as_role(client, "root", "admin")
    before = log_position(client)
    for user in ("system", "System", " scheduler ", "bulk-import"):
        response = client.post(
            "/admin/keys", json={"user": user, "roles": ["admin"]}, headers=admin
        )
        body = assert_problem(response, 422, "invalid-input")
        assert "reserved" in body["detail"]
    assert log_position(client) == before


def test_a_salesperson_assigns_orders_only_to_their_own_affairs(client: TestClient) -> None:
    manager = as_role(client, "mia", "manager")
    bobs_affair = client.post(
        "/affairs", json={**AFFAIR, "salesperson": "bob"}, headers=manager
    ).json()["id"]
    own_affair = client.post("/affairs", json=AFFAIR).json()["id"]
    order_id = order(client, customer(client))
    before = log_position(client)
    refused = client.post(f"/orders/{order_id}/affair", json={"affair_id": bobs_affair})
    assert_problem(refused, 403, "not-assigned")
    assert log_position(client) == before
    assigned = client.post(f"/orders/{order_id}/affair", json={"affair_id": own_affair})
    assert assigned.status_code == 200, assigned.text
