"""The `invoices` and `receivables` views over HTTP (I5): filters, overdue on a stated day,
the aged balance, `as_of`, paging and roles, on SQLite and Postgres.

The book, issued through the API by an accountant (amounts incl. 20 % VAT); the server's
day is 2 November 2026:

| invoice        | customer | issued     | due        | gross       | credited | paid   | due now |
|----------------|----------|------------|------------|-------------|----------|--------|---------|
| INV-2026-00001 | Martin   | 2026-07-01 | 2026-07-31 |      600.00 |          | 100.00 |  500.00 |
| INV-2026-00002 | Martin   | 2026-08-15 | 2026-09-14 |     1200.00 |   240.00 |        |  960.00 |
| INV-2026-00003 | Dupont   | 2026-10-01 | 2026-10-31 |  360.00 USD |          |        |  360.00 |
| INV-2026-00004 | Martin   | 2026-10-20 | 2026-11-19 |      240.00 |          |        |  240.00 |
| CN-2026-00001  | Martin   | 2026-10-25 |            |      240.00 |          |        |       0 |
| a draft        | Martin   |            |            |       60.00 |          |        |         |
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.invoicing_support import establish_company
from tests.api.support import as_role, assert_problem, log_position


@dataclass(frozen=True)
class Book:
    martin: str
    dupont: str
    numbers: dict[str, str]  # invoice id → number ("draft" for the draft)
    before_settling: str


def created(response: Any) -> str:
    assert response.status_code == 201, response.text
    identifier: str = response.json()["id"]
    return identifier


def drafted(
    client: TestClient, headers: dict[str, str], customer_id: str, quantity: str, price: str
) -> str:
    body = {
        "customer_id": customer_id,
        "operation": "services",
        "payment_terms": {"kind": "net", "days": 30},
    }
    invoice_id = created(client.post("/invoices", json=body, headers=headers))
    line = {"description": "Audit", "quantity": quantity, "unit_price": price, "vat_rate": "20"}
    created(client.post(f"/invoices/{invoice_id}/lines", json=line, headers=headers))
    return invoice_id


def issued(
    client: TestClient, headers: dict[str, str], customer_id: str, qty: str, price: str, on: str
) -> str:
    invoice_id = drafted(client, headers, customer_id, qty, price)
    done = client.post(f"/invoices/{invoice_id}/issue", json={"issue_date": on}, headers=headers)
    assert done.status_code == 200, done.text
    return invoice_id


@pytest.fixture
def book(client: TestClient) -> Book:
    establish_company(client)
    carla = as_role(client, "carla", "accountant")
    martin = created(client.post("/customers", json={"name": "Martin SA", "status": "customer"}))
    dupont = created(
        client.post("/customers", json={"name": "Dupont Inc", "currency": "USD"}),
    )
    first = issued(client, carla, martin, "2", "250.00", "2026-07-01")
    second = issued(client, carla, martin, "4", "250.00", "2026-08-15")
    dollars = issued(client, carla, dupont, "1", "300.00", "2026-10-01")
    fourth = issued(client, carla, martin, "1", "200.00", "2026-10-20")
    draft = drafted(client, carla, martin, "1", "50.00")
    before_settling = datetime.now(UTC).isoformat()
    allocations = [{"invoice_id": first, "amount": "100.00"}]
    payment = {
        "customer_id": martin,
        "value_date": "2026-08-20",
        "amount": "100.00",
        "means": "transfer",
        "allocations": allocations,
    }
    created(client.post("/payments", json=payment, headers=carla))
    credit = {"amount": "240.00", "issue_date": "2026-10-25"}
    note = created(client.post(f"/invoices/{second}/credit-notes", json=credit, headers=carla))
    numbers = {
        first: "INV-2026-00001",
        second: "INV-2026-00002",
        dollars: "INV-2026-00003",
        fourth: "INV-2026-00004",
        note: "CN-2026-00001",
        draft: "draft",
    }
    return Book(martin, dupont, numbers, before_settling)


def invoices(client: TestClient, book: Book, **params: Any) -> dict[str, Any]:
    params.setdefault("min_position", log_position(client))
    response = client.get("/views/invoices", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def numbers(page: dict[str, Any], book: Book) -> list[str]:
    return [book.numbers[item["invoice_id"]] for item in page["items"]]


def test_the_invoices_view_gives_each_documents_amounts_and_overdue_on_the_servers_day(
    client: TestClient, book: Book
) -> None:
    page = invoices(client, book)
    assert page["total"] == 6
    # by issue date, the draft (no date) last
    assert numbers(page, book) == [
        "INV-2026-00001",
        "INV-2026-00002",
        "INV-2026-00003",
        "INV-2026-00004",
        "CN-2026-00001",
        "draft",
    ]
    first, second, dollars, fourth, note, draft = page["items"]
    assert (first["gross"], first["paid"], first["amount_due"]) == ("600.00", "100.00", "500.00")
    assert (first["payment_status"], first["overdue"], first["days_overdue"]) == (
        "partly_paid",
        True,
        94,
    )
    assert (second["credited"], second["amount_due"], second["days_overdue"]) == (
        "240.00",
        "960.00",
        49,
    )
    assert (dollars["currency"], dollars["amount_due"], dollars["days_overdue"]) == (
        "USD",
        "360.00",
        2,
    )
    assert (fourth["overdue"], fourth["days_overdue"], fourth["due_date"]) == (
        False,
        None,
        "2026-11-19",
    )
    assert (note["kind"], note["series"], note["credited_number"]) == (
        "credit_note",
        "CN",
        "INV-2026-00002",
    )
    assert (note["gross"], note["amount_due"], note["overdue"]) == ("240.00", "0.00", False)
    assert (draft["status"], draft["number"], draft["gross"]) == ("draft", None, "60.00")


def test_the_invoices_view_filters_by_customer_series_status_and_dates(
    client: TestClient, book: Book
) -> None:
    def only(**params: Any) -> list[str]:
        return numbers(invoices(client, book, **params), book)

    assert only(customer_id=book.dupont) == ["INV-2026-00003"]
    assert only(series="CN") == ["CN-2026-00001"]
    assert only(status="draft") == ["draft"]
    assert only(status="partly_paid") == ["INV-2026-00001"]
    assert only(status="unpaid") == ["INV-2026-00002", "INV-2026-00003", "INV-2026-00004"]
    assert only(status="overdue") == ["INV-2026-00001", "INV-2026-00002", "INV-2026-00003"]
    assert only(status="overdue", on="2026-10-31") == ["INV-2026-00001", "INV-2026-00002"]
    assert only(status="overdue", on="2026-11-20", customer_id=book.martin) == [
        "INV-2026-00001",
        "INV-2026-00002",
        "INV-2026-00004",
    ]
    assert only(issued_from="2026-08-01", issued_to="2026-10-20") == [
        "INV-2026-00002",
        "INV-2026-00003",
        "INV-2026-00004",
    ]
    # a credit note is due on receipt: its due date is its issue date
    assert only(due_from="2026-09-14", due_to="2026-10-31") == [
        "INV-2026-00002",
        "INV-2026-00003",
        "CN-2026-00001",
    ]
    by_due = only(order_by="amount_due", descending="true", series="INV", status="issued")
    assert by_due == ["INV-2026-00002", "INV-2026-00001", "INV-2026-00003", "INV-2026-00004"]
    second_page = invoices(client, book, limit=2, offset=2)
    assert (second_page["total"], numbers(second_page, book)) == (
        6,
        ["INV-2026-00003", "INV-2026-00004"],
    )


def test_the_invoices_view_reads_as_it_stood_at_a_past_time(client: TestClient, book: Book) -> None:
    then = invoices(client, book, as_of=book.before_settling)
    assert numbers(then, book) == [
        "INV-2026-00001",
        "INV-2026-00002",
        "INV-2026-00003",
        "INV-2026-00004",
        "draft",
    ]
    first, second = then["items"][:2]
    assert (first["amount_due"], first["payment_status"]) == ("600.00", "unpaid")
    assert (second["credited"], second["amount_due"]) == ("0.00", "1200.00")
    assert "valid_from" not in first
    assert invoices(client, book, as_of="2000-01-01T00:00:00Z")["total"] == 0


def receivables(client: TestClient, **params: Any) -> dict[str, Any]:
    params.setdefault("min_position", log_position(client))
    response = client.get("/views/receivables", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


BUCKETS = ("not_due", "days_1_30", "days_31_60", "days_61_90", "over_90", "total")


def test_the_receivables_age_each_customers_balance_per_currency_on_a_day(
    client: TestClient, book: Book
) -> None:
    today = receivables(client)  # the server's day, 2 November
    assert (today["on"], today["total"], today["as_of"]) == ("2026-11-02", 2, None)
    rows = {(r["customer_id"], r["currency"]): r for r in today["items"]}
    martin = rows[(book.martin, "EUR")]
    # INV-4 not due: 240.00; INV-2 49 days: 960.00; INV-1 94 days: 500.00
    assert tuple(martin[b] for b in BUCKETS) == (
        "240.00",
        "0.00",
        "960.00",
        "0.00",
        "500.00",
        "1700.00",
    )
    assert (martin["customer_name"], martin["invoices"]) == ("Martin SA", 3)
    dupont = rows[(book.dupont, "USD")]
    assert (dupont["days_1_30"], dupont["total"]) == ("360.00", "360.00")
    assert [(t["currency"], t["total"]) for t in today["totals"]] == [
        ("EUR", "1700.00"),
        ("USD", "360.00"),
    ]
    # on 1 December: INV-4 is 12 days past due, INV-2 78, INV-1 123, INV-3 31
    december = receivables(client, on="2026-12-01", currency="EUR")
    [late] = december["items"]
    assert tuple(late[b] for b in BUCKETS) == (
        "0.00",
        "240.00",
        "0.00",
        "960.00",
        "500.00",
        "1700.00",
    )
    dollars = receivables(client, on="2026-12-01", customer_id=book.dupont)["items"]
    assert [(r["days_31_60"], r["total"]) for r in dollars] == [("360.00", "360.00")]
    # as the data stood before the payment and the credit note, aged on 2 November (without
    # `on`, a balance as of a time is aged on that time's day)
    then = receivables(client, as_of=book.before_settling, on="2026-11-02", customer_id=book.martin)
    assert [(r["over_90"], r["days_31_60"], r["total"]) for r in then["items"]] == [
        ("600.00", "1200.00", "2040.00")
    ]
    assert receivables(client, on="2026-06-30")["items"] == []  # nothing issued yet
    assert receivables(client, as_of=book.before_settling)["on"] == book.before_settling[:10]


def test_the_views_refuse_what_they_cannot_read_as_problems(client: TestClient, book: Book) -> None:
    for path in ("/views/invoices", "/views/receivables"):
        assert client.get(path, params={"on": "2026-13-01"}).status_code == 422
        assert client.get(path, params={"as_of": "2026-11-01"}).status_code == 422
        too_far = client.get(path, params={"min_position": 10**9})
        assert_problem(too_far, 422, "position-not-recorded")
        assert client.get(path, headers={"X-API-Key": ""}).status_code == 401
        admin = client.get(path, headers=as_role(client, "root", "admin"))
        assert admin.status_code == 403
        auditor = client.get(path, headers=as_role(client, "odile", "auditor"))
        assert auditor.status_code == 200
    assert client.get("/views/invoices", params={"status": "late"}).status_code == 422
    bad_order = client.get("/views/invoices", params={"order_by": "gross; DROP TABLE invoices"})
    assert bad_order.status_code == 422


def test_the_invoices_export_with_the_views_filters_as_csv(client: TestClient, book: Book) -> None:
    params = {"status": "overdue", "format": "csv", "min_position": log_position(client)}
    response = client.get("/views/invoices/export", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["number"], r["amount_due"], r["days_overdue"]) for r in lines] == [
        ("INV-2026-00001", "500.00", "94"),
        ("INV-2026-00002", "960.00", "49"),
        ("INV-2026-00003", "360.00", "2"),
    ]
