"""The contract endpoints through HTTP, on SQLite and on Postgres."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.billing_support import billable_customer
from tests.api.support import as_role, assert_problem, log_position
from tests.conftest import FrozenClock

CUSTOMER = "00000000-0000-0000-0000-0000000000c1"
UNKNOWN = "00000000-0000-0000-0000-000000000000"
SUPPORT = {"description": "support", "quantity": "2", "unit_price": "49.99", "vat_rate": "20"}
PREMIUM = {"description": "premium", "quantity": "2", "unit_price": "79.99", "vat_rate": "20"}


@pytest.fixture
def billing(client: TestClient) -> dict[str, str]:
    return as_role(client, "anna", "accountant")


@pytest.fixture
def manager(client: TestClient) -> dict[str, str]:
    return as_role(client, "max", "manager")


def sign(client: TestClient, **body: Any) -> str:
    contract = {
        "customer_id": billable_customer(client),
        "currency": "EUR",
        "lines": [SUPPORT],
        "frequency": "month",
        "start": "2026-01-31",
        **body,
    }
    response = client.post("/contracts", json=contract)
    assert response.status_code == 201, response.text
    contract_id: str = response.json()["id"]
    return contract_id


def register_asset(client: TestClient) -> str:
    body = {"customer_id": CUSTOMER, "product_ref": "CR-200", "site": "Shop"}
    response = client.post("/assets", json=body)
    assert response.status_code == 201, response.text
    asset_id: str = response.json()["id"]
    return asset_id


def test_signing_returns_the_contract_and_its_links(client: TestClient) -> None:
    response = client.post(
        "/contracts",
        json={
            "customer_id": CUSTOMER,
            "currency": "EUR",
            "lines": [SUPPORT],
            "frequency": "month",
            "start": "2026-01-31",
            "reason": "trade fair",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["version"] == 1
    assert response.headers["Location"] == f"/contracts/{body['id']}"
    assert response.headers["ETag"] == '"1"'
    history = client.get(f"/contracts/{body['id']}/history").json()
    assert [(h["type"], h["actor"], h["reason"]) for h in history] == [
        ("Contract.Signed", "alice", "trade fair")
    ]


def test_the_contract_shows_its_next_period_revenue_and_renewal_as_of_today(
    client: TestClient,
) -> None:
    contract_id = sign(client, end="2026-12-31", notice_days=60)
    contract = client.get(f"/contracts/{contract_id}").json()
    assert contract["as_of"] == "2026-11-02"
    assert contract["next_period"] == {
        "period_index": 0,
        "period_start": "2026-01-31",
        "period_end": "2026-02-27",
        "due": True,
        "net": "99.98",
        "vat": "20.00",
        "gross": "119.98",
    }
    assert contract["monthly_recurring_revenue"] == "99.98"
    assert contract["renewal_due"] is True
    assert contract["running"] is True
    assert contract["billable_periods"] == list(range(10))
    quarterly = sign(client, frequency="quarter", start="2027-01-01")
    later = client.get(f"/contracts/{quarterly}").json()
    assert later["monthly_recurring_revenue"] == "33.33"
    assert later["renewal_due"] is False
    assert later["next_period"]["due"] is False


def test_billing_a_period_twice_records_it_once_and_says_so(
    client: TestClient, billing: dict[str, str]
) -> None:
    contract_id = sign(client)
    first = client.post(f"/contracts/{contract_id}/bill", json={"period_index": 1}, headers=billing)
    assert first.status_code == 201, first.text
    assert first.json()["result"]["already_billed"] is False
    assert first.json()["result"]["period_start"] == "2026-02-28"
    before = log_position(client)
    again = client.post(f"/contracts/{contract_id}/bill", json={"period_index": 1}, headers=billing)
    assert again.status_code == 200
    assert again.json()["result"] == {**first.json()["result"], "already_billed": True}
    assert again.json()["position"] is None
    assert log_position(client) == before
    history = client.get(f"/contracts/{contract_id}/history").json()
    assert [h["type"] for h in history].count("Contract.PeriodBilled") == 1
    assert history[-1]["actor"] == "anna"


def test_a_month_end_contract_starting_31_january_bills_29_february_in_a_leap_year(
    client: TestClient, clock: FrozenClock, billing: dict[str, str]
) -> None:
    contract_id = sign(client, start="2028-01-31")
    clock.now = datetime(2028, 3, 1, 9, tzinfo=UTC)
    billed = client.post(
        f"/contracts/{contract_id}/bill", json={"period_index": 1}, headers=billing
    )
    assert (billed.json()["result"]["period_start"], billed.json()["result"]["period_end"]) == (
        "2028-02-29",
        "2028-03-30",
    )
    contract = client.get(f"/contracts/{contract_id}").json()
    assert contract["next_period"]["period_start"] == "2028-01-31"


def test_bill_due_bills_each_due_period_once(
    client: TestClient, clock: FrozenClock, billing: dict[str, str]
) -> None:
    contract_id = sign(client, start="2026-08-31")
    due = client.post(f"/contracts/{contract_id}/bill-due", headers=billing)
    assert due.status_code == 200, due.text
    body = due.json()
    assert body["as_of"] == "2026-11-02"
    assert [b["period_index"] for b in body["billed"]] == [0, 1, 2]
    assert [b["result"]["period_start"] for b in body["billed"]] == [
        "2026-08-31",
        "2026-09-30",
        "2026-10-31",
    ]
    before = log_position(client)
    assert client.post(f"/contracts/{contract_id}/bill-due", headers=billing).json()["billed"] == []
    assert log_position(client) == before
    clock.now = datetime(2026, 12, 1, tzinfo=UTC)
    later = client.post(
        f"/contracts/{contract_id}/bill-due", json={"reason": "run"}, headers=billing
    )
    assert [b["period_index"] for b in later.json()["billed"]] == [3]


def test_billing_errors_are_problems_and_append_nothing(
    client: TestClient, billing: dict[str, str], manager: dict[str, str]
) -> None:
    contract_id = sign(client, start="2026-10-31")
    before = log_position(client)
    bill = f"/contracts/{contract_id}/bill"
    assert_problem(
        client.post(bill, json={"period_index": 5}, headers=billing), 409, "period-not-due"
    )
    assert_problem(
        client.post(bill, json={"period_index": -1}, headers=billing), 422, "invalid-request"
    )
    assert_problem(client.post(bill, json={}, headers=billing), 422, "invalid-request")
    assert_problem(
        client.post(f"/contracts/{UNKNOWN}/bill", json={"period_index": 0}, headers=billing),
        404,
        "not-found",
    )
    assert_problem(client.post(bill, json={"period_index": 0}), 403, "forbidden")
    assert_problem(
        client.post(bill, json={"period_index": 0}, headers={"X-API-Key": ""}),
        401,
        "unauthenticated",
    )
    assert log_position(client) == before
    client.post(f"/contracts/{contract_id}/suspend", json={"reason": "unpaid"}, headers=manager)
    assert_problem(
        client.post(bill, json={"period_index": 0}, headers=billing), 409, "contract-suspended"
    )


def test_an_amendment_never_changes_a_billed_period(
    client: TestClient, billing: dict[str, str]
) -> None:
    contract_id = sign(client, start="2026-09-30")
    client.post(f"/contracts/{contract_id}/bill", json={"period_index": 0}, headers=billing)
    before = log_position(client)
    early = client.post(
        f"/contracts/{contract_id}/amendments",
        json={"effective": "2026-10-01", "lines": [PREMIUM], "reason": "upgrade"},
    )
    assert_problem(early, 409, "amendment-before-billed-period")
    assert log_position(client) == before
    amended = client.post(
        f"/contracts/{contract_id}/amendments",
        json={"effective": "2026-10-30", "lines": [PREMIUM], "reason": "upgrade"},
    )
    assert amended.status_code == 201, amended.text
    assert amended.json()["result"] == {"amendment": 1}
    contract = client.get(f"/contracts/{contract_id}").json()
    assert contract["billed"][0]["net"] == "99.98"
    assert contract["lines_in_force"][0]["unit_price"] == "79.99"
    assert contract["next_period"]["net"] == "159.98"
    rebill = client.post(
        f"/contracts/{contract_id}/bill", json={"period_index": 0}, headers=billing
    ).json()
    assert rebill["result"]["net"] == "99.98"
    second = client.post(
        f"/contracts/{contract_id}/bill", json={"period_index": 1}, headers=billing
    ).json()
    assert second["result"]["net"] == "159.98"


def test_the_diff_lists_the_amendments_between_two_versions(client: TestClient) -> None:
    contract_id = sign(client)
    client.post(
        f"/contracts/{contract_id}/amendments",
        json={"effective": "2027-01-31", "lines": [PREMIUM], "reason": "upgrade"},
    )
    client.post(f"/contracts/{contract_id}/renew", json={"new_end": "2030-01-01"})
    diff = client.get(f"/contracts/{contract_id}/diff", params={"from": 1, "to": 2})
    assert diff.status_code == 200, diff.text
    [change] = diff.json()["amendments"]
    assert (change["number"], change["effective"], change["reason"]) == (1, "2027-01-31", "upgrade")
    assert change["lines_before"][0]["unit_price"] == "49.99"
    assert change["lines_after"][0]["unit_price"] == "79.99"
    old = client.get(f"/contracts/{contract_id}", params={"version": 1}).json()
    assert (old["version"], old["amendments"]) == (1, [])
    assert_problem(
        client.get(f"/contracts/{contract_id}/diff", params={"from": 2, "to": 1}),
        422,
        "invalid-input",
    )
    assert_problem(
        client.get(f"/contracts/{contract_id}/diff", params={"from": 1, "to": 9}),
        404,
        "not-found",
    )
    assert_problem(client.get(f"/contracts/{contract_id}/diff"), 422, "invalid-request")


def test_renewing_needs_a_term_and_a_later_end(client: TestClient) -> None:
    open_ended = sign(client)
    assert_problem(
        client.post(f"/contracts/{open_ended}/renew", json={"new_end": "2030-01-01"}),
        422,
        "invalid-input",
    )
    termed = sign(client, end="2026-12-31")
    renewed = client.post(
        f"/contracts/{termed}/renew", json={"new_end": "2027-12-31", "reason": "another year"}
    )
    assert renewed.status_code == 200
    contract = client.get(f"/contracts/{termed}").json()
    assert contract["end"] == "2027-12-31"
    assert contract["renewals"][0]["reason"] == "another year"
    assert contract["renewal_due"] is False


def test_only_a_manager_terminates_suspends_and_resumes(
    client: TestClient, manager: dict[str, str]
) -> None:
    contract_id = sign(client)
    before = log_position(client)
    assert_problem(
        client.post(f"/contracts/{contract_id}/suspend", json={"reason": "unpaid"}),
        403,
        "forbidden",
    )
    assert_problem(
        client.post(f"/contracts/{contract_id}/suspend", json={}, headers=manager),
        422,
        "invalid-request",
    )
    assert log_position(client) == before
    suspended = client.post(
        f"/contracts/{contract_id}/suspend", json={"reason": "unpaid"}, headers=manager
    )
    assert suspended.status_code == 200
    contract = client.get(f"/contracts/{contract_id}").json()
    assert (contract["status"], contract["next_period"], contract["running"]) == (
        "suspended",
        None,
        False,
    )
    assert_problem(
        client.post(f"/contracts/{contract_id}/suspend", json={"reason": "x"}, headers=manager),
        409,
        "invalid-transition",
    )
    assert client.post(f"/contracts/{contract_id}/resume", headers=manager).status_code == 200
    terminated = client.post(
        f"/contracts/{contract_id}/terminate",
        json={"effective": "2026-12-01", "reason": "moving"},
        headers=manager,
    )
    assert terminated.status_code == 200
    contract = client.get(f"/contracts/{contract_id}").json()
    assert (contract["status"], contract["last_day"]) == ("terminated", "2026-11-30")
    assert_problem(
        client.post(f"/contracts/{contract_id}/resume", headers=manager), 409, "invalid-transition"
    )


def test_covering_an_asset_updates_both_documents_atomically(client: TestClient) -> None:
    contract_id = sign(client, kind="maintenance")
    asset_id = register_asset(client)
    covered = client.post(f"/contracts/{contract_id}/assets/{asset_id}", json={"reason": "park"})
    assert covered.status_code == 200, covered.text
    assert covered.json()["result"]["asset_version"] == 2
    assert client.get(f"/contracts/{contract_id}").json()["covered_asset_ids"] == [asset_id]
    assert client.get(f"/assets/{asset_id}").json()["contract_id"] == contract_id
    on_contract = client.get(f"/contracts/{contract_id}/history").json()[-1]
    on_asset = client.get(f"/assets/{asset_id}/history").json()[-1]
    assert (on_contract["type"], on_asset["type"]) == (
        "Contract.AssetCovered",
        "Asset.ContractLinked",
    )
    assert on_contract["command_id"] == on_asset["command_id"]
    other = sign(client, kind="maintenance")
    service = sign(client)
    spare = register_asset(client)
    before = log_position(client)
    assert_problem(
        client.post(f"/contracts/{other}/assets/{asset_id}"), 409, "asset-under-another-contract"
    )
    assert_problem(
        client.post(f"/contracts/{service}/assets/{spare}"), 422, "not-a-maintenance-contract"
    )
    assert_problem(client.post(f"/contracts/{other}/assets/{UNKNOWN}"), 404, "not-found")
    assert_problem(client.post(f"/contracts/{UNKNOWN}/assets/{spare}"), 404, "not-found")
    assert log_position(client) == before
    assert client.get(f"/assets/{spare}").json()["contract_id"] is None
    assert client.get(f"/contracts/{other}").json()["covered_asset_ids"] == []
    uncovered = client.delete(f"/contracts/{contract_id}/assets/{asset_id}")
    assert uncovered.status_code == 200
    assert client.get(f"/assets/{asset_id}").json()["contract_id"] is None
    assert client.get(f"/contracts/{contract_id}").json()["covered_asset_ids"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lines": []}, "body.lines"),
        ({"frequency": "fortnight"}, "body.frequency"),
        ({"notice_days": -1}, "body.notice_days"),
        ({"lines": [{**SUPPORT, "unit_price": "NaN"}]}, "body.lines.0.unit_price"),
        ({"lines": [{**SUPPORT, "vat_rate": "101"}]}, "body.lines.0.vat_rate"),
        ({"lines": [{**SUPPORT, "description": "x" * 5000}]}, "body.lines.0.description"),
        ({"colour": "red"}, "body.colour"),
        ({"start": "2026-02-30"}, "body.start"),
        ({"start": "9999-12-01"}, "body.start"),
    ],
)
def test_malformed_contracts_are_refused_and_append_nothing(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    before = log_position(client)
    contract = {
        "customer_id": CUSTOMER,
        "currency": "EUR",
        "lines": [SUPPORT],
        "frequency": "month",
        "start": "2026-01-31",
        **body,
    }
    problem = assert_problem(client.post("/contracts", json=contract), 422, "invalid-request")
    assert field in [e["field"] for e in problem["errors"]]
    assert log_position(client) == before


def test_business_rule_violations_at_signing_are_422(client: TestClient) -> None:
    before = log_position(client)
    contract = {"customer_id": CUSTOMER, "lines": [SUPPORT], "frequency": "month"}
    assert_problem(
        client.post(
            "/contracts",
            json={**contract, "currency": "EUR", "start": "2026-05-01", "end": "2026-01-01"},
        ),
        422,
        "invalid-input",
    )
    assert_problem(
        client.post("/contracts", json={**contract, "currency": "XXX", "start": "2026-05-01"}),
        422,
        "unknown-currency",
    )
    assert log_position(client) == before


def test_contract_roles_and_keys_are_enforced(client: TestClient) -> None:
    auditor = as_role(client, "audrey", "auditor")
    accountant = as_role(client, "anna", "accountant")
    contract_id = sign(client)
    body = {
        "customer_id": CUSTOMER,
        "currency": "EUR",
        "lines": [SUPPORT],
        "frequency": "month",
        "start": "2026-01-31",
    }
    assert_problem(client.post("/contracts", json=body, headers=auditor), 403, "forbidden")
    assert_problem(client.post("/contracts", json=body, headers=accountant), 403, "forbidden")
    assert_problem(
        client.post("/contracts", json=body, headers={"X-API-Key": ""}), 401, "unauthenticated"
    )
    assert client.get(f"/contracts/{contract_id}", headers=auditor).status_code == 200
    assert client.get(f"/contracts/{contract_id}/history", headers=accountant).status_code == 200
    assert_problem(
        client.get(f"/contracts/{contract_id}", headers={"X-API-Key": ""}), 401, "unauthenticated"
    )


def test_unknown_contracts_are_not_found(client: TestClient) -> None:
    assert_problem(client.get(f"/contracts/{UNKNOWN}"), 404, "not-found")
    assert_problem(client.get(f"/contracts/{UNKNOWN}/history"), 404, "not-found")
    assert_problem(
        client.post(f"/contracts/{UNKNOWN}/renew", json={"new_end": "2030-01-01"}), 404, "not-found"
    )
    asset_id = register_asset(client)
    assert_problem(client.get(f"/contracts/{asset_id}"), 404, "not-found")
    assert_problem(client.get(f"/contracts/{asset_id}/history"), 404, "not-found")
    contract_id = sign(client)
    assert_problem(client.get(f"/contracts/{contract_id}", params={"version": 5}), 404, "not-found")


def test_a_stale_if_match_and_an_idempotent_retry(
    client: TestClient, manager: dict[str, str]
) -> None:
    contract_id = sign(client, end="2026-12-31")
    stale = client.post(
        f"/contracts/{contract_id}/renew",
        json={"new_end": "2027-12-31"},
        headers={"If-Match": '"4"'},
    )
    assert assert_problem(stale, 409, "stale-version")["current_version"] == 1
    headers = {"Idempotency-Key": "renew-1"}
    first = client.post(
        f"/contracts/{contract_id}/renew", json={"new_end": "2027-12-31"}, headers=headers
    )
    again = client.post(
        f"/contracts/{contract_id}/renew", json={"new_end": "2027-12-31"}, headers=headers
    )
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert client.get(f"/contracts/{contract_id}").json()["version"] == 2


def test_the_audit_view_follows_contract_and_asset_events(
    client: TestClient, manager: dict[str, str], billing: dict[str, str]
) -> None:
    contract_id = sign(client, kind="maintenance")
    asset_id = register_asset(client)
    client.post(f"/contracts/{contract_id}/assets/{asset_id}")
    billed = client.post(
        f"/contracts/{contract_id}/bill", json={"period_index": 0}, headers=billing
    ).json()
    params = {"document_id": contract_id, "min_position": billed["position"]}
    audit = client.get("/views/audit", params=params, headers=manager)
    assert audit.status_code == 200, audit.text
    assert [r["event_type"] for r in audit.json()["items"]] == [
        "Contract.Signed",
        "Contract.AssetCovered",
        "Contract.PeriodBilled",
    ]


# --- C1 invoices (issue 14) ---------------------------------------------------------------


def test_billing_a_period_issues_its_invoice_once_dated_as_stated(
    client: TestClient, billing: dict[str, str]
) -> None:
    contract_id = sign(client, frequency="quarter", start="2026-01-01")
    bill = f"/contracts/{contract_id}/bill"
    body = {
        "period_index": 0,
        "issue_date": "2026-10-30",
        "payment_terms": {"kind": "net", "days": 30},
    }
    first = client.post(bill, json=body, headers=billing)
    assert first.status_code == 201, first.text
    result = first.json()["result"]
    assert result["invoice_number"] == "INV-2026-00001"
    invoice = client.get(f"/invoices/{result['invoice_id']}", headers=billing).json()
    assert (invoice["number"], invoice["status"], invoice["issue_date"], invoice["due_date"]) == (
        "INV-2026-00001",
        "issued",
        "2026-10-30",
        "2026-11-29",
    )
    assert invoice["terms"]["notes"] == "Période du 01/01/2026 au 31/03/2026"
    assert [(ln["unit"], ln["quantity"], ln["unit_price"]) for ln in invoice["lines"]] == [
        ("C62", "2", "49.99")
    ]
    assert invoice["totals"]["gross"] == result["gross"] == "119.98"
    again = client.post(bill, json={"period_index": 0}, headers=billing)
    assert again.status_code == 200
    assert again.json()["result"]["invoice_number"] == "INV-2026-00001"
    today = client.post(bill, json={"period_index": 1}, headers=billing).json()["result"]
    assert today["invoice_number"] == "INV-2026-00002"
    second = client.get(f"/invoices/by-number/{today['invoice_number']}", headers=billing).json()
    assert second["issue_date"] == "2026-11-02"
    contract = client.get(f"/contracts/{contract_id}").json()
    assert [(b["invoice_number"], b["invoice_id"]) for b in contract["billed"]] == [
        ("INV-2026-00001", result["invoice_id"]),
        ("INV-2026-00002", today["invoice_id"]),
    ]


def test_a_refused_invoice_bills_nothing_and_is_a_problem(
    client: TestClient, billing: dict[str, str]
) -> None:
    contract_id = sign(client)
    bill = f"/contracts/{contract_id}/bill"
    before = log_position(client)
    future = {"period_index": 0, "issue_date": "2026-11-03"}
    assert_problem(client.post(bill, json=future, headers=billing), 409, "issue-date-in-future")
    terms = {"period_index": 0, "payment_terms": {"kind": "net", "days": 61}}
    assert_problem(client.post(bill, json=terms, headers=billing), 422, "invalid-request")
    assert log_position(client) == before
    assert client.get(f"/contracts/{contract_id}").json()["billed"] == []
    client.post(bill, json={"period_index": 1, "issue_date": "2026-10-01"}, headers=billing)
    earlier = {"period_index": 0, "issue_date": "2026-09-30"}
    assert_problem(
        client.post(bill, json=earlier, headers=billing), 409, "issue-date-before-previous"
    )


def test_bill_due_issues_one_invoice_per_period_dated_today(
    client: TestClient, billing: dict[str, str]
) -> None:
    contract_id = sign(client, start="2026-09-15")
    due = client.post(f"/contracts/{contract_id}/bill-due", headers=billing).json()
    numbers = [b["result"]["invoice_number"] for b in due["billed"]]
    assert numbers == ["INV-2026-00001", "INV-2026-00002"]
    for number in numbers:
        invoice = client.get(f"/invoices/by-number/{number}", headers=billing).json()
        assert invoice["issue_date"] == "2026-11-02"
