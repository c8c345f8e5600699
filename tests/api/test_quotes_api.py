"""The quote endpoints through HTTP, on SQLite and on Postgres."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from application.journal import CommandContext
from tests.api.support import PROBLEM, assert_problem, issue_key
from tests.conftest import FrozenClock


def draft(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/quotes", json={"currency": "EUR", "prospect": "Martin", **body})
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def add_line(client: TestClient, quote_id: str, **body: Any) -> Any:
    line = {
        "description": "Cash register",
        "quantity": "3",
        "unit_price": "19.99",
        "vat_rate": "20",
    }
    return client.post(f"/quotes/{quote_id}/lines", json={**line, **body})


def test_drafting_returns_the_id_version_position_and_links(client: TestClient) -> None:
    created = draft(client, valid_until="2026-12-31")
    assert created["version"] == 1
    assert created["position"] >= 1
    assert created["links"]["history"] == f"/quotes/{created['id']}/history"


def test_a_quote_is_drafted_priced_sent_and_accepted(client: TestClient) -> None:
    quote_id = draft(client)["id"]
    added = add_line(client, quote_id, discount={"kind": "percent", "value": "10"})
    assert added.status_code == 201
    assert added.json()["result"] == {"line_id": "1"}
    sent = client.post(f"/quotes/{quote_id}/send", headers={"If-Match": '"2"'})
    assert sent.status_code == 200
    accepted = client.post(f"/quotes/{quote_id}/accept", json={"reason": "signed at the shop"})
    assert accepted.json()["version"] == 4
    quote = client.get(f"/quotes/{quote_id}").json()
    assert quote["status"] == "accepted"
    # 3 × 19.99 = 59.97 less 10 % = 53.97; VAT 20 % = 10.794 → 10.79
    assert quote["totals"] == {
        "net": "53.97",
        "vat": "10.79",
        "gross": "64.76",
        "vat_by_rate": [{"rate": "20", "vat": "10.79"}],
        "margin": None,
    }


def test_lines_can_be_changed_and_removed_while_draft(client: TestClient) -> None:
    quote_id = draft(client)["id"]
    add_line(client, quote_id)
    changed = client.patch(f"/quotes/{quote_id}/lines/1", json={"quantity": "5"})
    assert changed.status_code == 200
    assert client.get(f"/quotes/{quote_id}").json()["lines"][0]["quantity"] == "5"
    removed = client.delete(f"/quotes/{quote_id}/lines/1")
    assert removed.status_code == 200
    assert client.get(f"/quotes/{quote_id}").json()["lines"] == []


def test_a_declined_quote_records_the_reason(client: TestClient) -> None:
    quote_id = draft(client)["id"]
    add_line(client, quote_id)
    client.post(f"/quotes/{quote_id}/send")
    declined = client.post(f"/quotes/{quote_id}/decline", json={"reason": "too expensive"})
    assert declined.status_code == 200
    history = client.get(f"/quotes/{quote_id}/history").json()
    assert history[-1]["type"] == "Quote.Declined"
    assert history[-1]["reason"] == "too expensive"


def test_history_lists_every_event_with_actor_time_reason_and_command(
    client: TestClient, clock: FrozenClock
) -> None:
    quote_id = draft(client, reason="trade fair")["id"]
    add_line(client, quote_id)
    history = client.get(f"/quotes/{quote_id}/history").json()
    assert [h["type"] for h in history] == ["Quote.Drafted", "Quote.LineAdded"]
    assert history[0]["actor"] == "alice"
    assert history[0]["reason"] == "trade fair"
    assert history[0]["command"] == "quote.draft"
    assert history[1]["data"]["line"]["unit_price"] == "19.99"
    assert history[0]["data"]["at"].startswith(clock.now.date().isoformat())


def test_an_earlier_version_of_a_quote_can_be_read(client: TestClient) -> None:
    quote_id = draft(client)["id"]
    add_line(client, quote_id)
    first = client.get(f"/quotes/{quote_id}", params={"version": 1}).json()
    assert first["version"] == 1
    assert first["lines"] == []
    missing = client.get(f"/quotes/{quote_id}", params={"version": 9})
    assert_problem(missing, 404, "not-found")


def test_the_view_answers_after_the_command_with_min_position(client: TestClient) -> None:
    created = draft(client)
    added = add_line(client, created["id"]).json()
    page = client.get("/views/quotes", params={"min_position": added["position"]})
    assert page.status_code == 200
    body = page.json()
    assert body["position"] >= added["position"]
    [row] = [r for r in body["items"] if r["quote_id"] == created["id"]]
    assert (row["status"], row["total_net"], row["total_gross"]) == ("draft", "59.97", "71.96")
    manager = {"X-API-Key": issue_key(client, "max", "manager")}
    audit = client.get("/views/audit", params={"document_id": created["id"]}, headers=manager)
    audit = audit.json()
    assert [r["event_type"] for r in audit["items"]] == ["Quote.Drafted", "Quote.LineAdded"]


def test_waiting_for_a_position_no_command_produced_is_a_client_error(client: TestClient) -> None:
    assert_problem(
        client.get("/views/quotes", params={"min_position": 10**9}), 422, "position-not-recorded"
    )


def test_an_idempotent_retry_returns_the_first_response_and_appends_nothing(
    client: TestClient,
) -> None:
    headers = {"Idempotency-Key": "draft-42"}
    body = {"currency": "EUR", "prospect": "Martin"}
    first = client.post("/quotes", json=body, headers=headers)
    again = client.post("/quotes", json=body, headers=headers)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert client.get("/health").json()["log_position"] == first.json()["position"]
    other = client.post("/quotes", json={**body, "prospect": "Dupont"}, headers=headers)
    assert_problem(other, 422, "idempotency-key-reused")


def test_a_stale_if_match_is_a_conflict_with_the_current_version(client: TestClient) -> None:
    quote_id = draft(client)["id"]
    add_line(client, quote_id)
    stale = client.post(f"/quotes/{quote_id}/send", headers={"If-Match": '"1"'})
    assert assert_problem(stale, 409, "stale-version")["current_version"] == 2
    assert_problem(
        client.post(f"/quotes/{quote_id}/send", headers={"If-Match": "soon"}),
        422,
        "invalid-input",
    )


def test_a_forbidden_transition_is_a_conflict(client: TestClient) -> None:
    quote_id = draft(client)["id"]
    assert_problem(client.post(f"/quotes/{quote_id}/accept"), 409, "invalid-transition")


def test_sending_an_empty_quote_is_refused(client: TestClient) -> None:
    quote_id = draft(client)["id"]
    assert_problem(client.post(f"/quotes/{quote_id}/send"), 409, "empty-quote")


def test_unknown_documents_and_lines_are_not_found(client: TestClient) -> None:
    unknown = "00000000-0000-0000-0000-000000000000"
    assert_problem(client.get(f"/quotes/{unknown}"), 404, "not-found")
    assert_problem(client.get(f"/quotes/{unknown}/history"), 404, "not-found")
    assert_problem(client.post(f"/quotes/{unknown}/send"), 404, "not-found")
    quote_id = draft(client)["id"]
    assert_problem(client.delete(f"/quotes/{quote_id}/lines/7"), 404, "unknown-line")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"currency": "EUR", "prospect": "A", "valid_until": "2026-13-01"}, "body.valid_until"),
        ({"currency": "EURO", "prospect": "A"}, "body.currency"),
        ({"currency": "EUR", "prospect": "A", "colour": "red"}, "body.colour"),
        ({"prospect": "A"}, "body.currency"),
    ],
)
def test_malformed_drafts_say_which_field_is_wrong(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    problem = assert_problem(client.post("/quotes", json=body), 422, "invalid-request")
    assert field in [e["field"] for e in problem["errors"]]


def test_business_rule_violations_on_input_are_422(client: TestClient) -> None:
    assert_problem(
        client.post("/quotes", json={"currency": "XXX", "prospect": "A"}),
        422,
        "unknown-currency",
    )
    assert_problem(client.post("/quotes", json={"currency": "EUR"}), 422, "quote-party-required")


@pytest.mark.parametrize(
    "line",
    [
        {"quantity": "NaN"},
        {"quantity": "-1"},
        {"unit_price": "1e400"},
        {"vat_rate": "250"},
        {"discount": {"kind": "percent", "value": "150"}},
        {"description": "x" * 5000},
    ],
)
def test_hostile_line_values_are_refused_and_append_nothing(
    client: TestClient, line: dict[str, Any]
) -> None:
    quote_id = draft(client)["id"]
    before = client.get("/health").json()["log_position"]
    response = add_line(client, quote_id, **line)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert client.get("/health").json()["log_position"] == before


def test_commands_need_a_valid_key_and_record_its_user_not_a_header(client: TestClient) -> None:
    body = {"currency": "EUR", "prospect": "A"}
    anonymous = client.post("/quotes", json=body, headers={"X-API-Key": ""})
    assert_problem(anonymous, 401, "unauthenticated")
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    forged = client.post("/quotes", json=body, headers={"X-API-Key": "cpt_forged"})
    assert_problem(forged, 401, "unauthenticated")
    quote_id = client.post("/quotes", json=body, headers={"X-Actor": "mallory"}).json()["id"]
    assert client.get(f"/quotes/{quote_id}/history").json()[0]["actor"] == "alice"


def test_a_bearer_token_works_like_the_key_header(client: TestClient) -> None:
    key = client.headers.pop("X-API-Key")
    response = client.post(
        "/quotes",
        json={"currency": "EUR", "prospect": "A"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 201


def test_roles_are_enforced(client: TestClient) -> None:
    auditor = {"X-API-Key": issue_key(client, "audrey", "auditor")}
    quote_id = draft(client)["id"]
    refused = client.post(f"/quotes/{quote_id}/lines", json={}, headers=auditor)
    assert_problem(refused, 403, "forbidden")
    assert client.get(f"/quotes/{quote_id}/history", headers=auditor).status_code == 200
    assert client.get("/views/audit", headers=auditor).status_code == 200
    assert_problem(client.get("/views/audit"), 403, "forbidden")


def test_broken_json_is_a_clear_422(client: TestClient) -> None:
    response = client.post(
        "/quotes", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_problem(response, 422, "invalid-request")


def test_the_openapi_document_describes_the_quote_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/quotes",
        "/quotes/{quote_id}/lines",
        "/quotes/{quote_id}/history",
        "/views/quotes",
    ):
        assert path in paths


def test_the_first_admin_key_is_made_once_and_can_issue_and_revoke_keys(
    client: TestClient,
) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    context = CommandContext(actor="system", at=services.clock())
    admin_key = services.app.access.bootstrap_admin(context)
    assert admin_key is not None
    assert services.app.access.bootstrap_admin(context) is None
    admin = {"X-API-Key": admin_key}
    issued = client.post("/admin/keys", json={"user": "bob", "roles": ["sales"]}, headers=admin)
    assert issued.status_code == 201, issued.text
    bob = {"X-API-Key": issued.json()["key"]}
    assert client.post("/quotes", json={"currency": "EUR", "prospect": "A"}, headers=bob).is_success
    assert_problem(
        client.post("/admin/keys", json={"user": "eve", "roles": ["admin"]}), 403, "forbidden"
    )
    revoked = client.delete(f"/admin/keys/{issued.json()['id']}", headers=admin)
    assert revoked.status_code == 200
    refused = client.post("/quotes", json={"currency": "EUR", "prospect": "A"}, headers=bob)
    assert_problem(refused, 401, "unauthenticated")
    bad_role = client.post("/admin/keys", json={"user": "eve", "roles": ["boss"]}, headers=admin)
    assert_problem(bad_role, 422, "invalid-request")
