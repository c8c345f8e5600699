"""The quote life-cycle endpoints (Q3, Q5–Q11) through HTTP, on SQLite and on Postgres."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from application.commands import Outcome
from application.journal import CommandContext
from domain.affair import Affair
from interfaces.http.app import create_app
from interfaces.settings import Settings
from tests.api.support import as_role, assert_problem, issue_key, log_position
from tests.conftest import FrozenClock

UNKNOWN = "00000000-0000-0000-0000-000000000000"


@pytest.fixture
def strict(settings: Settings, clock: FrozenClock) -> Iterator[TestClient]:
    """A client on an app whose quotes above 1,000 net need a manager's approval."""
    configured = settings.model_copy(update={"approval_max_total": Decimal("1000")})
    with TestClient(create_app(configured, clock)) as client:
        client.headers["X-API-Key"] = issue_key(client, "alice", "sales")
        yield client


def manager(client: TestClient) -> dict[str, str]:
    return as_role(client, "max", "manager")


def quote(client: TestClient, price: str = "450.00", **body: Any) -> str:
    drafted = client.post("/quotes", json={"currency": "EUR", "prospect": "Martin", **body})
    assert drafted.status_code == 201, drafted.text
    quote_id: str = drafted.json()["id"]
    line = {
        "description": "Cash register",
        "quantity": "1",
        "unit_price": price,
        "vat_rate": "20",
        "unit_cost": "300",
    }
    assert client.post(f"/quotes/{quote_id}/lines", json=line).status_code == 201
    return quote_id


def sent(client: TestClient, **body: Any) -> str:
    quote_id = quote(client, **body)
    response = client.post(f"/quotes/{quote_id}/send")
    assert response.status_code == 200, response.text
    return quote_id


def open_affair(client: TestClient) -> str:
    services = client.app.state.services  # type: ignore[attr-defined]

    def build() -> Outcome:
        affair = Affair.open(
            services.clock(),
            name="New shop",
            customer_id=None,
            prospect="Martin",
            salesperson="alice",
            currency="EUR",
            expected_amount=Decimal("5000"),
            expected_close=None,
            zone="north",
            country="FR",
            sale_type="product",
            risk="low",
            competitors=[],
        )
        return Outcome([affair])

    context = CommandContext(actor="test", at=services.clock())
    return str(services.app.runner.run(context, "affair.open", {}, build).aggregate_id)


# -- approval (Q7) ------------------------------------------------------------------------


def test_a_quote_over_the_threshold_needs_a_managers_approval_before_it_is_sent(
    strict: TestClient,
) -> None:
    quote_id = quote(strict, price="1500.00")
    boss = manager(strict)
    before = log_position(strict)
    refused = assert_problem(strict.post(f"/quotes/{quote_id}/send"), 409, "approval-required")
    assert "net total 1500.00 exceeds 1000" in refused["detail"]
    assert log_position(strict) == before
    body = {"reason": "key account"}
    assert_problem(strict.post(f"/quotes/{quote_id}/approve", json=body), 403, "forbidden")
    no_reason = strict.post(f"/quotes/{quote_id}/approve", json={}, headers=boss)
    assert_problem(no_reason, 422, "invalid-request")
    assert log_position(strict) == before
    approved = strict.post(f"/quotes/{quote_id}/approve", json=body, headers=boss)
    assert approved.status_code == 200, approved.text
    assert approved.json()["version"] == 3
    again = strict.post(f"/quotes/{quote_id}/approve", json=body, headers=boss)
    assert_problem(again, 409, "quote-already-approved")
    assert strict.post(f"/quotes/{quote_id}/send").status_code == 200
    view = strict.get(f"/quotes/{quote_id}").json()
    assert view["approval"]["approver"] == "max"
    assert (view["approval"]["reason"], view["approval"]["revision"]) == ("key account", 1)
    assert (view["approved"], view["status"]) == (True, "sent")
    history = strict.get(f"/quotes/{quote_id}/history").json()
    assert [(h["type"], h["actor"]) for h in history][2] == ("Quote.Approved", "max")


