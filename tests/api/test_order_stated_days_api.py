"""Deliveries and returns through HTTP carry the day the user states, today when absent
(issue 14), on SQLite and Postgres."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.api.invoicing_support import establish_company
from tests.api.support import assert_problem, log_position
from tests.api.test_orders_api import customer, order
from tests.conftest import FrozenClock
from tests.integration.document_support import pdf_text

SCRATCHED = {"description": "scratched"}


def test_a_delivery_and_a_return_show_the_day_stated_or_today(
    client: TestClient, clock: FrozenClock
) -> None:
    order_id = order(client, customer(client))
    clock.now += timedelta(days=3)
    stated = {"quantities": {"L1": "4"}, "delivered_on": "2026-11-03"}
    assert client.post(f"/orders/{order_id}/deliveries", json=stated).status_code == 201
    assert (
        client.post(f"/orders/{order_id}/deliveries", json={"quantities": {"L1": "1"}}).status_code
        == 201
    )
    back = {"quantities": {"L1": "1"}, "non_conformity": SCRATCHED, "returned_on": "2026-11-04"}
    assert client.post(f"/orders/{order_id}/returns", json=back).status_code == 201
    view = client.get(f"/orders/{order_id}").json()
    assert [(d["delivery_id"], d["delivered_on"]) for d in view["deliveries"]] == [
        ("D1", "2026-11-03"),
        ("D2", "2026-11-05"),
    ]
    assert view["deliveries"][0]["at"].startswith("2026-11-05")
    assert [(r["return_id"], r["returned_on"]) for r in view["returns"]] == [("R1", "2026-11-04")]


def test_a_day_after_today_or_before_the_confirmation_appends_nothing(
    client: TestClient, clock: FrozenClock
) -> None:
    order_id = order(client, customer(client))
    clock.now += timedelta(days=1)
    before = log_position(client)
    deliveries = f"/orders/{order_id}/deliveries"
    future = {"quantities": {"L1": "1"}, "delivered_on": "2026-11-04"}
    assert_problem(client.post(deliveries, json=future), 409, "delivery-date-in-future")
    early = {"quantities": {"L1": "1"}, "delivered_on": "2026-11-01"}
    assert_problem(client.post(deliveries, json=early), 409, "dated-before-confirmation")
    malformed = {"quantities": {"L1": "1"}, "delivered_on": "03/11/2026"}
    assert_problem(client.post(deliveries, json=malformed), 422, "invalid-request")
    assert log_position(client) == before
    assert client.post(deliveries, json={"quantities": {"L1": "2"}}).status_code == 201
    before = log_position(client)
    back = {"quantities": {"L1": "1"}, "non_conformity": SCRATCHED, "returned_on": "2026-11-04"}
    returns = f"/orders/{order_id}/returns"
    assert_problem(client.post(returns, json=back), 409, "return-date-in-future")
    assert log_position(client) == before
    assert client.get(f"/orders/{order_id}").json()["returns"] == []


def test_the_delivery_note_prints_the_day_stated(client: TestClient, clock: FrozenClock) -> None:
    establish_company(client)
    order_id = order(client, customer(client))
    clock.now += timedelta(days=3)
    stated = {"quantities": {"L1": "4"}, "delivered_on": "2026-11-03"}
    assert client.post(f"/orders/{order_id}/deliveries", json=stated).status_code == 201
    note = client.get(f"/orders/{order_id}/deliveries/D1/pdf")
    assert note.status_code == 200, note.text
    text = " ".join(pdf_text(note.content))
    assert "3 novembre 2026" in text
    assert "5 novembre 2026" not in text
