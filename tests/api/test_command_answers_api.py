"""Command answers (issue 16): typed results with a model per route, replays of old and new
journal rows, and commands that had nothing to do saying so. On SQLite and on Postgres."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import orjson
import psycopg
import pytest
from fastapi.testclient import TestClient

from interfaces.http.app import create_app
from interfaces.settings import Settings
from tests.api.billing_support import billable_customer
from tests.api.support import as_role, issue_key, log_position
from tests.conftest import FrozenClock, pg_dsn

LINE = {"description": "support", "quantity": "2", "unit_price": "49.99", "vat_rate": "20"}


def sign(client: TestClient, start: str) -> str:
    body = {
        "customer_id": billable_customer(client),
        "currency": "EUR",
        "lines": [LINE],
        "frequency": "month",
        "start": start,
    }
    response = client.post("/contracts", json=body)
    assert response.status_code == 201, response.text
    contract_id: str = response.json()["id"]
    return contract_id


def rewrite_result(settings: Settings, key: str, result: dict[str, str]) -> None:
    """Make a journal row hold its result as rows written before results were typed did."""
    text = orjson.dumps(result).decode()
    if settings.event_store == "sqlite":
        with sqlite3.connect(settings.sqlite_path) as conn:
            changed = conn.execute(
                "UPDATE command_journal SET result = ? WHERE idempotency_key = ?", (text, key)
            ).rowcount
        conn.close()
    else:
        table = f"{settings.pg_schema}.comptoir_commands"
        with psycopg.connect(**pg_dsn(), autocommit=True) as pg:  # type: ignore[arg-type]
            changed = pg.execute(
                f"UPDATE {table} SET result = %s::jsonb WHERE idempotency_key = %s", (text, key)
            ).rowcount
    assert changed == 1


def test_a_bill_answers_booleans_counts_and_amounts_at_the_minor_unit(
    client: TestClient,
) -> None:
    contract_id = sign(client, "2026-01-31")
    billing = as_role(client, "anna", "accountant")
    billed = client.post(
        f"/contracts/{contract_id}/bill", json={"period_index": 0}, headers=billing
    )
    assert billed.status_code == 201, billed.text
    result = billed.json()["result"]
    assert result["already_billed"] is False
    assert result["period_index"] == 0
    # 2 × 49.99 = 99.98 net, 20 % VAT = 20.00 (never "20"), 119.98 gross
    assert (result["net"], result["vat"], result["gross"]) == ("99.98", "20.00", "119.98")


def test_a_replay_answers_the_typed_result_the_journal_stored(client: TestClient) -> None:
    contract_id = sign(client, "2026-01-31")
    headers = {**as_role(client, "anna", "accountant"), "Idempotency-Key": "bill-0"}
    bill = f"/contracts/{contract_id}/bill"
    first = client.post(bill, json={"period_index": 0}, headers=headers)
    again = client.post(bill, json={"period_index": 0}, headers=headers)
    assert again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again.json()["result"]["already_billed"] is False


def test_a_journal_row_written_before_results_were_typed_replays_in_todays_shape(
    client: TestClient, settings: Settings
) -> None:
    contract_id = sign(client, "2026-01-31")
    headers = {**as_role(client, "anna", "accountant"), "Idempotency-Key": "old-bill"}
    bill = f"/contracts/{contract_id}/bill"
    first = client.post(bill, json={"period_index": 0}, headers=headers).json()["result"]
    old = {k: str(v) for k, v in first.items() if v is not None}
    old |= {"already_billed": "false", "period_index": "0"}
    rewrite_result(settings, "old-bill", old)
    replayed = client.post(bill, json={"period_index": 0}, headers=headers)
    assert replayed.status_code == 201, replayed.text
    assert replayed.json()["result"] == first


def test_old_comma_joined_lists_replay_as_lists(client: TestClient, settings: Settings) -> None:
    affair_id = client.post("/affairs", json=affair()).json()["id"]
    budget = client.put(f"/affairs/{affair_id}/budget/purchases", json={"amount": "1000"})
    assert budget.status_code == 200, budget.text
    headers = {"Idempotency-Key": "cost-1"}
    costs = f"/affairs/{affair_id}/costs"
    recorded = client.post(costs, json=cost("1200"), headers=headers)
    assert recorded.status_code == 201, recorded.text
    raised = recorded.json()["result"]["alert_ids"]
    assert isinstance(raised, list)
    assert len(raised) == 1
    rewrite_result(settings, "cost-1", {"alert_ids": ",".join(raised)})
    again = client.post(costs, json=cost("1200"), headers=headers)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["result"] == {"alert_ids": raised}


def cost(amount: str) -> dict[str, str]:
    return {
        "category": "purchases",
        "amount": amount,
        "document_ref": "PO-1",
        "document_date": "2026-10-01",
    }


def affair() -> dict[str, Any]:
    return {
        "name": "Pumping station",
        "prospect": "Martin",
        "currency": "EUR",
        "expected_amount": "12000",
        "sale_type": "study",
    }


def test_an_entry_that_raises_no_alert_says_so_with_an_empty_list(client: TestClient) -> None:
    affair_id = client.post("/affairs", json=affair()).json()["id"]
    recorded = client.post(f"/affairs/{affair_id}/costs", json=cost("10"))
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["result"] == {"alert_ids": []}


def test_bill_due_with_nothing_due_says_so_and_gives_a_position_to_wait_on(
    client: TestClient,
) -> None:
    contract_id = sign(client, "2027-06-30")  # starts after today (2026-11-02)
    billing = as_role(client, "anna", "accountant")
    due = client.post(f"/contracts/{contract_id}/bill-due", headers=billing)
    assert due.status_code == 200, due.text
    body = due.json()
    assert (body["billed"], body["nothing_billed"]) == ([], True)
    assert body["position"] == log_position(client)
    view = client.get(f"/views/contracts?min_position={body['position']}")
    assert view.status_code == 200, view.text


def test_bill_due_that_billed_answers_the_position_of_its_last_period(
    client: TestClient,
) -> None:
    contract_id = sign(client, "2026-08-31")
    billing = as_role(client, "anna", "accountant")
    due = client.post(f"/contracts/{contract_id}/bill-due", headers=billing).json()
    assert due["nothing_billed"] is False
    assert [b["result"]["period_index"] for b in due["billed"]] == [0, 1, 2]
    assert due["position"] == due["billed"][-1]["position"] == log_position(client)


@pytest.fixture
def strict(settings: Settings, clock: FrozenClock) -> Iterator[TestClient]:
    """Quotes above 1,000 net need a manager's approval."""
    configured = settings.model_copy(update={"approval_max_total": Decimal("1000")})
    with TestClient(create_app(configured, clock)) as client:
        client.headers["X-API-Key"] = issue_key(client, "alice", "sales")
        yield client