def test_a_quote_under_the_threshold_is_sent_without_approval(strict: TestClient) -> None:
    quote_id = quote(strict, price="999.00")
    assert strict.post(f"/quotes/{quote_id}/send").status_code == 200


# -- the quote's view: discounts, validity, margin, approval --------------------------------


def test_the_quote_shows_its_validity_bucket_margins_and_links(
    client: TestClient, clock: FrozenClock
) -> None:
    quote_id = quote(client, valid_until=(clock.now + timedelta(days=8)).date().isoformat())
    assert client.get(f"/quotes/{quote_id}").json()["validity"] == "pending"
    client.post(f"/quotes/{quote_id}/send")
    view = client.get(f"/quotes/{quote_id}").json()
    assert view["validity"] == "expires_soon"
    assert view["lines"][0]["margin"] == "150.00"
    assert view["margin"] == {"amount": "150.00", "rate": "33.33"}
    assert (view["affair_id"], view["order_id"], view["approval"]) == (None, None, None)
    clock.now += timedelta(days=20)
    assert client.get(f"/quotes/{quote_id}").json()["validity"] == "expired"


def test_document_discounts_are_set_on_a_draft_in_either_mode(client: TestClient) -> None:
    quote_id = quote(client, price="100.00")
    body = {"percents": ["10", "10"], "mode": "cumulative", "reason": "loyal customer"}
    response = client.put(f"/quotes/{quote_id}/discounts", json=body)
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == '"3"'
    view = client.get(f"/quotes/{quote_id}").json()
    assert (view["discounts"], view["discount_mode"]) == (["10", "10"], "cumulative")
    assert view["totals"]["net"] == "80.00"
    client.put(f"/quotes/{quote_id}/discounts", json={"percents": ["10", "10"]})
    assert client.get(f"/quotes/{quote_id}").json()["totals"]["net"] == "81.00"


@pytest.mark.parametrize(
    "body",
    [
        {"percents": ["150"]},
        {"percents": ["NaN"]},
        {"percents": ["5"], "mode": "sideways"},
        {"percents": ["1"] * 11},
        {"mode": "cascading"},
    ],
)
def test_malformed_discounts_are_refused_and_append_nothing(
    client: TestClient, body: dict[str, Any]
) -> None:
    quote_id = quote(client)
    before = log_position(client)
    assert_problem(client.put(f"/quotes/{quote_id}/discounts", json=body), 422, "invalid-request")
    assert log_position(client) == before


def test_a_sent_quote_refuses_discounts_and_validity_changes(client: TestClient) -> None:
    quote_id = sent(client)
    before = log_position(client)
    assert_problem(
        client.put(f"/quotes/{quote_id}/discounts", json={"percents": ["5"]}),
        409,
        "invalid-transition",
    )
    assert_problem(
        client.put(f"/quotes/{quote_id}/validity", json={"valid_until": "2027-01-31"}),
        409,
        "invalid-transition",
    )
    assert log_position(client) == before


def test_the_validity_date_of_a_draft_is_changed_or_cleared(client: TestClient) -> None:
    quote_id = quote(client)
    changed = client.put(f"/quotes/{quote_id}/validity", json={"valid_until": "2027-01-31"})
    assert changed.status_code == 200
    assert client.get(f"/quotes/{quote_id}").json()["valid_until"] == "2027-01-31"
    client.put(f"/quotes/{quote_id}/validity", json={"valid_until": None})
    assert client.get(f"/quotes/{quote_id}").json()["valid_until"] is None
    assert_problem(client.put(f"/quotes/{quote_id}/validity", json={}), 422, "invalid-request")
    assert_problem(
        client.put(f"/quotes/{UNKNOWN}/validity", json={"valid_until": None}), 404, "not-found"
    )


# -- revisions and diffs (Q6) ---------------------------------------------------------------


