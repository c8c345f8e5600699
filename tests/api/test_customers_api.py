"""Customer routes through HTTP, on SQLite and Postgres."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from fastapi.testclient import TestClient

from tests.api.support import as_role, assert_problem, log_position

ADDRESS = {
    "kind": "billing",
    "street": "1 rue de la Paix",
    "postal_code": "75002",
    "city": "Paris",
    "country": "FR",
}


def register(client: TestClient, **body: Any) -> str:
    response = client.post("/customers", json={"name": "Boulangerie Martin", **body})
    assert response.status_code == 201, response.text
    customer_id: str = response.json()["id"]
    return customer_id


def test_registering_a_customer_returns_its_location_and_the_compact_vat_number(
    client: TestClient,
) -> None:
    response = client.post(
        "/customers",
        json={
            "name": "Martin SA",
            "status": "customer",
            "vat_number": "FR 40 303 265 045",
            "credit_limit": "5000.00",
            "reason": "trade fair",
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["Location"] == f"/customers/{body['id']}"
    assert response.headers["ETag"] == '"1"'
    customer = client.get(f"/customers/{body['id']}").json()
    assert customer["vat_number"] == "FR40303265045"
    assert customer["credit_limit"] == "5000.00"
    assert customer["status"] == "customer"


def test_an_invalid_vat_number_is_a_422_and_appends_nothing(client: TestClient) -> None:
    before = log_position(client)
    response = client.post("/customers", json={"name": "Martin", "vat_number": "FR12345"})
    assert_problem(response, 422, "invalid-vat-number")
    assert log_position(client) == before


def test_a_malformed_customer_is_a_422_and_an_unknown_field_too(client: TestClient) -> None:
    assert_problem(client.post("/customers", json={"name": ""}), 422, "invalid-request")
    response = client.post("/customers", json={"name": "Martin", "status": "inactive"})
    assert_problem(response, 422, "invalid-request")
    assert_problem(client.post("/customers", json={"name": "M", "x": 1}), 422, "invalid-request")


def test_customers_need_a_key_and_a_selling_role(client: TestClient) -> None:
    anonymous = client.post("/customers", json={"name": "Martin"}, headers={"X-API-Key": ""})
    assert_problem(anonymous, 401, "unauthenticated")
    auditor = as_role(client, "audrey", "auditor")
    response = client.post("/customers", json={"name": "Martin"}, headers=auditor)
    assert_problem(response, 403, "forbidden")


def test_a_prospect_is_qualified_made_a_customer_and_cannot_be_qualified_again(
    client: TestClient,
) -> None:
    customer_id = register(client)
    assert client.post(f"/customers/{customer_id}/qualify").status_code == 200
    response = client.post(f"/customers/{customer_id}/make-customer", json={"reason": "signed"})
    assert response.status_code == 200
    assert response.json()["version"] == 3
    before = log_position(client)
    assert_problem(client.post(f"/customers/{customer_id}/qualify"), 409, "invalid-transition")
    assert log_position(client) == before
    assert_problem(client.post(f"/customers/{uuid4()}/qualify"), 404, "not-found")


def test_abandoning_needs_a_reason_and_reactivating_brings_the_prospect_back(
    client: TestClient,
) -> None:
    customer_id = register(client)
    assert_problem(client.post(f"/customers/{customer_id}/abandon"), 422, "reason-required")
    response = client.post(f"/customers/{customer_id}/abandon", json={"reason": "no budget"})
    assert response.status_code == 200
    assert client.get(f"/customers/{customer_id}").json()["abandon_reason"] == "no budget"
    assert client.post(f"/customers/{customer_id}/reactivate").status_code == 200
    assert client.get(f"/customers/{customer_id}").json()["status"] == "prospect"
    assert_problem(client.post(f"/customers/{customer_id}/reactivate"), 409, "invalid-transition")


def test_marking_inactive_uses_the_last_quote_date_given(client: TestClient) -> None:
    customer_id = register(client)
    recent = client.post(
        f"/customers/{customer_id}/mark-inactive", json={"last_quote_at": "2026-06-01T10:00:00Z"}
    )
    assert_problem(recent, 409, "customer-still-active")
    response = client.post(
        f"/customers/{customer_id}/mark-inactive", json={"last_quote_at": "2024-01-10T10:00:00Z"}
    )
    assert response.status_code == 200, response.text
    assert client.get(f"/customers/{customer_id}").json()["status"] == "inactive"
    bad = client.post(f"/customers/{customer_id}/mark-inactive", json={"last_quote_at": "soon"})
    assert_problem(bad, 422, "invalid-request")


def test_only_a_manager_sets_the_credit_limit(client: TestClient) -> None:
    customer_id = register(client)
    path = f"/customers/{customer_id}/credit-limit"
    assert_problem(client.put(path, json={"credit_limit": "100"}), 403, "forbidden")
    manager = as_role(client, "maud", "manager")
    response = client.put(
        path, json={"credit_limit": "2500.00", "reason": "good payer"}, headers=manager
    )
    assert response.status_code == 200, response.text
    assert client.get(f"/customers/{customer_id}").json()["credit_limit"] == "2500.00"
    negative = client.put(path, json={"credit_limit": "-1"}, headers=manager)
    assert_problem(negative, 422, "invalid-request")
    assert client.put(path, json={"credit_limit": None}, headers=manager).status_code == 200
    assert client.get(f"/customers/{customer_id}").json()["credit_limit"] is None


def test_the_vat_number_is_checked_and_stored_compact(client: TestClient) -> None:
    customer_id = register(client)
    path = f"/customers/{customer_id}/vat-number"
    assert client.put(path, json={"vat_number": "FR40 303265045"}).status_code == 200
    assert client.get(f"/customers/{customer_id}").json()["vat_number"] == "FR40303265045"
    before = log_position(client)
    assert_problem(client.put(path, json={"vat_number": "DE000"}), 422, "invalid-vat-number")
    assert log_position(client) == before


def test_addresses_are_added_and_replaced_by_id(client: TestClient) -> None:
    customer_id = register(client)
    added = client.post(f"/customers/{customer_id}/addresses", json=ADDRESS)
    assert added.status_code == 201, added.text
    assert added.json()["result"] == {"address_id": "A1"}
    changed = client.put(f"/customers/{customer_id}/addresses/A1", json={**ADDRESS, "city": "Lyon"})
    assert changed.status_code == 200, changed.text
    addresses = client.get(f"/customers/{customer_id}").json()["addresses"]
    assert [(a["address_id"], a["city"]) for a in addresses] == [("A1", "Lyon")]
    unknown = client.put(f"/customers/{customer_id}/addresses/Z9", json=ADDRESS)
    assert_problem(unknown, 404, "unknown-address")
    duplicate = client.post(
        f"/customers/{customer_id}/addresses", json={**ADDRESS, "address_id": "A1"}
    )
    assert_problem(duplicate, 422, "duplicate-address")
    bad_country = client.post(
        f"/customers/{customer_id}/addresses", json={**ADDRESS, "country": "fr"}
    )
    assert_problem(bad_country, 422, "invalid-input")


def test_contacts_are_added_and_a_bad_email_is_a_422(client: TestClient) -> None:
    customer_id = register(client)
    response = client.post(
        f"/customers/{customer_id}/contacts",
        json={"name": "Anne Martin", "email": "anne@martin.fr", "role": "buyer"},
    )
    assert response.status_code == 201, response.text
    contacts = client.get(f"/customers/{customer_id}").json()["contacts"]
    assert contacts == [
        {"name": "Anne Martin", "email": "anne@martin.fr", "phone": None, "role": "buyer"}
    ]
    bad = client.post(f"/customers/{customer_id}/contacts", json={"name": "Bob", "email": "bob"})
    assert_problem(bad, 422, "invalid-input")


def test_a_customer_reads_at_a_version_and_its_history_names_who_and_why(
    client: TestClient,
) -> None:
    customer_id = register(client, reason="referral")
    client.post(f"/customers/{customer_id}/qualify", json={"reason": "met the owner"})
    assert client.get(f"/customers/{customer_id}?version=1").json()["status"] == "prospect"
    assert_problem(client.get(f"/customers/{customer_id}?version=7"), 404, "not-found")
    history = client.get(f"/customers/{customer_id}/history").json()
    assert [(h["type"], h["actor"], h["reason"]) for h in history] == [
        ("Customer.Registered", "alice", "referral"),
        ("Customer.Qualified", "alice", "met the owner"),
    ]
    assert_problem(client.get(f"/customers/{uuid4()}"), 404, "not-found")
    assert_problem(client.get(f"/customers/{uuid4()}/history"), 404, "not-found")