def quote_of(client: TestClient, price: str) -> str:
    quote_id: str = client.post("/quotes", json={"currency": "EUR", "prospect": "M"}).json()["id"]
    line = {"description": "Register", "quantity": "1", "unit_price": price, "vat_rate": "20"}
    assert client.post(f"/quotes/{quote_id}/lines", json=line).status_code == 201
    return quote_id


def approve(client: TestClient, quote_id: str) -> dict[str, Any]:
    manager = as_role(client, "max", "manager")
    body = {"reason": "margin checked"}
    approved = client.post(f"/quotes/{quote_id}/approve", json=body, headers=manager)
    assert approved.status_code == 200, approved.text
    result: dict[str, Any] = approved.json()["result"]
    return result


def test_an_approval_that_was_not_required_says_it_was_not(strict: TestClient) -> None:
    small = approve(strict, quote_of(strict, "450.00"))
    assert small == {"required": False, "reasons": []}
    large = approve(strict, quote_of(strict, "1450.00"))
    assert large["required"] is True
    assert len(large["reasons"]) == 1


def test_with_approvals_off_no_approval_is_required(client: TestClient) -> None:
    assert approve(client, quote_of(client, "99999.00")) == {"required": False, "reasons": []}


def test_every_command_route_documents_what_its_result_holds() -> None:
    """No command answers a free-form map of strings: each `result` is a named model."""
    openapi = create_app(Settings()).openapi()
    schemas = openapi["components"]["schemas"]
    untyped = []
    commands = 0
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            if method not in ("post", "put", "patch", "delete"):
                continue
            for status, answer in operation["responses"].items():
                schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
                if not status.startswith("2") or "$ref" not in schema:
                    continue
                model = schemas[schema["$ref"].rsplit("/", 1)[1]]
                result = model.get("properties", {}).get("result")
                if result is None:
                    continue
                commands += 1
                if "$ref" not in result:
                    untyped.append(f"{method.upper()} {path} {status}")
    assert commands > 100
    assert untyped == []