def test_a_revision_is_editable_and_the_sent_revision_stays_readable_and_diffable(
    client: TestClient,
) -> None:
    quote_id = sent(client)
    revised = client.post(f"/quotes/{quote_id}/revise", json={"reason": "two more units"})
    assert revised.status_code == 200, revised.text
    assert revised.json()["version"] == 4
    assert client.patch(f"/quotes/{quote_id}/lines/1", json={"quantity": "3"}).status_code == 200
    view = client.get(f"/quotes/{quote_id}").json()
    assert (view["status"], view["revision"], view["revision_reason"]) == (
        "draft",
        2,
        "two more units",
    )
    first = client.get(f"/quotes/{quote_id}/revisions/1").json()
    assert first["lines"][0]["quantity"] == "1"
    assert first["sent_at"] is not None
    assert first["totals"]["net"] == "450.00"
    assert client.get(f"/quotes/{quote_id}/revisions/2").json()["lines"][0]["quantity"] == "3"
    assert_problem(client.get(f"/quotes/{quote_id}/revisions/9"), 404, "unknown-revision")
    diff = client.get(
        f"/quotes/{quote_id}/diff", params={"from_revision": 1, "to_revision": 2}
    ).json()
    assert (diff["basis"], diff["from"], diff["to"]) == ("revision", 1, 2)
    [line] = diff["lines"]
    assert (line["line_id"], line["kind"]) == ("1", "changed")
    assert line["fields"] == [{"name": "quantity", "before": "1", "after": "3"}]
    assert (line["before"]["net"], line["after"]["net"]) == ("450.00", "1350.00")
    by_version = client.get(f"/quotes/{quote_id}/diff", params={"from": 3, "to": 5}).json()
    assert by_version["basis"] == "version"
    assert {"name": "status", "before": "sent", "after": "draft"} in by_version["fields"]
    assert by_version["lines"][0]["fields"][0]["after"] == "3"


def test_a_revision_needs_a_reason_and_a_sent_quote(client: TestClient) -> None:
    draft_id = quote(client)
    assert_problem(
        client.post(f"/quotes/{draft_id}/revise", json={"reason": "x"}), 409, "invalid-transition"
    )
    quote_id = sent(client)
    before = log_position(client)
    assert_problem(client.post(f"/quotes/{quote_id}/revise", json={}), 422, "invalid-request")
    assert_problem(
        client.post(f"/quotes/{quote_id}/revise", json={"reason": ""}), 422, "invalid-request"
    )
    assert log_position(client) == before


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"from": 1},
        {"from_revision": 1},
        {"from": 1, "to": 2, "from_revision": 1, "to_revision": 1},
        {"from": 1, "to_revision": 1},
    ],
)
def test_a_diff_names_exactly_one_pair_of_versions_or_revisions(
    client: TestClient, params: dict[str, int]
) -> None:
    quote_id = quote(client)
    assert_problem(client.get(f"/quotes/{quote_id}/diff", params=params), 422, "invalid-input")


def test_a_diff_with_an_unknown_version_revision_or_quote_is_not_found(
    client: TestClient,
) -> None:
    quote_id = quote(client)
    diff = f"/quotes/{quote_id}/diff"
    assert_problem(client.get(diff, params={"from": 1, "to": 9}), 404, "not-found")
    assert_problem(
        client.get(diff, params={"from_revision": 1, "to_revision": 2}), 404, "unknown-revision"
    )
    assert_problem(
        client.get(f"/quotes/{UNKNOWN}/diff", params={"from": 1, "to": 2}), 404, "not-found"
    )
    assert_problem(client.get(diff, params={"from": 0, "to": 2}), 422, "invalid-request")


# -- abandon, expire, remind ----------------------------------------------------------------


