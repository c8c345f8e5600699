"""The affair endpoints through HTTP, on SQLite and on Postgres."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from tests.api.support import as_role, assert_problem, log_position

AFFAIR = {
    "name": "Pumping station",
    "prospect": "Commune de Vals",
    "currency": "EUR",
    "expected_amount": "10000",
    "sale_type": "product",
    "zone": "north",
    "country": "FR",
}


def open_affair(client: TestClient, **body: Any) -> str:
    response = client.post("/affairs", json={**AFFAIR, **body})
    assert response.status_code == 201, response.text
    affair_id: str = response.json()["id"]
    return affair_id


def view(client: TestClient, affair_id: str) -> dict[str, Any]:
    response = client.get(f"/affairs/{affair_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def row(affair: dict[str, Any], category: str) -> dict[str, Any]:
    found: dict[str, Any] = next(r for r in affair["budget"]["rows"] if r["category"] == category)
    return found


def cost(client: TestClient, affair_id: str, amount: str, **body: Any) -> Any:
    fields = {
        "category": "purchases",
        "amount": amount,
        "document_ref": "PO-1",
        "document_date": "2026-10-01",
    }
    return client.post(f"/affairs/{affair_id}/costs", json={**fields, **body})


# --- A1, A2 ------------------------------------------------------------------------------


def test_an_opened_affair_shows_its_stage_probability_weighted_amount_and_budget(
    client: TestClient,
) -> None:
    response = client.post("/affairs", json={**AFFAIR, "reason": "trade fair"})
    assert response.status_code == 201
    created = response.json()
    assert response.headers["Location"] == f"/affairs/{created['id']}"
    assert response.headers["ETag"] == '"1"'
    affair = view(client, created["id"])
    assert (affair["stage"], affair["probability"], affair["status"]) == ("P", 10, "open")
    assert affair["salesperson"] == "alice"
    # 10,000 × 10 % × 0.75 (medium risk)
    assert affair["weighted_amount"] == "750.00"
    assert row(affair, "labour") == {
        "category": "labour",
        "budget": "0.00",
        "actual": "0.00",
        "committed": "0.00",
        "variance": "0.00",
        "forecast": "0.00",
    }
    assert affair["open_alerts"] == []


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"sale_type": "barter"}, "invalid-request"),
        ({"expected_amount": "-1"}, "invalid-request"),
        ({"expected_amount": "NaN"}, "invalid-request"),
        ({"name": "x" * 201}, "invalid-request"),
        ({"colour": "blue"}, "invalid-request"),
        ({"currency": "XXX"}, "unknown-currency"),
        ({"prospect": None}, "invalid-input"),
        ({"start": "2026-06-01", "end": "2026-01-01"}, "invalid-affair-period"),
        ({"stages": [{"code": "a", "name": "a", "probability": 1}] * 2}, "invalid-stage-ladder"),
    ],
)
def test_opening_with_bad_values_is_refused_and_appends_nothing(
    client: TestClient, change: dict[str, Any], code: str
) -> None:
    before = log_position(client)
    assert_problem(client.post("/affairs", json={**AFFAIR, **change}), 422, code)
    assert log_position(client) == before


def test_opportunity_fields_are_patched_and_an_empty_patch_is_refused(client: TestClient) -> None:
    affair_id = open_affair(client)
    patched = client.patch(f"/affairs/{affair_id}", json={"risk": "high", "competitors": ["B"]})
    assert patched.status_code == 200
    affair = view(client, affair_id)
    assert (affair["risk"], affair["competitors"], affair["version"]) == ("high", ["B"], 2)
    assert_problem(client.patch(f"/affairs/{affair_id}", json={}), 422, "invalid-request")
    assert_problem(client.patch(f"/affairs/{affair_id}", json={"name": None}), 422, "invalid-input")


def test_an_affair_moves_is_lost_with_a_reason_and_reopens(client: TestClient) -> None:
    affair_id = open_affair(client)
    moved = client.post(f"/affairs/{affair_id}/stage", json={"stage": "M"})
    assert moved.status_code == 200
    assert view(client, affair_id)["probability"] == 50
    assert_problem(
        client.post(f"/affairs/{affair_id}/stage", json={"stage": "Z"}), 422, "unknown-stage"
    )
    assert_problem(client.post(f"/affairs/{affair_id}/lose", json={}), 422, "invalid-request")
    lost = client.post(f"/affairs/{affair_id}/lose", json={"reason": "price too high"})
    assert lost.status_code == 200
    assert view(client, affair_id)["lost_reason"] == "price too high"
    before = log_position(client)
    refused = client.post(f"/affairs/{affair_id}/stage", json={"stage": "B"})
    assert_problem(refused, 409, "invalid-transition")
    assert log_position(client) == before
    reopened = client.post(f"/affairs/{affair_id}/reopen", json={"reason": "new tender"})
    assert reopened.status_code == 200
    affair = view(client, affair_id)
    assert (affair["stage"], affair["lost_reason"]) == ("M", None)
    assert [e["code"] for e in affair["stage_history"]] == ["P", "M", "lost", "M"]


def test_only_a_manager_reassigns_an_affair_and_the_reason_is_kept(client: TestClient) -> None:
    affair_id = open_affair(client)
    body = {"salesperson": "bob", "reason": "alice on leave"}
    assert_problem(client.post(f"/affairs/{affair_id}/reassign", json=body), 403, "forbidden")
    manager = as_role(client, "max", "manager")
    done = client.post(f"/affairs/{affair_id}/reassign", json=body, headers=manager)
    assert done.status_code == 200
    assert view(client, affair_id)["salesperson"] == "bob"
    history = client.get(f"/affairs/{affair_id}/history").json()
    assert (history[-1]["type"], history[-1]["actor"], history[-1]["reason"]) == (
        "Affair.Reassigned",
        "max",
        "alice on leave",
    )
    missing = client.post(f"/affairs/{uuid4()}/reassign", json=body, headers=manager)
    assert_problem(missing, 404, "not-found")


# --- A4 ------------------------------------------------------------------------------------


def test_a_baseline_is_readable_as_it_was_after_later_budget_changes(client: TestClient) -> None:
    affair_id = open_affair(client)
    assert client.put(f"/affairs/{affair_id}/budget/labour", json={"amount": "5000"}).is_success
    frozen = client.post(f"/affairs/{affair_id}/budget/baselines", json={"reason": "signed"})
    assert frozen.status_code == 201
    assert frozen.json()["result"] == {"baseline": 1}
    assert frozen.headers["Location"] == f"/affairs/{affair_id}/budget/baselines/1"
    client.put(f"/affairs/{affair_id}/budget/labour", json={"amount": "6500.505"})
    baseline = client.get(f"/affairs/{affair_id}/budget/baselines/1").json()
    assert (baseline["reason"], baseline["amounts"]) == ("signed", {"labour": "5000.00"})
    assert row(view(client, affair_id), "labour")["budget"] == "6500.51"
    assert_problem(client.get(f"/affairs/{affair_id}/budget/baselines/2"), 404, "not-found")
    assert_problem(
        client.put(f"/affairs/{affair_id}/budget/travel", json={"amount": "1"}),
        422,
        "invalid-request",
    )
    assert_problem(
        client.post(f"/affairs/{affair_id}/budget/baselines", json={}), 422, "invalid-request"
    )


# --- A5, A6 ----------------------------------------------------------------------------------


def test_a_time_entry_costs_hours_times_the_employees_rate(client: TestClient) -> None:
    affair_id = open_affair(client)
    rate = {"employee": "eve", "rate": "62.50", "valid_from": "2026-01-01"}
    assert_problem(client.post(f"/affairs/{affair_id}/hourly-rates", json=rate), 403, "forbidden")
    accountant = as_role(client, "ann", "accountant")
    set_rate = client.post(f"/affairs/{affair_id}/hourly-rates", json=rate, headers=accountant)
    assert set_rate.status_code == 200
    entry = {"employee": "eve", "day": "2026-03-02", "hours": "7.5"}
    logged = client.post(f"/affairs/{affair_id}/time-entries", json=entry)
    assert logged.status_code == 201
    affair = view(client, affair_id)
    assert affair["actuals"]["labour"] == [
        {
            "employee": "eve",
            "entries": 1,
            "hours": "7.5",
            "billable_hours": "7.5",
            "non_billable_hours": "0",
            "cost": "468.75",
        }
    ]
    assert row(affair, "labour")["actual"] == "468.75"
    missing = client.post(f"/affairs/{affair_id}/time-entries", json={**entry, "employee": "zoe"})
    assert_problem(missing, 422, "missing-hourly-rate")
    override = {**entry, "hourly_rate": "500"}
    before = log_position(client)
    refused = client.post(f"/affairs/{affair_id}/time-entries", json=override)
    assert_problem(refused, 403, "forbidden")
    assert log_position(client) == before
    manager = as_role(client, "max", "manager")
    priced = client.post(f"/affairs/{affair_id}/time-entries", json=override, headers=manager)
    assert priced.status_code == 201
    assert row(view(client, affair_id), "labour")["actual"] == "4218.75"
    too_long = client.post(f"/affairs/{affair_id}/time-entries", json={**entry, "hours": "25"})
    assert_problem(too_long, 422, "invalid-request")


def test_a_blocking_policy_refuses_an_over_budget_purchase_and_appends_nothing(
    client: TestClient,
) -> None:
    affair_id = open_affair(client, alert_policy="blocking")
    client.put(f"/affairs/{affair_id}/budget/purchases", json={"amount": "1000"})
    assert cost(client, affair_id, "800").status_code == 201
    before = log_position(client)
    assert_problem(cost(client, affair_id, "300", document_ref="PO-2"), 409, "budget-exceeded")
    assert log_position(client) == before
    affair = view(client, affair_id)
    assert row(affair, "purchases")["actual"] == "800.00"
    assert affair["open_alerts"] == []


def test_an_informative_policy_records_the_cost_and_an_alert_a_manager_closes(
    client: TestClient,
) -> None:
    affair_id = open_affair(client)
    client.put(f"/affairs/{affair_id}/budget/purchases", json={"amount": "1000"})
    recorded = cost(client, affair_id, "1200")
    assert recorded.status_code == 201
    affair = view(client, affair_id)
    assert row(affair, "purchases")["variance"] == "-200.00"
    [alert] = affair["open_alerts"]
    assert (alert["kind"], alert["document_ref"]) == ("budget", "PO-1")
    assert recorded.json()["result"] == {"alert_ids": [alert["alert_id"]]}
    close = f"/affairs/{affair_id}/alerts/{alert['alert_id']}/close"
    assert_problem(client.post(close, json={"note": "ok"}), 403, "forbidden")
    manager = as_role(client, "max", "manager")
    assert client.post(close, json={"note": "accepted"}, headers=manager).status_code == 200
    assert view(client, affair_id)["open_alerts"] == []
    assert_problem(client.post(close, headers=manager), 409, "invalid-transition")
    unknown = f"/affairs/{affair_id}/alerts/{uuid4()}/close"
    assert_problem(client.post(unknown, headers=manager), 404, "unknown-alert")


def test_a_committed_cost_is_received_once(client: TestClient) -> None:
    affair_id = open_affair(client)
    committed = cost(client, affair_id, "300", category="subcontracting", committed=True)
    assert committed.status_code == 201
    assert row(view(client, affair_id), "subcontracting")["committed"] == "300.00"
    accountant = as_role(client, "ann", "accountant")
    receive = f"/affairs/{affair_id}/costs/PO-1/receive"
    assert client.post(receive, headers=accountant).status_code == 200
    assert row(view(client, affair_id), "subcontracting")["actual"] == "300.00"
    assert_problem(client.post(receive), 404, "unknown-committed-cost")
    assert_problem(cost(client, affair_id, "1", category="labour"), 422, "invalid-request")
    outside = cost(client, open_affair(client, start="2026-11-01", alert_policy="blocking"), "1")
    assert_problem(outside, 409, "date-outside-affair-period")


def test_revenue_and_progress_give_the_forecast_margin(client: TestClient) -> None:
    affair_id = open_affair(client)
    client.put(f"/affairs/{affair_id}/budget/purchases", json={"amount": "1000"})
    cost(client, affair_id, "400")
    revenue = {"kind": "ordered", "amount": "9000", "document_ref": "SO-1"}
    recorded = client.post(
        f"/affairs/{affair_id}/revenue", json={**revenue, "document_date": "2026-10-02"}
    )
    assert recorded.status_code == 201
    assert client.post(f"/affairs/{affair_id}/progress", json={"percent": "50"}).is_success
    budget = view(client, affair_id)["budget"]
    assert (budget["progress"], budget["forecast_cost"], budget["forecast_margin"]) == (
        "50",
        "800.00",
        "8200.00",
    )
    assert_problem(
        client.post(f"/affairs/{affair_id}/progress", json={"percent": "101"}),
        422,
        "invalid-request",
    )
    assert_problem(
        client.post(f"/affairs/{affair_id}/revenue", json=revenue), 422, "invalid-request"
    )


# --- A8, A9 ------------------------------------------------------------------------------------


def test_an_action_is_recorded_and_completed(client: TestClient) -> None:
    affair_id = open_affair(client)
    action = {"kind": "appointment", "subject": "Site visit", "assignee": "alice"}
    recorded = client.post(f"/affairs/{affair_id}/actions", json={**action, "due": "2026-11-09"})
    assert recorded.status_code == 201
    action_id = recorded.json()["result"]["action_id"]
    done = client.post(f"/affairs/{affair_id}/actions/{action_id}/complete")
    assert done.status_code == 200
    [shown] = view(client, affair_id)["actions"]
    assert (shown["kind"], shown["due"], shown["completed_at"] is not None) == (
        "appointment",
        "2026-11-09",
        True,
    )
    assert_problem(
        client.post(f"/affairs/{affair_id}/actions/{uuid4()}/complete"), 404, "unknown-action"
    )
    assert_problem(
        client.post(f"/affairs/{affair_id}/actions", json={**action, "kind": "fax"}),
        422,
        "invalid-request",
    )


def test_a_second_currency_converts_at_the_zone_rate(client: TestClient) -> None:
    affair_id = open_affair(client)
    rate = f"/affairs/{affair_id}/rates/north"
    assert_problem(client.put(rate, json={"rate": "1.25"}), 422, "currency-not-configured")
    second = {"currency": "USD", "rate": "1.10"}
    assert client.put(f"/affairs/{affair_id}/second-currency", json=second).is_success
    assert client.put(rate, json={"rate": "1.25"}).is_success
    currency = view(client, affair_id)["second_currency"]
    assert (currency["rate_in_force"], currency["expected_amount"]) == ("1.25", "12500.00")
    assert_problem(client.put(rate, json={"rate": "0"}), 422, "invalid-request")
    assert_problem(
        client.put(f"/affairs/{affair_id}/second-currency", json={"currency": "EUR", "rate": "1"}),
        422,
        "invalid-input",
    )


# --- bulk actions (A8) -------------------------------------------------------------------------


def test_a_bulk_action_reports_the_failing_item_and_applies_the_others(
    client: TestClient,
) -> None:
    first, second, missing = open_affair(client), open_affair(client), str(uuid4())
    body = {
        "affair_ids": [first, missing, second],
        "action": {
            "type": "record_action",
            "kind": "email",
            "subject": "New tariff",
            "assignee": "alice",
        },
    }
    response = client.post("/affairs/bulk-actions", json=body, headers={"Idempotency-Key": "k"})
    assert response.status_code == 200
    result = response.json()
    assert (result["succeeded"], result["failed"]) == (2, 1)
    items = result["items"]
    assert [(i["affair_id"], i["ok"]) for i in items] == [
        (first, True),
        (missing, False),
        (second, True),
    ]
    assert (items[1]["status"], items[1]["error"]) == (404, "not-found")
    assert items[0]["version"] == 2
    assert result["position"] == items[2]["position"] == log_position(client)
    for affair_id in (first, second):
        assert view(client, affair_id)["actions"][0]["subject"] == "New tariff"
    again = client.post("/affairs/bulk-actions", json=body, headers={"Idempotency-Key": "k"})
    assert again.json()["items"] == items
    assert log_position(client) == result["position"]


def test_a_bulk_reassignment_needs_a_manager_and_skips_a_lost_affair(client: TestClient) -> None:
    kept, lost = open_affair(client), open_affair(client)
    client.post(f"/affairs/{lost}/lose", json={"reason": "no budget"})
    body = {"affair_ids": [lost, kept], "action": {"type": "reassign", "salesperson": "bob"}}
    before = log_position(client)
    assert_problem(client.post("/affairs/bulk-actions", json=body), 403, "forbidden")
    assert log_position(client) == before
    manager = as_role(client, "max", "manager")
    response = client.post(
        "/affairs/bulk-actions", json={**body, "reason": "territories"}, headers=manager
    )
    items = response.json()["items"]
    assert [(i["ok"], i["error"]) for i in items] == [(False, "invalid-transition"), (True, None)]
    assert view(client, kept)["salesperson"] == "bob"
    assert view(client, lost)["salesperson"] == "alice"


def test_a_malformed_bulk_action_is_refused_whole(client: TestClient) -> None:
    affair_id = open_affair(client)
    note = {"type": "record_action", "kind": "note", "subject": "x", "assignee": "alice"}
    before = log_position(client)
    for body in (
        {"affair_ids": [], "action": note},
        {"affair_ids": [affair_id], "action": {**note, "type": "delete"}},
    ):
        assert_problem(client.post("/affairs/bulk-actions", json=body), 422, "invalid-request")
    repeated = {"affair_ids": [affair_id, affair_id], "action": note}
    assert_problem(client.post("/affairs/bulk-actions", json=repeated), 422, "invalid-input")
    assert log_position(client) == before


# --- reads, versions, keys -------------------------------------------------------------------


def test_an_earlier_version_and_the_history_of_an_affair_can_be_read(client: TestClient) -> None:
    affair_id = open_affair(client, reason="lead")
    client.post(f"/affairs/{affair_id}/stage", json={"stage": "E"})
    first = client.get(f"/affairs/{affair_id}", params={"version": 1})
    assert (first.json()["stage"], first.headers["ETag"]) == ("P", '"1"')
    assert_problem(client.get(f"/affairs/{affair_id}", params={"version": 9}), 404, "not-found")
    history = client.get(f"/affairs/{affair_id}/history").json()
    assert [h["type"] for h in history] == ["Affair.Opened", "Affair.StageChanged"]
    assert (history[0]["actor"], history[0]["reason"], history[0]["command"]) == (
        "alice",
        "lead",
        "affair.open",
    )
    quote_id = client.post("/quotes", json={"currency": "EUR", "prospect": "M"}).json()["id"]
    assert_problem(client.get(f"/affairs/{quote_id}/history"), 404, "not-found")
    assert_problem(client.get(f"/affairs/{quote_id}"), 404, "not-found")


def test_a_stale_if_match_is_a_conflict_and_a_retry_is_replayed(client: TestClient) -> None:
    affair_id = open_affair(client)
    stale = client.post(
        f"/affairs/{affair_id}/progress", json={"percent": "10"}, headers={"If-Match": '"5"'}
    )
    assert assert_problem(stale, 409, "stale-version")["current_version"] == 1
    headers = {"Idempotency-Key": "progress-1", "If-Match": '"1"'}
    first = client.post(f"/affairs/{affair_id}/progress", json={"percent": "10"}, headers=headers)
    again = client.post(f"/affairs/{affair_id}/progress", json={"percent": "10"}, headers=headers)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"


def test_without_a_key_nothing_is_read_or_written(client: TestClient) -> None:
    affair_id = open_affair(client)
    del client.headers["X-API-Key"]
    assert_problem(client.post("/affairs", json=AFFAIR), 401, "unauthenticated")
    assert_problem(client.get(f"/affairs/{affair_id}"), 401, "unauthenticated")
    assert_problem(client.get(f"/affairs/{affair_id}/history"), 401, "unauthenticated")


def test_an_auditor_reads_but_cannot_open_an_affair(client: TestClient) -> None:
    affair_id = open_affair(client)
    auditor = as_role(client, "aud", "auditor")
    assert client.get(f"/affairs/{affair_id}", headers=auditor).status_code == 200
    assert (
        client.get(f"/affairs/{affair_id}/budget/baselines/1", headers=auditor).status_code == 404
    )
    assert_problem(client.post("/affairs", json=AFFAIR, headers=auditor), 403, "forbidden")
    assert_problem(
        client.post(f"/affairs/{affair_id}/progress", json={"percent": "1"}, headers=auditor),
        403,
        "forbidden",
    )
