"""An affair's detail gives summaries of its actuals; `/views/affair-entries` each entry (A5)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

import projections.runner
from interfaces.http.app import create_app
from interfaces.settings import Settings
from projections.affair_entries import AffairEntriesView
from tests.api.support import PROBLEM, as_role, assert_problem, issue_key, log_position
from tests.conftest import FrozenClock

AFFAIR = {
    "name": "Depot extension",
    "prospect": "Transports Morel",
    "currency": "EUR",
    "expected_amount": "80000",
    "sale_type": "study",
}
DAY = "2026-10-01"


@pytest.fixture
def client(
    settings: Settings, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    """Alice, a salesperson, on a server whose projector feeds the entries view."""
    product_views = projections.runner.default_views

    def with_entries(*args: Any, **kwargs: Any) -> Any:
        documents, events = product_views(*args, **kwargs)
        if not any(isinstance(v, AffairEntriesView) for v in events):
            events = [*events, AffairEntriesView()]
        return documents, events

    monkeypatch.setattr(projections.runner, "default_views", with_entries)
    with TestClient(create_app(settings, clock)) as client:
        client.headers["X-API-Key"] = issue_key(client, "alice", "sales")
        yield client


def busy_affair(client: TestClient) -> str:
    """Eve at the rate in force, Bob at a manager's rate (not billable), a received cost,
    a committed cost received later, another still committed, and invoiced revenue."""
    opened = client.post("/affairs", json=AFFAIR)
    assert opened.status_code == 201, opened.text
    affair_id: str = opened.json()["id"]
    base = f"/affairs/{affair_id}"
    accountant = as_role(client, "ann", "accountant")
    manager = as_role(client, "max", "manager")
    rate = {"employee": "eve", "rate": "62.50", "valid_from": "2026-01-01"}
    calls = [
        client.post(f"{base}/hourly-rates", json=rate, headers=accountant),
        client.post(f"{base}/time-entries", json={"employee": "eve", "day": DAY, "hours": "7.5"}),
        client.post(f"{base}/time-entries", json={"employee": "eve", "day": DAY, "hours": "2"}),
        client.post(
            f"{base}/time-entries",
            json={
                "employee": "bob",
                "day": DAY,
                "hours": "3",
                "hourly_rate": "80",
                "billable": False,
            },
            headers=manager,
        ),
        client.post(
            f"{base}/costs",
            json={
                "category": "purchases",
                "amount": "1200",
                "document_ref": "INV-1",
                "document_date": DAY,
            },
        ),
        client.post(
            f"{base}/costs",
            json={
                "category": "expenses",
                "amount": "300",
                "document_ref": "PO-7",
                "document_date": "2026-09-15",
                "committed": True,
            },
        ),
        client.post(
            f"{base}/costs",
            json={
                "category": "subcontracting",
                "amount": "900",
                "document_ref": "PO-8",
                "document_date": DAY,
                "committed": True,
            },
        ),
        client.post(f"{base}/costs/PO-7/receive"),
        client.post(
            f"{base}/revenue",
            json={
                "kind": "invoiced",
                "amount": "5000",
                "document_ref": "FA-1",
                "document_date": DAY,
            },
        ),
    ]
    for call in calls:
        assert call.is_success, call.text
    return affair_id


def entries(client: TestClient, **params: Any) -> dict[str, Any]:
    params.setdefault("min_position", log_position(client))
    response = client.get("/views/affair-entries", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_affair_detail_gives_counts_hours_and_labour_per_employee(
    client: TestClient,
) -> None:
    affair_id = busy_affair(client)
    affair = client.get(f"/affairs/{affair_id}").json()
    assert "time_entries" not in affair
    assert "costs" not in affair
    assert affair["actuals"] == {
        "time_entries": 3,
        "costs": 2,
        "committed_costs": 1,
        "revenue_entries": 1,
        "invoiced_entries": 0,
        "revenue_ordered": "0.00",
        "revenue_invoiced": "5000.00",
        "hours": "12.5",
        "billable_hours": "9.5",
        "non_billable_hours": "3",
        "labour": [
            {
                "employee": "bob",
                "entries": 1,
                "hours": "3",
                "billable_hours": "0",
                "non_billable_hours": "3",
                "cost": "240.00",
            },
            {
                "employee": "eve",
                "entries": 2,
                "hours": "9.5",
                "billable_hours": "9.5",
                "non_billable_hours": "0",
                "cost": "593.75",
            },
        ],
    }
    assert [c["document_ref"] for c in affair["committed_costs"]] == ["PO-8"]
    labour = next(r for r in affair["budget"]["rows"] if r["category"] == "labour")
    assert labour["actual"] == "833.75"


def test_the_entries_view_lists_each_entry_in_log_order_in_the_affairs_currency(
    client: TestClient,
) -> None:
    affair_id = busy_affair(client)
    other = busy_affair(client)
    body = entries(client, affair_id=affair_id)
    assert body["total"] == 8
    items = body["items"]
    assert [i["kind"] for i in items] == [
        "time",
        "time",
        "time",
        "cost",
        "committed_cost",
        "committed_cost",
        "committed_cost_received",
        "revenue",
    ]
    assert {i["affair_id"] for i in items} == {affair_id}
    assert {i["currency"] for i in items} == {"EUR"}
    assert [i["position"] for i in items] == sorted(i["position"] for i in items)
    first = items[0]
    assert (first["employee"], first["day"], first["hours"], first["hourly_rate"]) == (
        "eve",
        DAY,
        "7.5",
        "62.50",
    )
    assert (first["amount"], first["category"], first["billable"]) == ("468.75", "labour", True)
    received = items[6]
    assert (received["document_ref"], received["category"], received["amount"]) == (
        "PO-7",
        "expenses",
        "300.00",
    )
    assert received["day"] == "2026-09-15"
    assert (items[7]["revenue_kind"], items[7]["amount"]) == ("invoiced", "5000.00")
    assert entries(client)["total"] == 16
    assert entries(client, affair_id=other)["total"] == 8


def test_the_entries_view_is_filtered_sorted_and_paged(client: TestClient) -> None:
    affair_id = busy_affair(client)
    times = entries(client, affair_id=affair_id, kind="time")
    assert [i["amount"] for i in times["items"]] == ["468.75", "125.00", "240.00"]
    eve = entries(client, affair_id=affair_id, employee="eve", billable=True)
    assert eve["total"] == 2
    purchases = entries(client, affair_id=affair_id, category="purchases")
    assert [i["document_ref"] for i in purchases["items"]] == ["INV-1"]
    po7 = entries(client, affair_id=affair_id, document_ref="PO-7")
    assert [i["kind"] for i in po7["items"]] == ["committed_cost", "committed_cost_received"]
    largest = entries(client, affair_id=affair_id, order_by="amount", descending=True, limit=2)
    assert (largest["total"], [i["amount"] for i in largest["items"]]) == (
        8,
        ["5000.00", "1200.00"],
    )
    second_page = entries(client, affair_id=affair_id, limit=3, offset=3)
    assert [i["kind"] for i in second_page["items"]] == ["cost", "committed_cost", "committed_cost"]


def test_the_entries_view_needs_a_reader_and_refuses_bad_input_as_problems(
    client: TestClient,
) -> None:
    affair_id = busy_affair(client)
    anonymous = client.get("/views/affair-entries", headers={"X-API-Key": ""})
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith(PROBLEM)
    admin = as_role(client, "root", "admin")
    assert_problem(client.get("/views/affair-entries", headers=admin), 403, "forbidden")
    for role in ("manager", "accountant", "auditor"):
        reader = as_role(client, f"{role}-user", role)
        response = client.get(
            "/views/affair-entries", params={"affair_id": affair_id}, headers=reader
        )
        assert response.status_code == 200, (role, response.text)
    for params in (
        {"affair_id": "not-a-uuid"},
        {"kind": "salary"},
        {"category": "travel"},
        {"order_by": "employee; DROP TABLE affair_entries"},
        {"limit": "0"},
        {"offset": "-1"},
        {"billable": "perhaps"},
    ):
        assert_problem(client.get("/views/affair-entries", params=params), 422, "invalid-request")
    far = client.get("/views/affair-entries", params={"min_position": 10**9})
    assert_problem(far, 422, "position-not-recorded")
    assert entries(client, affair_id=affair_id)["total"] == 8