def test_a_quote_is_abandoned_once_with_its_reason(client: TestClient) -> None:
    quote_id = sent(client)
    abandoned = client.post(f"/quotes/{quote_id}/abandon", json={"reason": "shop closed"})
    assert abandoned.status_code == 200
    view = client.get(f"/quotes/{quote_id}").json()
    assert (view["status"], view["validity"]) == ("abandoned", None)
    assert client.get(f"/quotes/{quote_id}/history").json()[-1]["reason"] == "shop closed"
    assert_problem(client.post(f"/quotes/{quote_id}/abandon"), 409, "invalid-transition")


def test_a_manager_expires_a_sent_quote_only_past_its_validity_date(
    client: TestClient, clock: FrozenClock
) -> None:
    quote_id = sent(client, valid_until=(clock.now + timedelta(days=3)).date().isoformat())
    assert_problem(client.post(f"/quotes/{quote_id}/expire"), 403, "forbidden")
    boss = manager(client)
    before = log_position(client)
    still = client.post(f"/quotes/{quote_id}/expire", headers=boss)
    assert_problem(still, 409, "quote-still-valid")
    assert log_position(client) == before
    clock.now += timedelta(days=4)
    expired = client.post(f"/quotes/{quote_id}/expire", headers=boss)
    assert expired.status_code == 200, expired.text
    assert client.get(f"/quotes/{quote_id}").json()["status"] == "expired"


def test_a_reminder_is_recorded_on_a_sent_quote(client: TestClient, clock: FrozenClock) -> None:
    quote_id = sent(client)
    body = {"channel": "email", "note": "second try"}
    reminded = client.post(f"/quotes/{quote_id}/reminders", json=body)
    assert reminded.status_code == 200, reminded.text
    view = client.get(f"/quotes/{quote_id}").json()
    assert view["reminders_recorded"] == 1
    last = client.get(f"/quotes/{quote_id}/history").json()[-1]
    assert (last["type"], last["data"]["channel"]) == ("Quote.ReminderRecorded", "email")
    draft_id = quote(client)
    assert_problem(
        client.post(f"/quotes/{draft_id}/reminders", json=body), 409, "invalid-transition"
    )
    assert_problem(client.post(f"/quotes/{quote_id}/reminders", json={}), 422, "invalid-request")
    long_note = {"channel": "email", "note": "x" * 5000}
    assert_problem(
        client.post(f"/quotes/{quote_id}/reminders", json=long_note), 422, "invalid-request"
    )


# -- bulk (Q11) -----------------------------------------------------------------------------


def test_bulk_reminders_record_each_quote_and_report_the_unknown_one(client: TestClient) -> None:
    first, second = sent(client), sent(client)
    missing = str(uuid4())
    body = {"quote_ids": [first, missing, second], "channel": "email", "note": "month end"}
    headers = {"Idempotency-Key": "remind-42"}
    response = client.post("/quotes/bulk-reminders", json=body, headers=headers)
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["succeeded"], result["failed"]) == (2, 1)
    ok_first, refused, ok_second = result["items"]
    assert set(ok_first) == {"quote_id", "ok", "version", "position"}
    assert (ok_first["quote_id"], ok_first["ok"], ok_first["version"]) == (first, True, 4)
    assert refused["quote_id"] == missing
    assert (refused["ok"], refused["type"]) == (False, "/problems/not-found")
    assert refused["detail"]
    assert ok_second["position"] > ok_first["position"]
    for quote_id in (first, second):
        last = client.get(f"/quotes/{quote_id}/history").json()[-1]
        assert (last["type"], last["command"]) == ("Quote.ReminderRecorded", "quote.remind")
    services = client.app.state.services  # type: ignore[attr-defined]
    assert services.app.journal.journal_by_key("alice", f"remind-42:{first}") is not None
    before = log_position(client)
    again = client.post("/quotes/bulk-reminders", json=body, headers=headers).json()
    assert [item.get("replayed") for item in again["items"]] == [True, None, True]
    assert log_position(client) == before


