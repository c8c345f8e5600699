"""`GET /affairs/{id}/diff?from=N&to=M` (A4, H2) on SQLite and Postgres: opportunity
fields, budget lines and baselines between two versions, in the shape of a quote's diff."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.support import assert_problem

UNKNOWN = "00000000-0000-0000-0000-000000000000"
AFFAIR = {
    "name": "Pumping station",
    "prospect": "Commune de Vals",
    "currency": "EUR",
    "expected_amount": "10000",
    "sale_type": "product",
}


def ok(response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_diff_names_changed_fields_budget_lines_and_new_baselines(
    client: TestClient,
) -> None:
    affair_id = ok(client.post("/affairs", json=AFFAIR))["id"]
    path = f"/affairs/{affair_id}"
    ok(client.put(f"{path}/budget/labour", json={"amount": "2000"}))  # v2
    ok(client.put(f"{path}/budget/sales", json={"amount": "10000"}))  # v3
    ok(client.post(f"{path}/budget/baselines", json={"reason": "signed budget"}))  # v4
    ok(client.put(f"{path}/budget/labour", json={"amount": "2500"}))  # v5
    ok(client.patch(path, json={"expected_amount": "12500", "risk": "low"}))  # v6
    ok(client.post(f"{path}/stage", json={"stage": "E"}))  # v7

    diff = ok(client.get(f"{path}/diff", params={"from": 1, "to": 7}))
    assert (diff["basis"], diff["from"], diff["to"]) == ("version", 1, 7)
    assert {f["name"]: (f["before"], f["after"]) for f in diff["fields"]} == {
        "stage": ("P", "E"),
        "probability": (10, 30),
        "expected_amount": ("10000.00", "12500.00"),
        "risk": ("medium", "low"),
    }
    assert diff["budget"] == [
        {"name": "labour", "before": None, "after": "2500.00"},
        {"name": "sales", "before": None, "after": "10000.00"},
    ]
    [baseline] = diff["baselines"]
    assert (baseline["number"], baseline["kind"]) == (1, "added")
    assert baseline["baseline"]["reason"] == "signed budget"
    assert baseline["baseline"]["amounts"] == {"labour": "2000.00", "sales": "10000.00"}

    # Between the baseline and now: the labour line moved, the baseline is no news.
    later = ok(client.get(f"{path}/diff", params={"from": 4, "to": 5}))
    assert (later["fields"], later["baselines"]) == ([], [])
    assert later["budget"] == [{"name": "labour", "before": "2000.00", "after": "2500.00"}]
    # Backwards, the baseline was not frozen yet.
    back = ok(client.get(f"{path}/diff", params={"from": 4, "to": 3}))
    assert [(b["number"], b["kind"]) for b in back["baselines"]] == [(1, "removed")]


def test_a_diff_needs_two_existing_versions(client: TestClient) -> None:
    affair_id = ok(client.post("/affairs", json=AFFAIR))["id"]
    path = f"/affairs/{affair_id}/diff"
    assert_problem(client.get(path, params={"from": 1, "to": 9}), 404, "not-found")
    assert_problem(client.get(path, params={"from": 1}), 422, "invalid-request")
    assert_problem(client.get(path, params={"from": 0, "to": 1}), 422, "invalid-request")
    unknown = client.get(f"/affairs/{UNKNOWN}/diff", params={"from": 1, "to": 1})
    assert_problem(unknown, 404, "not-found")
    same = ok(client.get(path, params={"from": 1, "to": 1}))
    assert (same["fields"], same["budget"], same["baselines"]) == ([], [], [])
