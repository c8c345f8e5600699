"""A small sales story told through the HTTP API, for the console's pages to show.

Three months of a small company: affairs at several stages for two salespeople in two
zones, quotes in every validity bucket (one revised, so it has two versions to diff), an
order confirmed, amended, delivered, invoiced and partly paid, a maintenance contract
and an asset with its warranties and an open service case. The clock moves between
steps (`advance`), so pages as of an earlier day show less than today's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass
class Story:
    """The ids the story created, for the tests to look them up."""

    customer_id: str = ""
    affair_id: str = ""
    quote_id: str = ""
    order_id: str = ""
    invoice_id: str = ""
    contract_id: str = ""
    asset_id: str = ""
    start: date = date(2026, 9, 1)
    # the day before the order was confirmed: pages as of then show no order yet
    before_order: date = date(2026, 9, 1)
    position: int = 0


COMPANY: dict[str, Any] = {
    "legal_name": "Comptoir Lyonnais SAS",
    "legal_form": "SAS",
    "siren": "732 829 320",
    "vat_number": "FR 44 732 829 320",
    "registration": {"register": "RCS", "city": "Lyon"},
    "share_capital": {"amount": "10000", "currency": "EUR"},
    "address": {"street": "12 rue de la République", "postal_code": "69002", "city": "Lyon"},
    "iban": "FR14 2004 1010 0505 0001 3M02 606",
    "bic": "PSSTFRPPLIL",
    "late_payment_rate": "12.5",
    "footer": "Indemnité forfaitaire pour frais de recouvrement : 40 €.",
    "effective_on": "2020-01-01",
}


def _ok(response: Any, *statuses: int) -> dict[str, Any]:
    assert response.status_code in (statuses or (200, 201)), response.text
    body: dict[str, Any] = response.json()
    return body


def tell(http: Any, keys: dict[str, dict[str, str]], advance: Callable[[int], date]) -> Story:
    """Tell the story through `http` (TestClient or httpx.Client) with `keys[role]`
    headers; `advance(days)` moves the server's clock on and answers the new day."""
    sales, boss, books = keys["sales"], keys["manager"], keys["accountant"]
    story = Story()
    _ok(http.put("/company", json=COMPANY, headers=boss))
    customer = _ok(
        http.post(
            "/customers",
            json={"name": "Boulangerie Martin SA", "status": "customer", "reason": "new account"},
            headers=boss,
        )
    )
    story.customer_id = customer["id"]
    _ok(
        http.put(
            f"/customers/{story.customer_id}/credit-limit",
            json={"credit_limit": "50000.00", "reason": "approved by finance"},
            headers=boss,
        )
    )
    affairs = [
        ("Martin shop fit-out", "12000.00", "B", "west", "product", "2026-11-20", "alice"),
        ("Boiler replacement", "8000.00", "M", "west", "product", "2026-12-15", "alice"),
        (
            "Cash register upkeep",
            "3600.00",
            "E",
            "east",
            "maintenance_contract",
            "2027-01-10",
            "bob",
        ),
        ("Staff training", "2500.00", "P", "east", "training", "2027-02-05", "bob"),
    ]
    ids = []
    for name, amount, stage, zone, sale_type, close, person in affairs:
        opened = _ok(
            http.post(
                "/affairs",
                json={
                    "name": name,
                    "customer_id": story.customer_id,
                    "salesperson": person,
                    "currency": "EUR",
                    "expected_amount": amount,
                    "expected_close": close,
                    "zone": zone,
                    "country": "FR",
                    "sale_type": sale_type,
                    "reason": "met at the trade fair",
                },
                headers=boss,
            )
        )
        ids.append(opened["id"])
        if stage != "P":
            _ok(http.post(f"/affairs/{opened['id']}/stage", json={"stage": stage}, headers=boss))
    story.affair_id = ids[0]
    for category, amount in (
        ("labour", "2000.00"),
        ("purchases", "1500.00"),
        ("sales", "12000.00"),
    ):
        _ok(
            http.put(
                f"/affairs/{story.affair_id}/budget/{category}",
                json={"amount": amount},
                headers=boss,
            )
        )
    _ok(
        http.post(
            f"/affairs/{story.affair_id}/hourly-rates",
            json={"employee": "bob", "rate": "55.00", "valid_from": "2026-01-01"},
            headers=books,
        )
    )
    _ok(
        http.post(
            f"/affairs/{story.affair_id}/time-entries",
            json={"employee": "bob", "day": "2026-09-01", "hours": "7.5"},
            headers=boss,
        )
    )
    _ok(
        http.post(
            f"/affairs/{story.affair_id}/costs",
            json={
                "category": "purchases",
                "amount": "1800.00",
                "document_ref": "SUP-118",
                "document_date": "2026-09-01",
            },
            headers=books,
        )
    )
    _ok(http.post(f"/affairs/{story.affair_id}/progress", json={"percent": "40"}, headers=boss))

    # Quotes: one revised and accepted (it becomes the order), others left in each bucket.
    story.quote_id = _quote(
        http, sales, "Shop fit-out", "2027-06-30", [("Display counter", "2", "2400.00")]
    )
    _ok(
        http.post(
            f"/quotes/{story.quote_id}/affair", json={"affair_id": story.affair_id}, headers=sales
        )
    )
    _ok(http.post(f"/quotes/{story.quote_id}/send", headers=sales))
    advance(14)
    _ok(
        http.post(
            f"/quotes/{story.quote_id}/revise", json={"reason": "a third counter"}, headers=sales
        )
    )
    lines = _ok(http.get(f"/quotes/{story.quote_id}", headers=sales))["lines"]
    _ok(
        http.patch(
            f"/quotes/{story.quote_id}/lines/{lines[0]['line_id']}",
            json={"quantity": "3"},
            headers=sales,
        )
    )
    _ok(
        http.post(
            f"/quotes/{story.quote_id}/approve", json={"reason": "margin agreed"}, headers=boss
        )
    )
    _ok(http.post(f"/quotes/{story.quote_id}/send", headers=sales))
    pending = _quote(http, sales, "Oven maintenance", "2026-09-20", [("Oven check", "1", "900.00")])
    _ok(http.post(f"/quotes/{pending}/send", headers=sales))
    later = _quote(http, sales, "Shelving", "2027-03-31", [("Shelf", "10", "180.00")])
    _ok(http.post(f"/quotes/{later}/send", headers=sales))
    _quote(http, sales, "Signage", "2026-09-10", [("Sign", "1", "650.00")])
    story.before_order = advance(16)
    advance(1)
    _ok(
        http.post(
            f"/quotes/{story.quote_id}/accept", json={"reason": "signed at the shop"}, headers=sales
        )
    )
    order = _ok(
        http.post(
            f"/quotes/{story.quote_id}/convert",
            json={"customer_id": story.customer_id, "reason": "signed quote"},
            headers=sales,
        )
    )
    story.order_id = order["id"]
    _ok(http.post(f"/orders/{story.order_id}/confirm", headers=sales))
    advance(5)
    _ok(
        http.post(
            f"/orders/{story.order_id}/amendments",
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
                "reason": "three years of warranty",
            },
            headers=sales,
        )
    )
    counter = lines[0]["line_id"]
    _ok(
        http.post(
            f"/orders/{story.order_id}/deliveries",
            json={"delivery_id": "BL-1", "quantities": {counter: "2"}},
            headers=sales,
        )
    )
    invoiced = _ok(
        http.post(
            f"/orders/{story.order_id}/invoices",
            json={"quantities": {counter: "2"}, "reason": "first delivery"},
            headers=books,
        )
    )
    story.invoice_id = invoiced["result"]["invoice_id"]
    _ok(
        http.post(
            f"/orders/{story.order_id}/payments",
            json={
                "invoice_number": invoiced["result"]["invoice_number"],
                "amount": "3000.00",
                "method": "transfer",
            },
            headers=books,
        )
    )
    asset = _ok(
        http.post(
            "/assets",
            json={
                "customer_id": story.customer_id,
                "product_ref": "REG-200",
                "description": "Cash register",
                "serial_number": "SN-0042",
                "site": "Lyon shop",
            },
            headers=boss,
        )
    )
    story.asset_id = asset["id"]
    _ok(
        http.put(
            f"/assets/{story.asset_id}/warranties/customer",
            json={"start": "2025-11-01", "end": "2026-11-30"},
            headers=boss,
        )
    )
    _ok(
        http.put(
            f"/assets/{story.asset_id}/warranties/manufacturer",
            json={"start": "2025-11-01", "end": "2027-10-31"},
            headers=boss,
        )
    )
    _ok(
        http.post(
            f"/assets/{story.asset_id}/service-cases", json={"problem": "drawer jams"}, headers=boss
        )
    )
    contract = _ok(
        http.post(
            "/contracts",
            json={
                "customer_id": story.customer_id,
                "currency": "EUR",
                "lines": [
                    {
                        "description": "Register upkeep",
                        "quantity": "1",
                        "unit_price": "120.00",
                        "vat_rate": "20",
                    }
                ],
                "frequency": "month",
                "start": "2026-01-01",
                "end": "2026-12-31",
                "notice_days": 60,
                "kind": "maintenance",
                "covered_asset_ids": [story.asset_id],
                "reason": "maintenance signed",
            },
            headers=boss,
        )
    )
    story.contract_id = contract["id"]
    last = _ok(
        http.post(
            f"/affairs/{ids[1]}/stage", json={"stage": "B", "reason": "budget agreed"}, headers=boss
        )
    )
    story.position = int(last["position"])
    return story


def _quote(
    http: Any,
    headers: dict[str, str],
    title: str,
    valid_until: str,
    lines: list[tuple[str, str, str]],
) -> str:
    quote = _ok(
        http.post(
            "/quotes",
            json={
                "currency": "EUR",
                "prospect": "Boulangerie Martin",
                "valid_until": valid_until,
                "title": title,
            },
            headers=headers,
        )
    )
    for description, quantity, price in lines:
        _ok(
            http.post(
                f"/quotes/{quote['id']}/lines",
                json={
                    "description": description,
                    "quantity": quantity,
                    "unit_price": price,
                    "vat_rate": "20",
                },
                headers=headers,
            )
        )
    return str(quote["id"])
