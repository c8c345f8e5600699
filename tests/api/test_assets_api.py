"""The asset endpoints through HTTP, on SQLite and on Postgres."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.billing_support import billable_customer
from tests.api.support import as_role, assert_problem, log_position

CUSTOMER = "00000000-0000-0000-0000-0000000000c1"
UNKNOWN = "00000000-0000-0000-0000-000000000000"


def register(client: TestClient, **body: Any) -> str:
    asset = {
        "customer_id": CUSTOMER,
        "product_ref": "CR-200",
        "description": "Cash register",
        "serial_number": "SN-1",
        "site": "Shop",
        "configuration": {"firmware": "1.0"},
        **body,
    }
    response = client.post("/assets", json=asset)
    assert response.status_code == 201, response.text
    asset_id: str = response.json()["id"]
    return asset_id


def open_case(client: TestClient, asset_id: str) -> str:
    response = client.post(f"/assets/{asset_id}/service-cases", json={"problem": "drawer stuck"})
    assert response.status_code == 201, response.text
    case_id: str = response.json()["result"]["case_id"]
    return case_id


def test_registering_returns_the_asset_and_records_who_and_why(client: TestClient) -> None:
    response = client.post(
        "/assets",
        json={
            "customer_id": CUSTOMER,
            "product_ref": "CR-200",
            "site": "Shop",
            "reason": "installed",
        },
    )
    assert response.status_code == 201
    asset_id = response.json()["id"]
    assert response.headers["Location"] == f"/assets/{asset_id}"
    asset = client.get(f"/assets/{asset_id}").json()
    assert (asset["product_ref"], asset["serial_number"], asset["configuration"]) == (
        "CR-200",
        None,
        {},
    )
    history = client.get(f"/assets/{asset_id}/history").json()
    assert [(h["type"], h["actor"], h["reason"]) for h in history] == [
        ("Asset.Registered", "alice", "installed")
    ]


def test_configuration_changes_keep_every_version(client: TestClient) -> None:
    asset_id = register(client)
    changed = client.post(
        f"/assets/{asset_id}/configuration",
        json={"changes": {"firmware": "2.0", "printer": "TM-30"}, "reason": "upgrade"},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["result"] == {"changed": True, "revision": 1}
    before = log_position(client)
    same = client.post(
        f"/assets/{asset_id}/configuration",
        json={"changes": {"firmware": "2.0"}, "reason": "again"},
    )
    assert same.json()["result"] == {"changed": False, "revision": None}
    assert log_position(client) == before
    client.post(
        f"/assets/{asset_id}/configuration",
        json={"changes": {"printer": None}, "reason": "removed"},
    )
    asset = client.get(f"/assets/{asset_id}").json()
    assert asset["configuration"] == {"firmware": "2.0"}
    assert asset["initial_configuration"] == {"firmware": "1.0"}
    assert [r["reason"] for r in asset["configuration_history"]] == ["upgrade", "removed"]
    assert asset["configuration_history"][0]["changes"][0] == {
        "key": "firmware",
        "before": "1.0",
        "after": "2.0",
    }
    first = client.get(f"/assets/{asset_id}", params={"version": 1}).json()
    assert first["configuration"] == {"firmware": "1.0"}


@pytest.mark.parametrize(
    "body",
    [
        {"changes": {"firmware": "2.0"}},
        {"changes": {"firmware": "2.0"}, "reason": ""},
        {"changes": {}, "reason": "nothing"},
        {"changes": {"": "x"}, "reason": "empty key"},
        {"changes": {"k": "x" * 600}, "reason": "too long"},
    ],
)
def test_malformed_configuration_changes_are_refused_and_append_nothing(
    client: TestClient, body: dict[str, Any]
) -> None:
    asset_id = register(client)
    before = log_position(client)
    response = client.post(f"/assets/{asset_id}/configuration", json=body)
    assert_problem(response, 422, "invalid-request")
    assert log_position(client) == before


def test_warranties_show_their_status_and_days_left_as_of_today(client: TestClient) -> None:
    asset_id = register(client)
    manufacturer = client.put(
        f"/assets/{asset_id}/warranties/manufacturer",
        json={"start": "2025-01-01", "end": "2026-11-20"},
    )
    assert manufacturer.status_code == 200, manufacturer.text
    client.put(
        f"/assets/{asset_id}/warranties/customer", json={"start": "2025-01-01", "end": "2027-12-31"}
    )
    asset = client.get(f"/assets/{asset_id}").json()
    assert asset["as_of"] == "2026-11-02"
    assert asset["warranties"] == [
        {
            "kind": "customer",
            "start": "2025-01-01",
            "end": "2027-12-31",
            "end_included": True,
            "status": "active",
            "days_remaining": 424,
        },
        {
            "kind": "manufacturer",
            "start": "2025-01-01",
            "end": "2026-11-20",
            "end_included": True,
            "status": "expiring_soon",
            "days_remaining": 18,
        },
    ]


def test_a_warranty_given_in_months_covers_up_to_the_day_before_its_anniversary(
    client: TestClient,
) -> None:
    asset_id = register(client)
    answer = client.put(
        f"/assets/{asset_id}/warranties/customer", json={"start": "2025-11-03", "months": 12}
    )
    assert answer.status_code == 200, answer.text
    (warranty,) = client.get(f"/assets/{asset_id}").json()["warranties"]
    # 12 months from 2025-11-03 cover 2025-11-03 … 2026-11-02, the last day included:
    # on today, 2026-11-02, it is in force with 0 days left
    assert (warranty["end"], warranty["end_included"]) == ("2026-11-02", True)
    assert (warranty["status"], warranty["days_remaining"]) == ("expiring_soon", 0)


@pytest.mark.parametrize(
    "body",
    [
        {"start": "2026-01-01"},
        {"start": "2026-01-01", "end": "2027-01-01", "months": 12},
        {"start": "2026-01-01", "months": 0},
        {"start": "2026-01-01", "months": 601},
    ],
)
def test_a_warranty_needs_its_last_day_or_its_months(
    client: TestClient, body: dict[str, Any]
) -> None:
    asset_id = register(client)
    before = log_position(client)
    response = client.put(f"/assets/{asset_id}/warranties/customer", json=body)
    assert_problem(response, 422, "invalid-request")
    assert log_position(client) == before


def test_warranty_errors_are_problems(client: TestClient) -> None:
    asset_id = register(client)
    before = log_position(client)
    assert_problem(
        client.put(
            f"/assets/{asset_id}/warranties/customer",
            json={"start": "2027-01-01", "end": "2026-01-01"},
        ),
        422,
        "warranty-dates-invalid",
    )
    assert_problem(
        client.put(
            f"/assets/{asset_id}/warranties/extended",
            json={"start": "2026-01-01", "end": "2027-01-01"},
        ),
        422,
        "invalid-request",
    )
    assert_problem(
        client.put(
            f"/assets/{UNKNOWN}/warranties/customer",
            json={"start": "2026-01-01", "end": "2027-01-01"},
        ),
        404,
        "not-found",
    )
    assert log_position(client) == before


def test_a_service_case_is_returned_once_its_checklist_is_checked(client: TestClient) -> None:
    asset_id = register(client)
    client.put(
        f"/assets/{asset_id}/warranties/customer", json={"start": "2026-01-01", "end": "2027-01-01"}
    )
    opened = client.post(f"/assets/{asset_id}/service-cases", json={"problem": "drawer stuck"})
    assert opened.status_code == 201
    assert opened.json()["result"]["under_warranty"] is True
    case_id = opened.json()["result"]["case_id"]
    case_url = f"/assets/{asset_id}/service-cases/{case_id}"
    diagnosed = client.post(f"{case_url}/diagnosis", json={"diagnosis": "broken spring"})
    assert diagnosed.status_code == 200, diagnosed.text
    assert client.post(f"{case_url}/advance", json={"to": "repair"}).status_code == 200
    point = client.post(f"{case_url}/checklist", json={"point_id": "drawer", "label": "Opens"})
    assert point.status_code == 201, point.text
    before = log_position(client)
    assert_problem(client.post(f"{case_url}/return"), 409, "checklist-incomplete")
    assert log_position(client) == before
    technician = as_role(client, "theo", "manager")
    checked = client.post(f"{case_url}/checklist/drawer/check", headers=technician)
    assert checked.status_code == 200
    returned = client.post(f"{case_url}/return", json={"reason": "picked up"})
    assert returned.status_code == 200
    [case] = client.get(f"/assets/{asset_id}").json()["service_cases"]
    assert (case["status"], case["diagnosis"], case["under_warranty"]) == (
        "returned",
        "broken spring",
        True,
    )
    assert case["checklist"][0]["checked_by"] == "theo"
    assert case["checklist"][0]["checked_at"].startswith("2026-11-02")
    assert case["checklist_complete"] is True
    history = client.get(f"/assets/{asset_id}/history").json()
    assert (history[-1]["type"], history[-1]["reason"]) == (
        "Asset.ServiceCaseAdvanced",
        "picked up",
    )


def test_who_checked_a_point_cannot_be_given_in_the_body(client: TestClient) -> None:
    asset_id = register(client)
    case_id = open_case(client, asset_id)
    case_url = f"/assets/{asset_id}/service-cases/{case_id}"
    client.post(f"{case_url}/checklist", json={"point_id": "p1", "label": "Clean"})
    forged = client.post(f"{case_url}/checklist/p1/check", json={"by": "mallory"})
    assert_problem(forged, 422, "invalid-request")
    assert client.post(f"{case_url}/checklist/p1/check").status_code == 200
    case = client.get(f"/assets/{asset_id}").json()["service_cases"][0]
    assert case["checklist"][0]["checked_by"] == "alice"


def test_service_case_errors_are_problems_and_append_nothing(client: TestClient) -> None:
    asset_id = register(client)
    case_id = open_case(client, asset_id)
    case_url = f"/assets/{asset_id}/service-cases/{case_id}"
    client.post(f"{case_url}/checklist", json={"point_id": "p1", "label": "Clean"})
    before = log_position(client)
    missing_case = f"/assets/{asset_id}/service-cases/{UNKNOWN}"
    assert_problem(
        client.post(f"{missing_case}/diagnosis", json={"diagnosis": "x"}),
        404,
        "unknown-service-case",
    )
    assert_problem(client.post(f"{case_url}/checklist/nope/check"), 404, "unknown-checklist-point")
    assert_problem(
        client.post(f"{case_url}/checklist", json={"point_id": "p1", "label": "Again"}),
        422,
        "duplicate-checklist-point",
    )
    assert_problem(
        client.post(f"{case_url}/advance", json={"to": "returned"}), 409, "invalid-transition"
    )
    assert_problem(client.post(f"{case_url}/advance", json={"to": "fixed"}), 422, "invalid-request")
    assert_problem(
        client.post(f"{case_url}/diagnosis", json={"diagnosis": " "}), 422, "invalid-input"
    )
    assert_problem(
        client.post(f"/assets/{asset_id}/service-cases", json={"problem": "x" * 3000}),
        422,
        "invalid-request",
    )
    assert_problem(
        client.post(f"/assets/{UNKNOWN}/service-cases", json={"problem": "x"}), 404, "not-found"
    )
    assert log_position(client) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"site": "x" * 300}, "body.site"),
        ({"customer_id": "nope"}, "body.customer_id"),
        ({"configuration": {"k": 3}}, "body.configuration.k"),
        ({"colour": "red"}, "body.colour"),
    ],
)
def test_malformed_assets_are_refused_and_append_nothing(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    before = log_position(client)
    asset = {"customer_id": CUSTOMER, "product_ref": "CR-200", "site": "Shop", **body}
    problem = assert_problem(client.post("/assets", json=asset), 422, "invalid-request")
    assert field in [e["field"] for e in problem["errors"]]
    assert log_position(client) == before


def test_a_blank_product_reference_is_refused_by_the_domain(client: TestClient) -> None:
    before = log_position(client)
    body = {"customer_id": CUSTOMER, "product_ref": " ", "site": "Shop"}
    assert_problem(client.post("/assets", json=body), 422, "invalid-input")
    assert log_position(client) == before


def test_asset_roles_and_keys_are_enforced(client: TestClient) -> None:
    asset_id = register(client)
    auditor = as_role(client, "audrey", "auditor")
    accountant = as_role(client, "anna", "accountant")
    manager = as_role(client, "max", "manager")
    body = {"customer_id": CUSTOMER, "product_ref": "CR-200", "site": "Shop"}
    before = log_position(client)
    assert_problem(client.post("/assets", json=body, headers=auditor), 403, "forbidden")
    assert_problem(
        client.post(f"/assets/{asset_id}/service-cases", json={"problem": "x"}, headers=accountant),
        403,
        "forbidden",
    )
    assert_problem(
        client.post("/assets", json=body, headers={"X-API-Key": ""}), 401, "unauthenticated"
    )
    assert_problem(
        client.get(f"/assets/{asset_id}", headers={"X-API-Key": ""}), 401, "unauthenticated"
    )
    assert log_position(client) == before
    assert client.get(f"/assets/{asset_id}", headers=auditor).status_code == 200
    assert client.get(f"/assets/{asset_id}/history", headers=accountant).status_code == 200
    assert client.post("/assets", json=body, headers=manager).status_code == 201


def test_unknown_assets_are_not_found(client: TestClient) -> None:
    assert_problem(client.get(f"/assets/{UNKNOWN}"), 404, "not-found")
    assert_problem(client.get(f"/assets/{UNKNOWN}/history"), 404, "not-found")
    asset_id = register(client)
    assert_problem(client.get(f"/assets/{asset_id}", params={"version": 3}), 404, "not-found")
    contract = {
        "customer_id": CUSTOMER,
        "currency": "EUR",
        "lines": [{"description": "s", "quantity": "1", "unit_price": "1", "vat_rate": "20"}],
        "frequency": "month",
        "start": "2026-01-01",
    }
    contract_id = client.post("/contracts", json=contract).json()["id"]
    assert_problem(client.get(f"/assets/{contract_id}"), 404, "not-found")
    assert_problem(client.get(f"/assets/{contract_id}/history"), 404, "not-found")


def test_a_stale_if_match_and_an_idempotent_case_opening(client: TestClient) -> None:
    asset_id = register(client)
    stale = client.post(
        f"/assets/{asset_id}/service-cases", json={"problem": "x"}, headers={"If-Match": '"3"'}
    )
    assert assert_problem(stale, 409, "stale-version")["current_version"] == 1
    headers = {"Idempotency-Key": "case-1"}
    first = client.post(f"/assets/{asset_id}/service-cases", json={"problem": "x"}, headers=headers)
    again = client.post(f"/assets/{asset_id}/service-cases", json={"problem": "x"}, headers=headers)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(client.get(f"/assets/{asset_id}").json()["service_cases"]) == 1


# --- S3 labour, parts and the case's invoice (issue 14) -----------------------------------


def test_a_repaired_case_is_invoiced_once_by_an_accountant_with_labour_and_parts(
    client: TestClient,
) -> None:
    asset_id = register(client, customer_id=billable_customer(client))
    case_id = open_case(client, asset_id)
    case = f"/assets/{asset_id}/service-cases/{case_id}"
    labour = {"description": "motor replacement", "hours": "1.5", "hourly_rate": "60.00"}
    assert client.post(f"{case}/labour", json=labour).json()["result"]["billable"] is True
    part = {"description": "drawer motor", "quantity": "1", "unit_price": "85.00"}
    assert client.post(f"{case}/parts", json=part).status_code == 201
    accountant = as_role(client, "anna", "accountant")
    invoice_body = {"issue_date": "2026-11-01"}
    early = client.post(f"{case}/invoice", json=invoice_body, headers=accountant)
    assert_problem(early, 409, "invalid-transition")
    client.post(f"{case}/diagnosis", json={"diagnosis": "motor worn"})
    client.post(f"{case}/advance", json={"to": "repair"})
    assert_problem(client.post(f"{case}/invoice", json=invoice_body), 403, "forbidden")
    issued = client.post(f"{case}/invoice", json=invoice_body, headers=accountant)
    assert issued.status_code == 201, issued.text
    number = issued.json()["result"]["invoice_number"]
    invoice = client.get(f"/invoices/by-number/{number}", headers=accountant).json()
    assert (invoice["issue_date"], invoice["totals"]["net"], invoice["totals"]["gross"]) == (
        "2026-11-01",
        "175.00",
        "210.00",
    )
    assert [ln["unit"] for ln in invoice["lines"]] == ["HUR", "C62"]
    view = client.get(f"/assets/{asset_id}").json()["service_cases"][0]
    assert (view["invoice_number"], view["invoice_id"]) == (number, invoice["id"])
    assert [(p["description"], p["billable"]) for p in view["parts"]] == [("drawer motor", True)]
    before = log_position(client)
    again = client.post(f"{case}/invoice", json={}, headers=accountant)
    assert_problem(again, 409, "service-case-already-invoiced")
    assert_problem(client.post(f"{case}/parts", json=part), 409, "service-case-already-invoiced")
    assert log_position(client) == before


def test_a_case_under_warranty_with_nothing_billable_is_a_problem(client: TestClient) -> None:
    asset_id = register(client, customer_id=billable_customer(client))
    client.put(
        f"/assets/{asset_id}/warranties/manufacturer",
        json={"start": "2026-01-01", "end": "2027-12-31"},
    )
    case = f"/assets/{asset_id}/service-cases/{open_case(client, asset_id)}"
    labour = {"description": "diagnosis", "hours": "1", "hourly_rate": "60.00"}
    assert client.post(f"{case}/labour", json=labour).json()["result"]["billable"] is False
    client.post(f"{case}/diagnosis", json={"diagnosis": "covered"})
    client.post(f"{case}/advance", json={"to": "repair"})
    manager = as_role(client, "max", "manager")
    assert_problem(
        client.post(f"{case}/invoice", json={}, headers=manager), 409, "service-case-not-billable"
    )
    bad = {"description": "x", "hours": "-1", "hourly_rate": "60.00"}
    assert_problem(client.post(f"{case}/labour", json=bad), 422, "invalid-request")
