"""An affair's time and materials invoices over HTTP (A5, A6, issue 14), on SQLite and on
Postgres: roles, problem types, invoiced revenue following invoices and credit notes."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.billing_support import billable_customer
from tests.api.support import as_role, assert_problem, log_position

AFFAIR = {
    "name": "Pumping station",
    "currency": "EUR",
    "expected_amount": "10000",
    "sale_type": "study",
    "start": "2026-01-01",
    "end": "2026-12-31",
}


@pytest.fixture
def accountant(client: TestClient) -> dict[str, str]:
    return as_role(client, "anna", "accountant")


def worked_affair(
    client: TestClient, accountant: dict[str, str], **body: Any
) -> tuple[str, list[int]]:
    """An affair with 7.5 billable hours, 1 hour not billable and a purchase of 200.00;
    the entries' ids (their versions), in that order."""
    response = client.post(
        "/affairs", json={**AFFAIR, "customer_id": billable_customer(client), **body}
    )
    assert response.status_code == 201, response.text
    affair_id: str = response.json()["id"]
    manager = as_role(client, "max", "manager")  # sells and gives hourly rates
    ids = []
    for hours, billable in (("7.5", True), ("1", False)):
        entry = {
            "employee": "alice",
            "day": "2026-10-05",
            "hours": hours,
            "hourly_rate": "40",
            "billable": billable,
        }
        logged = client.post(f"/affairs/{affair_id}/time-entries", json=entry, headers=manager)
        assert logged.status_code == 201, logged.text
        ids.append(logged.json()["version"])
    cost = {
        "category": "purchases",
        "amount": "200",
        "document_ref": "PO-1",
        "document_date": "2026-10-06",
    }
    recorded = client.post(f"/affairs/{affair_id}/costs", json=cost)
    assert recorded.status_code == 201, recorded.text
    ids.append(recorded.json()["version"])
    return affair_id, ids


def test_an_accountant_invoices_chosen_entries_and_the_affair_counts_the_revenue(
    client: TestClient, accountant: dict[str, str]
) -> None:
    affair_id, (hours, _, purchase) = worked_affair(client, accountant)
    body = {
        "entry_ids": [hours, purchase],
        "hourly_rates": {"alice": "95"},
        "markups": {"purchases": "10"},
        "issue_date": "2026-10-31",
        "payment_terms": {"kind": "net", "days": 30},
    }
    invoices = f"/affairs/{affair_id}/invoices"
    assert_problem(client.post(invoices, json=body), 403, "forbidden")
    issued = client.post(invoices, json=body, headers=accountant)
    assert issued.status_code == 201, issued.text
    result = issued.json()["result"]
    # 7.5 h × 95 = 712.50, 200.00 + 10 % = 220.00
    assert (result["invoice_number"], result["net"]) == ("INV-2026-00001", "932.50")
    invoice = client.get(f"/invoices/{result['invoice_id']}", headers=accountant).json()
    assert (invoice["due_date"], invoice["totals"]["gross"]) == ("2026-11-30", "1119.00")
    affair = client.get(f"/affairs/{affair_id}").json()
    assert affair["actuals"]["revenue_invoiced"] == "932.50"
    assert affair["actuals"]["invoiced_entries"] == 2
    before = log_position(client)
    again = client.post(invoices, json={**body, "entry_ids": [purchase]}, headers=accountant)
    assert_problem(again, 409, "entry-already-invoiced")
    assert log_position(client) == before
    credit = client.post(
        f"/invoices/{result['invoice_id']}/credit-notes",
        json={"amount": "120.00", "issue_date": "2026-11-02"},
        headers=accountant,
    )
    assert credit.status_code == 201, credit.text
    # 120.00 incl. tax is 100.00 net at 20 %
    assert client.get(f"/affairs/{affair_id}").json()["actuals"]["revenue_invoiced"] == "832.50"


def test_what_cannot_be_invoiced_is_a_problem_of_its_own(
    client: TestClient, accountant: dict[str, str]
) -> None:
    affair_id, (hours, not_billable, purchase) = worked_affair(client, accountant)
    invoices = f"/affairs/{affair_id}/invoices"
    rates = {"hourly_rates": {"alice": "95"}}
    before = log_position(client)
    cases = [
        ({"entry_ids": [not_billable], **rates}, 409, "entry-not-billable"),
        ({"entry_ids": [hours]}, 422, "missing-sale-rate"),
        ({"entry_ids": [1], **rates}, 404, "unknown-affair-entry"),
        ({"entry_ids": [hours, hours], **rates}, 422, "invalid-input"),
        ({"entry_ids": [], **rates}, 422, "invalid-request"),
        ({"entry_ids": [purchase], "markups": {"labour": "5"}}, 422, "invalid-request"),
        ({"entry_ids": [hours], **rates, "issue_date": "2026-11-03"}, 409, "issue-date-in-future"),
    ]
    for body, status, code in cases:
        assert_problem(client.post(invoices, json=body, headers=accountant), status, code)
    assert log_position(client) == before


def test_a_blocking_affair_refuses_an_invoice_dated_outside_its_period(
    client: TestClient, accountant: dict[str, str]
) -> None:
    affair_id, (hours, _, _) = worked_affair(
        client, accountant, alert_policy="blocking", end="2026-10-31"
    )
    body = {"entry_ids": [hours], "hourly_rates": {"alice": "95"}}
    refused = client.post(f"/affairs/{affair_id}/invoices", json=body, headers=accountant)
    assert_problem(refused, 409, "date-outside-affair-period")
    within = {**body, "issue_date": "2026-10-31"}
    assert (
        client.post(f"/affairs/{affair_id}/invoices", json=within, headers=accountant).status_code
        == 201
    )


def test_a_prospects_affair_cannot_be_invoiced(
    client: TestClient, accountant: dict[str, str]
) -> None:
    response = client.post("/affairs", json={**AFFAIR, "prospect": "Commune de Vals"})
    affair_id = response.json()["id"]
    entry = {"employee": "alice", "day": "2026-10-05", "hours": "2", "hourly_rate": "40"}
    manager = as_role(client, "max", "manager")
    logged = client.post(f"/affairs/{affair_id}/time-entries", json=entry, headers=manager)
    version = logged.json()["version"]
    body = {"entry_ids": [version], "hourly_rates": {"alice": "95"}}
    refused = client.post(f"/affairs/{affair_id}/invoices", json=body, headers=accountant)
    assert_problem(refused, 409, "affair-has-no-customer")