def test_one_refused_quote_does_not_stop_a_bulk_reminder(client: TestClient) -> None:
    draft_id, sent_id = quote(client), sent(client)
    body = {"quote_ids": [draft_id, sent_id], "channel": "phone"}
    items = client.post("/quotes/bulk-reminders", json=body).json()["items"]
    assert [(i["ok"], i.get("type")) for i in items] == [
        (False, "/problems/invalid-transition"),
        (True, None),
    ]
    assert client.get(f"/quotes/{draft_id}").json()["reminders_recorded"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"quote_ids": [], "channel": "email"},
        {"quote_ids": [UNKNOWN, UNKNOWN], "channel": "email"},
        {"quote_ids": [str(uuid4()) for _ in range(501)], "channel": "email"},
        {"quote_ids": ["not-a-uuid"], "channel": "email"},
        {"quote_ids": [UNKNOWN]},
    ],
)
def test_malformed_bulk_reminders_are_refused_whole_and_append_nothing(
    client: TestClient, body: dict[str, Any]
) -> None:
    before = log_position(client)
    assert_problem(client.post("/quotes/bulk-reminders", json=body), 422, "invalid-request")
    assert log_position(client) == before


def test_bulk_actions_attach_and_abandon_many_quotes(client: TestClient) -> None:
    affair_id = open_affair(client)
    first, second = sent(client), quote(client)
    attach = {"action": "attach_to_affair", "quote_ids": [first, second], "affair_id": affair_id}
    attached = client.post("/quotes/bulk-actions", json=attach).json()
    assert attached["succeeded"] == 2
    assert client.get(f"/quotes/{second}").json()["affair_id"] == affair_id
    abandon = {"action": "abandon", "quote_ids": [first, second], "reason": "project dropped"}
    abandoned = client.post("/quotes/bulk-actions", json=abandon).json()
    assert [i["ok"] for i in abandoned["items"]] == [True, True]
    assert client.get(f"/quotes/{first}").json()["status"] == "abandoned"
    reminder = {"action": "reminder", "quote_ids": [first], "channel": "email"}
    refused = client.post("/quotes/bulk-actions", json=reminder).json()
    assert refused["items"][0]["type"] == "/problems/invalid-transition"


@pytest.mark.parametrize(
    "body",
    [
        {"action": "delete", "quote_ids": [UNKNOWN]},
        {"action": "attach_to_affair", "quote_ids": [UNKNOWN]},
        {"action": "abandon", "quote_ids": [UNKNOWN], "channel": "email"},
        {"quote_ids": [UNKNOWN]},
    ],
)
def test_malformed_bulk_actions_are_refused(client: TestClient, body: dict[str, Any]) -> None:
    assert_problem(client.post("/quotes/bulk-actions", json=body), 422, "invalid-request")


def test_bulk_routes_need_a_key_and_a_selling_role(client: TestClient) -> None:
    body = {"quote_ids": [UNKNOWN], "channel": "email"}
    anonymous = client.post("/quotes/bulk-reminders", json=body, headers={"X-API-Key": ""})
    assert_problem(anonymous, 401, "unauthenticated")
    auditor = as_role(client, "audrey", "auditor")
    assert_problem(
        client.post("/quotes/bulk-reminders", json=body, headers=auditor), 403, "forbidden"
    )
    action = {"action": "abandon", "quote_ids": [UNKNOWN]}
    assert_problem(
        client.post("/quotes/bulk-actions", json=action, headers=auditor), 403, "forbidden"
    )


# -- affairs and copies ---------------------------------------------------------------------


def test_a_quote_is_attached_to_an_existing_affair(client: TestClient) -> None:
    quote_id = quote(client)
    before = log_position(client)
    missing = client.post(f"/quotes/{quote_id}/affair", json={"affair_id": UNKNOWN})
    assert_problem(missing, 404, "not-found")
    assert log_position(client) == before
    affair_id = open_affair(client)
    attached = client.post(f"/quotes/{quote_id}/affair", json={"affair_id": affair_id})
    assert attached.status_code == 200, attached.text
    assert attached.json()["result"] == {"affair_id": affair_id}
    assert client.get(f"/quotes/{quote_id}").json()["affair_id"] == affair_id
    assert_problem(
        client.post(f"/quotes/{quote_id}/affair", json={"affair_id": "x"}), 422, "invalid-request"
    )


