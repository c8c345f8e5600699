"""The sales story of issue 5, walked through HTTP on SQLite and on Postgres.

A manager registers a customer and sets its credit limit; a salesperson opens an affair
with a budget and logs time; a prospect quote is drafted, sent, revised, approved by the
manager, sent again and accepted; it becomes an order for the customer, which is
confirmed, amended, partly delivered, invoiced by the accountant and partly paid. Then the
quote's history and revision diff, the order's version diff, the affair's budget versus
actual and the audit log tell the story back, every figure worked out by hand.

`docs/sales-story.md` is the same story with curl: keep the two in step.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interfaces.http.app import create_app
from interfaces.settings import Settings
from tests.api.invoicing_support import establish_company
from tests.api.support import as_role, assert_problem, issue_key
from tests.conftest import FrozenClock

# Quotes above 6,000.00 net need a manager's approval before they are sent (Q7).
APPROVAL_MAX_TOTAL = Decimal("6000.00")


@pytest.fixture
def client(settings: Settings, clock: FrozenClock) -> Iterator[TestClient]:
    """alice (sales) on an app whose approval threshold is 6,000.00 net."""
    story_settings = settings.model_copy(update={"approval_max_total": APPROVAL_MAX_TOTAL})
    with TestClient(create_app(story_settings, clock)) as client:
        client.headers["X-API-Key"] = issue_key(client, "alice", "sales")
        yield client


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_sale_from_the_first_contact_to_the_first_payment(
    client: TestClient, clock: FrozenClock
) -> None:
    maud = as_role(client, "maud", "manager")
    carla = as_role(client, "carla", "accountant")
    audrey = as_role(client, "audrey", "auditor")

    # -- 0. The company's settings, which every invoice states as its seller -------------
    establish_company(client)

    # -- 1. The manager registers the customer and sets its credit limit (U1, O2) --------
    customer = ok(
        client.post(
            "/customers",
            json={"name": "Boulangerie Martin SA", "status": "customer", "reason": "new account"},
            headers=maud,
        ),
        201,
    )
    customer_id = customer["id"]
    ok(
        client.put(
            f"/customers/{customer_id}/credit-limit",
            json={"credit_limit": "20000.00", "reason": "approved by finance"},
            headers=maud,
        )
    )

    # -- 2. Sales opens an affair with a budget and logs time (A1, A4, A5) ---------------
    affair = ok(
        client.post(
            "/affairs",
            json={
                "name": "Martin shop fit-out",
                "customer_id": customer_id,
                "currency": "EUR",
                "expected_amount": "10000.00",
                "sale_type": "product",
                "reason": "met at the trade fair",
            },
        ),
        201,
    )
    affair_id = affair["id"]
    for category, amount in (
        ("labour", "2000.00"),
        ("purchases", "1500.00"),
        ("sales", "10000.00"),
    ):
        ok(client.put(f"/affairs/{affair_id}/budget/{category}", json={"amount": amount}))
    # The accountant sets the rate time is costed at; sales logs at the rate in force.
    ok(
        client.post(
            f"/affairs/{affair_id}/hourly-rates",
            json={"employee": "bob", "rate": "55.00", "valid_from": "2026-10-01"},
            headers=carla,
        )
    )
    for day, hours in (("2026-11-02", "7.5"), ("2026-11-03", "4")):
        ok(
            client.post(
                f"/affairs/{affair_id}/time-entries",
                json={"employee": "bob", "day": day, "hours": hours},
            ),
            201,
        )

    # -- 3. A prospect quote: two lines, sent (Q1, Q2, Q4) --------------------------------
    quote = ok(
        client.post(
            "/quotes",
            json={
                "currency": "EUR",
                "prospect": "Boulangerie Martin",
                "valid_until": "2027-12-31",
                "title": "Shop fit-out",
                "reason": "visit on site",
            },
        ),
        201,
    )
    quote_id = quote["id"]
    counter = ok(
        client.post(
            f"/quotes/{quote_id}/lines",
            json={
                "description": "Display counter",
                "quantity": "2",
                "unit_price": "2400.00",
                "vat_rate": "20",
                "unit_cost": "1500.00",
            },
        ),
        201,
    )["result"]["line_id"]
    fitting = ok(
        client.post(
            f"/quotes/{quote_id}/lines",
            json={
                "description": "Installation",
                "quantity": "16",
                "unit": "hour",
                "unit_price": "65.00",
                "vat_rate": "20",
            },
        ),
        201,
    )["result"]["line_id"]
    ok(client.post(f"/quotes/{quote_id}/affair", json={"affair_id": affair_id}))
    # Revision 1: 2 × 2,400.00 + 16 × 65.00 = 5,840.00 net, under the threshold.
    first = ok(client.get(f"/quotes/{quote_id}"))
    assert first["totals"]["net"] == "5840.00"
    ok(client.post(f"/quotes/{quote_id}/send"))

    # -- 4. Revision 2: a third counter and 10 % off the installation (Q6) ---------------
    clock.now += timedelta(days=3)
    ok(client.post(f"/quotes/{quote_id}/revise", json={"reason": "customer wants 3 counters"}))
    ok(client.patch(f"/quotes/{quote_id}/lines/{counter}", json={"quantity": "3"}))
    ok(
        client.patch(
            f"/quotes/{quote_id}/lines/{fitting}",
            json={"discount": {"kind": "percent", "value": "10"}},
        )
    )
    # 3 × 2,400.00 = 7,200.00; 16 × 65.00 = 1,040.00 less 10 % = 936.00; net 8,136.00,
    # VAT 20 % 1,627.20, 9,763.20 incl. tax. Over 6,000.00: the manager must approve.
    second = ok(client.get(f"/quotes/{quote_id}"))
    assert (second["revision"], second["totals"]["net"]) == (2, "8136.00")
    assert (second["totals"]["vat"], second["totals"]["gross"]) == ("1627.20", "9763.20")
    assert_problem(client.post(f"/quotes/{quote_id}/send"), 409, "approval-required")
    assert_problem(
        client.post(f"/quotes/{quote_id}/approve", json={"reason": "I may approve"}),
        403,
        "forbidden",
    )
    ok(
        client.post(
            f"/quotes/{quote_id}/approve",
            json={"reason": "strategic customer, margin agreed"},
            headers=maud,
        )
    )
    ok(client.post(f"/quotes/{quote_id}/send"))
    ok(client.post(f"/quotes/{quote_id}/accept", json={"reason": "signed at the shop"}))

    # -- 5. The order, for the customer; confirmed within the credit limit (Q9, O2) -----
    converted = ok(
        client.post(
            f"/quotes/{quote_id}/convert",
            json={"customer_id": customer_id, "reason": "signed quote"},
        ),
        201,
    )
    order_id = converted["id"]
    assert converted["result"] == {"order_id": order_id, "quote_id": quote_id}
    # Outstanding 0.00 + 9,763.20 ≤ 20,000.00: the credit check passes.
    ok(client.post(f"/orders/{order_id}/confirm"))
    confirmed = ok(client.get(f"/orders/{order_id}"))
    assert (confirmed["status"], confirmed["version"]) == ("confirmed", 2)
    assert (confirmed["customer_id"], confirmed["affair_id"]) == (customer_id, affair_id)
    assert confirmed["totals"] == {"net": "8136.00", "vat": "1627.20", "gross": "9763.20"}

    # -- 6. Amendment 1 adds an extended warranty (O4) -----------------------------------
    ok(
        client.post(
            f"/orders/{order_id}/amendments",
            json={
                "changes": [
                    {
                        "op": "add",
                        "line": {
                            "line_id": "W",
                            "description": "Extended warranty",
                            "quantity": "1",
                            "unit_price": "300.00",
                            "vat_rate": "20",
                        },
                    }
                ],
                "reason": "customer asked for 3 years of warranty",
            },
        ),
        201,
    )

    # -- 7. Two counters delivered, invoiced, partly paid (O3, O5, O6) -------------------
    ok(
        client.post(
            f"/orders/{order_id}/deliveries",
            json={"delivery_id": "BL-1", "quantities": {counter: "2"}},
        ),
        201,
    )
    invoiced = ok(
        client.post(
            f"/orders/{order_id}/invoices",
            json={"quantities": {counter: "2"}, "reason": "first delivery"},
            headers=carla,
        ),
        201,
    )
    invoice_number = invoiced["result"]["invoice_number"]
    ok(
        client.post(
            f"/orders/{order_id}/payments",
            json={"invoice_number": invoice_number, "amount": "3000.00", "method": "transfer"},
            headers=carla,
        ),
        201,
    )
    order = ok(client.get(f"/orders/{order_id}"))
    # As amended: 8,136.00 + 300.00 = 8,436.00 net, VAT 1,687.20, 10,123.20 incl. tax.
    assert order["totals"] == {"net": "8436.00", "vat": "1687.20", "gross": "10123.20"}
    assert [a["reason"] for a in order["amendments"]] == ["customer asked for 3 years of warranty"]
    assert order["backorders"] == {counter: "1", fitting: "16", "W": "1"}
    # The invoice: 2 × 2,400.00 = 4,800.00 net, VAT 960.00, 5,760.00; 3,000.00 paid.
    [invoice] = order["invoices"]
    assert (invoice["net"], invoice["vat"], invoice["gross"]) == ("4800.00", "960.00", "5760.00")
    assert (invoice["paid"], invoice["due"], invoice["payment_status"]) == (
        "3000.00",
        "2760.00",
        "partial",
    )
    assert order["payment_status"] == "partial"

    # -- 8. The affair's actuals from the documents (A5, A7) -----------------------------
    ok(
        client.post(
            f"/affairs/{affair_id}/costs",
            json={
                "category": "purchases",
                "amount": "1180.00",
                "document_ref": "SUP-118",
                "document_date": "2026-11-02",
            },
            headers=carla,
        ),
        201,
    )
    # The order's revenue reached the affair by itself: ordered when it was confirmed
    # and amended, invoiced when the invoice was issued (A5).
    last = ok(client.post(f"/affairs/{affair_id}/progress", json={"percent": "40"}))

    # -- 9. The story told back ----------------------------------------------------------
    # The quote's history: every event with who and why.
    history = ok(client.get(f"/quotes/{quote_id}/history"))
    told = [(h["type"], h["actor"], h["reason"]) for h in history]
    assert told == [
        ("Quote.Drafted", "alice", "visit on site"),
        ("Quote.LineAdded", "alice", None),
        ("Quote.LineAdded", "alice", None),
        ("Quote.AttachedToAffair", "alice", None),
        ("Quote.Sent", "alice", None),
        ("Quote.Revised", "alice", "customer wants 3 counters"),
        ("Quote.LineChanged", "alice", None),
        ("Quote.LineChanged", "alice", None),
        ("Quote.Approved", "maud", "strategic customer, margin agreed"),
        ("Quote.Sent", "alice", None),
        ("Quote.Accepted", "alice", "signed at the shop"),
        ("Quote.Converted", "alice", "signed quote"),
    ]

    # Revision 1 against revision 2: the two changed lines.
    diff = ok(client.get(f"/quotes/{quote_id}/diff", params={"from_revision": 1, "to_revision": 2}))
    assert (diff["basis"], diff["from"], diff["to"]) == ("revision", 1, 2)
    assert [f["name"] for f in diff["fields"]] == ["revision", "sent_at", "reason"]
    assert diff["fields"][2]["after"] == "customer wants 3 counters"
    changed = {c["line_id"]: c for c in diff["lines"]}
    assert {i: c["kind"] for i, c in changed.items()} == {counter: "changed", fitting: "changed"}
    assert [(f["name"], f["before"], f["after"]) for f in changed[counter]["fields"]] == [
        ("quantity", "2", "3")
    ]
    assert changed[counter]["after"]["net"] == "7200.00"
    assert changed[fitting]["before"]["net"] == "1040.00"
    assert changed[fitting]["after"]["net"] == "936.00"

    # The order at confirmation (version 2) against after the amendment (version 3).
    order_diff = ok(client.get(f"/orders/{order_id}/diff", params={"from": 2, "to": 3}))
    assert (order_diff["from_version"], order_diff["to_version"]) == (2, 3)
    [added] = order_diff["lines"]
    assert (added["line_id"], added["change"], added["before"]) == ("W", "added", None)

    # The order as it stood when its second event (the confirmation) was recorded.
    order_history = ok(client.get(f"/orders/{order_id}/history", headers=audrey))
    then = client.get(
        f"/orders/{order_id}", params={"as_of": order_history[1]["recorded_at"]}, headers=audrey
    )
    before_amendment = ok(then)
    assert (before_amendment["version"], before_amendment["amendments"]) == (2, [])
    assert before_amendment["totals"]["gross"] == "9763.20"

    # Budget versus actual, once the view has read the last command's position.
    view = ok(
        client.get(
            "/views/budget-vs-actual",
            params={"affair_id": affair_id, "min_position": last["position"]},
        )
    )
    rows = {r["category"]: r for r in view["items"]}
    figures = {
        c: (r["budget"], r["actual"], r["committed"], r["variance"], r["forecast"])
        for c, r in rows.items()
    }
    assert figures == {
        # 7.5 h + 4 h = 11.5 h × 55.00 = 632.50; at 40 %: 632.50 ÷ 0.4 = 1,581.25
        "labour": ("2000.00", "632.50", "0.00", "1367.50", "1581.25"),
        # 1,180.00 received; 1,180.00 ÷ 0.4 = 2,950.00
        "purchases": ("1500.00", "1180.00", "0.00", "320.00", "2950.00"),
        "subcontracting": ("0.00", "0.00", "0.00", "0.00", "0.00"),
        "expenses": ("0.00", "0.00", "0.00", "0.00", "0.00"),
        # revenue invoiced 4,800.00 is the actual, ordered 8,436.00 the committed
        "sales": ("10000.00", "4800.00", "8436.00", "5200.00", "10000.00"),
    }
    # Forecast cost 1,581.25 + 2,950.00 = 4,531.25; margin 10,000.00 − 4,531.25 = 5,468.75.
    sales = rows["sales"]
    assert (sales["forecast_cost"], sales["forecast_revenue"], sales["forecast_margin"]) == (
        "4531.25",
        "10000.00",
        "5468.75",
    )
    assert (sales["revenue_ordered"], sales["revenue_invoiced"]) == ("8436.00", "4800.00")

    # The audit log of the order: who did what, and why.
    audit = ok(
        client.get(
            "/audit/events",
            params={"document_id": order_id, "min_position": last["position"]},
            headers=audrey,
        )
    )
    assert [(e["event_type"], e["actor"], e["reason"]) for e in audit["items"]] == [
        ("Order.Created", "alice", "signed quote"),
        ("Order.Confirmed", "alice", None),
        ("Order.Amended", "alice", "customer asked for 3 years of warranty"),
        ("Order.DeliveryRecorded", "alice", None),
        # the invoice is a document of its own, and the payment settles it there
        ("Order.InvoiceDocumentRecorded", "carla", "first delivery"),
    ]
    assert audit["total"] == 5
