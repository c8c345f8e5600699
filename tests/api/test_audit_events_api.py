"""`GET /audit/events` (H3), the audit log across documents, on SQLite and Postgres."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.support import as_role, assert_problem


@pytest.fixture
def auditor(client: TestClient) -> dict[str, str]:
    return as_role(client, "audrey", "auditor")


def events(client: TestClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = client.get("/audit/events", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def story(client: TestClient) -> tuple[str, int]:
    """alice registers a customer, maud (manager) sets its limit, alice drafts a quote."""
    customer = client.post("/customers", json={"name": "Martin SA", "reason": "trade fair"})
    assert customer.status_code == 201, customer.text
    customer_id: str = customer.json()["id"]
    manager = as_role(client, "maud", "manager")
    limit = client.put(
        f"/customers/{customer_id}/credit-limit",
        json={"credit_limit": "5000.00", "reason": "approved by finance"},
        headers=manager,
    )
    assert limit.status_code == 200, limit.text
    quote = client.post("/quotes", json={"currency": "EUR", "customer_id": customer_id})
    assert quote.status_code == 201, quote.text
    position: int = quote.json()["position"]
    return customer_id, position


def test_the_audit_log_of_one_document_says_who_when_why_and_which_command(
    client: TestClient, auditor: dict[str, str]
) -> None:
    customer_id, position = story(client)
    page = events(client, auditor, document_id=customer_id, min_position=position)
    assert page["total"] == 2
    assert page["position"] >= position
    rows = [
        (e["document_type"], e["version"], e["event_type"], e["actor"], e["reason"], e["command"])
        for e in page["items"]
    ]
    assert rows == [
        ("Customer", 1, "Customer.Registered", "alice", "trade fair", "customer.register"),
        (
            "Customer",
            2,
            "Customer.CreditLimitSet",
            "maud",
            "approved by finance",
            "customer.set_credit_limit",
        ),
    ]
    assert page["items"][0]["position"] < page["items"][1]["position"]
    # The same handler as GET /views/audit: the same answer.
    same = client.get(
        "/views/audit",
        params={"document_id": customer_id, "min_position": position},
        headers=auditor,
    )
    assert same.json() == page


def test_filters_by_actor_type_event_and_time_and_pages(
    client: TestClient, auditor: dict[str, str]
) -> None:
    customer_id, position = story(client)
    wait = {"min_position": position}
    by_maud = events(client, auditor, actor="maud", **wait)
    assert [e["event_type"] for e in by_maud["items"]] == ["Customer.CreditLimitSet"]
    quotes = events(client, auditor, document_type="Quote", **wait)
    assert [(e["event_type"], e["actor"]) for e in quotes["items"]] == [("Quote.Drafted", "alice")]
    registered = events(client, auditor, event_type="Customer.Registered", **wait)
    assert [e["document_id"] for e in registered["items"]] == [customer_id]
    mine = {"document_id": customer_id, **wait}
    second = events(client, auditor, limit=1, offset=1, **mine)
    assert (second["total"], len(second["items"])) == (2, 1)
    assert second["items"][0]["event_type"] == "Customer.CreditLimitSet"
    both = events(client, auditor, **mine)["items"]
    # `since` is inclusive, `until` exclusive.
    since = events(client, auditor, since=both[1]["recorded_at"], **mine)["items"]
    assert [e["version"] for e in since] == [2]
    until = events(client, auditor, until=both[1]["recorded_at"], **mine)["items"]
    assert [e["version"] for e in until] == [1]


def test_the_audit_log_is_for_auditors_and_managers(
    client: TestClient, auditor: dict[str, str]
) -> None:
    assert_problem(client.get("/audit/events"), 403, "forbidden")
    anonymous = client.get("/audit/events", headers={"X-API-Key": ""})
    assert_problem(anonymous, 401, "unauthenticated")
    manager = as_role(client, "maud", "manager")
    assert client.get("/audit/events", headers=manager).status_code == 200
    assert client.get("/audit/events", headers=auditor).status_code == 200
    far = client.get("/audit/events", params={"min_position": 10**9}, headers=auditor)
    assert_problem(far, 422, "position-not-recorded")
    assert_problem(
        client.get("/audit/events", params={"limit": 0}, headers=auditor), 422, "invalid-request"
    )
    assert "/audit/events" in client.get("/openapi.json").json()["paths"]