def test_a_copy_is_a_new_draft_with_new_line_ids(client: TestClient) -> None:
    source = quote(client)
    extra = {"description": "Drawer", "quantity": "2", "unit_price": "50", "vat_rate": "20"}
    client.post(f"/quotes/{source}/lines", json=extra)
    client.delete(f"/quotes/{source}/lines/1")
    client.post(f"/quotes/{source}/send")
    copied = client.post(f"/quotes/{source}/copy", json={"valid_until": "2027-03-01"})
    assert copied.status_code == 201, copied.text
    new_id = copied.json()["id"]
    assert new_id != source
    assert copied.headers["Location"] == f"/quotes/{new_id}"
    assert copied.json()["result"]["source_id"] == source
    copy = client.get(f"/quotes/{new_id}").json()
    assert (copy["status"], copy["valid_until"]) == ("draft", "2027-03-01")
    assert [(line["line_id"], line["description"]) for line in copy["lines"]] == [("1", "Drawer")]
    assert client.get(f"/quotes/{source}").json()["lines"][0]["line_id"] == "2"
    chosen = client.post(f"/quotes/{source}/copy", json={"line_ids": ["2"]})
    assert chosen.status_code == 201
    before = log_position(client)
    unknown = client.post(f"/quotes/{source}/copy", json={"line_ids": ["1"]})
    assert_problem(unknown, 404, "unknown-line")
    assert_problem(
        client.post(f"/quotes/{source}/copy", json={"line_ids": []}), 422, "invalid-request"
    )
    assert_problem(client.post(f"/quotes/{UNKNOWN}/copy", json={}), 404, "not-found")
    assert log_position(client) == before


# -- as of a recorded time --------------------------------------------------------------------


def test_a_quote_reads_as_it_stood_at_a_recorded_time(client: TestClient) -> None:
    quote_id = quote(client)
    client.put(f"/quotes/{quote_id}/validity", json={"valid_until": "2027-01-31"})
    history = client.get(f"/quotes/{quote_id}/history").json()
    older = client.get(f"/quotes/{quote_id}", params={"as_of": history[1]["recorded_at"]})
    assert older.status_code == 200, older.text
    assert (older.json()["version"], older.json()["valid_until"]) == (2, None)
    assert older.headers["ETag"] == '"2"'
    latest = client.get(f"/quotes/{quote_id}", params={"as_of": "2999-01-01T00:00:00Z"})
    assert latest.json()["valid_until"] == "2027-01-31"
    too_early = client.get(f"/quotes/{quote_id}", params={"as_of": "2000-01-01T00:00:00Z"})
    assert_problem(too_early, 404, "not-found")
    both = client.get(f"/quotes/{quote_id}", params={"version": 1, "as_of": "2999-01-01T00:00:00Z"})
    assert_problem(both, 422, "invalid-input")
    naive = client.get(f"/quotes/{quote_id}", params={"as_of": "2026-01-01T00:00:00"})
    assert_problem(naive, 422, "invalid-request")
    assert_problem(
        client.get(f"/quotes/{UNKNOWN}", params={"as_of": "2999-01-01T00:00:00Z"}),
        404,
        "not-found",
    )


def test_the_new_routes_are_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/quotes/{quote_id}/approve",
        "/quotes/{quote_id}/discounts",
        "/quotes/{quote_id}/validity",
        "/quotes/{quote_id}/revise",
        "/quotes/{quote_id}/revisions/{revision}",
        "/quotes/{quote_id}/diff",
        "/quotes/{quote_id}/abandon",
        "/quotes/{quote_id}/expire",
        "/quotes/{quote_id}/reminders",
        "/quotes/{quote_id}/affair",
        "/quotes/{quote_id}/copy",
        "/quotes/bulk-reminders",
        "/quotes/bulk-actions",
    ):
        assert path in paths
