"""Documents as they stood at a recorded time (`?as_of=`, H2), through HTTP, on SQLite and
Postgres: affairs, orders, contracts, assets and customers, the way quotes already do it.

Affairs, orders and customers record the wall-clock time of each event; contracts and
assets record the command's time, so those tests move the frozen clock between commands.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.support import as_role, assert_problem
from tests.conftest import FrozenClock

UNKNOWN = "00000000-0000-0000-0000-000000000000"
CUSTOMER = "00000000-0000-0000-0000-0000000000c1"
LINE = {"description": "Cash register", "quantity": "10", "unit_price": "100.00", "vat_rate": "20"}
SUPPORT = {"description": "support", "quantity": "2", "unit_price": "49.99", "vat_rate": "20"}
PREMIUM = {"description": "premium", "quantity": "2", "unit_price": "79.99", "vat_rate": "20"}


def created(response: Any) -> str:
    assert response.status_code == 201, response.text
    document_id: str = response.json()["id"]
    return document_id


def history(client: TestClient, path: str) -> list[dict[str, Any]]:
    response = client.get(f"{path}/history")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()
    return items


def at(client: TestClient, path: str, as_of: str) -> dict[str, Any]:
    response = client.get(path, params={"as_of": as_of})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert response.headers["ETag"] == f'"{body["version"]}"'
    return body


def refusals(client: TestClient, path: str, unknown_path: str) -> None:
    """What every resource refuses: before its first event, both version and as_of, a
    time without an offset, an unknown document."""
    too_early = client.get(path, params={"as_of": "2000-01-01T00:00:00Z"})
    assert_problem(too_early, 404, "not-found")
    # instants are bounded to the years 1900-2999 (issue 13, finding 8)
    edge = client.get(path, params={"as_of": "0001-01-01T00:00:00+14:00"})
    assert_problem(edge, 422, "invalid-request")
    both = client.get(path, params={"version": 1, "as_of": "2999-01-01T00:00:00Z"})
    assert_problem(both, 422, "invalid-input")
    naive = client.get(path, params={"as_of": "2026-01-01T00:00:00"})
    assert_problem(naive, 422, "invalid-request")
    missing = client.get(unknown_path, params={"as_of": "2999-01-01T00:00:00Z"})
    assert_problem(missing, 404, "not-found")


def test_an_affair_reads_as_it_stood_before_and_after_a_change(client: TestClient) -> None:
    affair = {
        "name": "Pumping station",
        "prospect": "Commune de Vals",
        "currency": "EUR",
        "expected_amount": "10000",
        "sale_type": "product",
    }
    affair_id = created(client.post("/affairs", json=affair))
    path = f"/affairs/{affair_id}"
    changed = client.patch(path, json={"expected_amount": "12500", "reason": "scope grew"})
    assert changed.status_code == 200, changed.text
    events = history(client, path)
    before = at(client, path, events[0]["recorded_at"])
    after = at(client, path, events[1]["recorded_at"])
    assert (before["version"], before["expected_amount"]) == (1, "10000.00")
    assert (after["version"], after["expected_amount"]) == (2, "12500.00")
    assert at(client, path, "2999-01-01T00:00:00+02:00")["version"] == 2
    refusals(client, path, f"/affairs/{UNKNOWN}")


def test_an_order_reads_as_it_stood_before_and_after_confirmation(client: TestClient) -> None:
    customer_id = created(client.post("/customers", json={"name": "Martin SA"}))
    body = {"customer_id": customer_id, "currency": "EUR", "lines": [LINE]}
    order_id = created(client.post("/orders", json=body))
    path = f"/orders/{order_id}"
    assert client.post(f"{path}/confirm").status_code == 200
    events = history(client, path)
    assert (at(client, path, events[0]["recorded_at"])["status"]) == "draft"
    confirmed = at(client, path, events[-1]["recorded_at"])
    assert (confirmed["version"], confirmed["status"]) == (2, "confirmed")
    refusals(client, path, f"/orders/{UNKNOWN}")


def test_a_customer_reads_as_it_stood_before_and_after_its_credit_limit(
    client: TestClient,
) -> None:
    customer_id = created(client.post("/customers", json={"name": "Martin SA"}))
    path = f"/customers/{customer_id}"
    manager = as_role(client, "maud", "manager")
    limit = client.put(f"{path}/credit-limit", json={"credit_limit": "5000.00"}, headers=manager)
    assert limit.status_code == 200, limit.text
    events = history(client, path)
    assert at(client, path, events[0]["recorded_at"])["credit_limit"] is None
    assert at(client, path, events[1]["recorded_at"])["credit_limit"] == "5000.00"
    refusals(client, path, f"/customers/{UNKNOWN}")


def test_a_contract_reads_as_it_stood_before_and_after_an_amendment(
    client: TestClient, clock: FrozenClock
) -> None:
    contract = {
        "customer_id": CUSTOMER,
        "currency": "EUR",
        "lines": [SUPPORT],
        "frequency": "month",
        "start": "2026-01-31",
    }
    signed_at = clock.now
    contract_id = created(client.post("/contracts", json=contract))
    path = f"/contracts/{contract_id}"
    clock.now += timedelta(hours=2)
    amendment = {"effective": "2026-06-01", "lines": [PREMIUM], "reason": "upgrade"}
    created(client.post(f"{path}/amendments", json=amendment))
    before = at(client, path, (signed_at + timedelta(hours=1)).isoformat())
    after = at(client, path, clock.now.isoformat())
    assert (before["version"], before["amendments"]) == (1, [])
    assert (after["version"], [a["reason"] for a in after["amendments"]]) == (2, ["upgrade"])
    # The event's time is the command's: the contract did not exist a second before it.
    early = client.get(path, params={"as_of": (signed_at - timedelta(seconds=1)).isoformat()})
    assert_problem(early, 404, "not-found")
    refusals(client, path, f"/contracts/{UNKNOWN}")


def test_an_asset_reads_as_it_stood_before_and_after_a_configuration_change(
    client: TestClient, clock: FrozenClock
) -> None:
    body = {
        "customer_id": CUSTOMER,
        "product_ref": "CR-200",
        "site": "Shop",
        "configuration": {"fw": "1.0"},
    }
    asset_id = created(client.post("/assets", json=body))
    path = f"/assets/{asset_id}"
    registered = history(client, path)[0]["recorded_at"]
    clock.now += timedelta(days=1)
    change = {"changes": {"fw": "2.0"}, "reason": "upgrade"}
    assert client.post(f"{path}/configuration", json=change).status_code == 200
    assert at(client, path, registered)["configuration"] == {"fw": "1.0"}
    assert at(client, path, clock.now.isoformat())["configuration"] == {"fw": "2.0"}
    refusals(client, path, f"/assets/{UNKNOWN}")


@pytest.mark.parametrize(
    "path",
    [
        "/affairs/{affair_id}",
        "/orders/{order_id}",
        "/contracts/{contract_id}",
        "/assets/{asset_id}",
        "/customers/{customer_id}",
        "/quotes/{quote_id}",
    ],
)
def test_every_document_route_documents_as_of(client: TestClient, path: str) -> None:
    get = client.get("/openapi.json").json()["paths"][path]["get"]
    assert {p["name"] for p in get["parameters"]} >= {"version", "as_of"}
