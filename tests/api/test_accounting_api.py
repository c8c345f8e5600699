"""The accounting hand-over over HTTP (I7): invoices and a credit note issued through the
API, then the FEC downloaded and parsed, and the sales journal, with totals by hand."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from application.fec import FEC_COLUMNS
from tests.api.invoicing_support import establish_company
from tests.api.support import as_role, assert_problem

D = Decimal
OCTOBER = {"from": "2026-10-01", "to": "2026-10-31"}


@pytest.fixture
def accountant(client: TestClient) -> dict[str, str]:
    establish_company(client)
    return as_role(client, "carla", "accountant")


def customer(client: TestClient, name: str, currency: str = "EUR") -> str:
    body = {"name": name, "status": "customer", "currency": currency}
    response = client.post("/customers", json=body)
    assert response.status_code == 201, response.text
    customer_id: str = response.json()["id"]
    return customer_id


def invoice(
    client: TestClient,
    headers: dict[str, str],
    customer_id: str,
    operation: str,
    day: str,
    *lines: tuple[str, str, str, str, str],
) -> str:
    response = client.post(
        "/invoices", json={"customer_id": customer_id, "operation": operation}, headers=headers
    )
    assert response.status_code == 201, response.text
    invoice_id: str = response.json()["id"]
    for description, quantity, unit, price, rate in lines:
        line = {"description": description, "quantity": quantity, "unit": unit}
        line |= {"unit_price": price, "vat_rate": rate}
        added = client.post(f"/invoices/{invoice_id}/lines", json=line, headers=headers)
        assert added.status_code == 201, added.text
    issued = client.post(f"/invoices/{invoice_id}/issue", json={"issue_date": day}, headers=headers)
    assert issued.status_code == 200, issued.text
    return invoice_id


def october(client: TestClient, accountant: dict[str, str]) -> dict[str, str]:
    """Three invoices and a credit note in October, and an invoice in November."""
    martin, dupont = customer(client, "Martin SA"), customer(client, "Dupont SARL")
    # 3 days of audit at 650.00, 20 %: 1,950.00 + 390.00 = 2,340.00
    audit = invoice(
        client, accountant, martin, "services", "2026-10-05", ("Audit", "3", "day", "650", "20")
    )
    # 2 books at 49.90, 5.5 %: 99.80 + 5.49; a lamp at 200.00, 20 %: 200.00 + 40.00
    invoice(
        client,
        accountant,
        dupont,
        "goods",
        "2026-10-12",
        ("Book", "2", "piece", "49.90", "5.5"),
        ("Lamp", "1", "piece", "200", "20"),
    )
    # one day of the audit credited: 650.00 + 130.00 = 780.00
    note = client.post(
        f"/invoices/{audit}/credit-notes",
        json={"issue_date": "2026-10-20", "quantities": {"1": "1"}},
        headers=accountant,
    )
    assert note.status_code == 201, note.text
    # 2 hours of installation at 80.00 (706) and a router at 300.00 (707), 20 %: 552.00
    invoice(
        client,
        accountant,
        martin,
        "goods_and_services",
        "2026-10-25",
        ("Installation", "2", "hour", "80", "20"),
        ("Router", "1", "piece", "300", "20"),
    )
    invoice(client, accountant, dupont, "goods", "2026-11-02", ("Lamp", "1", "piece", "200", "20"))
    return {"martin": martin, "dupont": dupont}


def amount(text: str) -> Decimal:
    return D(text.replace(",", "."))


def test_the_fec_of_october_holds_its_entries_balanced_with_the_totals_by_hand(
    client: TestClient, accountant: dict[str, str]
) -> None:
    customers = october(client, accountant)
    response = client.get("/accounting/fec", params=OCTOBER, headers=accountant)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    disposition = response.headers["content-disposition"]
    assert disposition == 'attachment; filename="732829320FEC20261031.txt"'
    assert response.headers["x-documents"] == "4"
    lines = response.text.split("\r\n")
    assert lines.pop() == ""
    header, *rows = [line.split("\t") for line in lines]
    assert header == list(FEC_COLUMNS)
    records = [dict(zip(FEC_COLUMNS, row, strict=True)) for row in rows]

    by_entry: dict[str, list[dict[str, str]]] = {}
    for record in records:
        by_entry.setdefault(record["EcritureNum"], []).append(record)
    assert list(by_entry) == ["1", "2", "3", "4"]
    assert [entry[0]["PieceRef"] for entry in by_entry.values()] == [
        "INV-2026-00001",
        "INV-2026-00002",
        "CN-2026-00001",
        "INV-2026-00003",
    ]
    assert [entry[0]["EcritureDate"] for entry in by_entry.values()] == [
        "20261005",
        "20261012",
        "20261020",
        "20261025",
    ]
    for entry in by_entry.values():
        debit = sum(amount(r["Debit"]) for r in entry)
        assert debit == sum(amount(r["Credit"]) for r in entry) > 0

    per_account: dict[str, tuple[Decimal, Decimal]] = {}  # (debit, credit)
    for r in records:
        debit, credit = per_account.get(r["CompteNum"], (D(0), D(0)))
        per_account[r["CompteNum"]] = (debit + amount(r["Debit"]), credit + amount(r["Credit"]))
    assert per_account == {
        "411": (D("3237.29"), D("780.00")),  # 2,340.00 + 345.29 + 552.00; the credit note
        "706": (D("650.00"), D("2110.00")),  # the day credited; 1,950.00 + 160.00
        "707": (D("0.00"), D("599.80")),  # 99.80 + 200.00 + 300.00
        "44571": (D("130.00"), D("527.49")),  # 390.00 + 5.49 + 40.00 + 92.00
    }
    total_debit = sum(amount(r["Debit"]) for r in records)
    assert total_debit == sum(amount(r["Credit"]) for r in records) == D("4017.29")

    martin_code = "C" + customers["martin"].replace("-", "")[:10].upper()
    customer_lines = [r for r in records if r["CompteNum"] == "411"]
    assert customer_lines[0]["CompAuxNum"] == customer_lines[2]["CompAuxNum"] == martin_code
    assert customer_lines[1]["CompAuxNum"] != martin_code
    assert [r["CompAuxLib"] for r in customer_lines] == [
        "Martin SA",
        "Dupont SARL",
        "Martin SA",
        "Martin SA",
    ]
    assert customer_lines[2]["Credit"] == "780,00"
    assert customer_lines[2]["EcritureLib"] == "Avoir CN-2026-00001 Martin SA"

    piped = client.get(
        "/accounting/fec", params={**OCTOBER, "separator": "pipe"}, headers=accountant
    )
    assert piped.text.split("\r\n")[0] == "|".join(FEC_COLUMNS)


def test_the_sales_journal_lists_each_document_with_net_and_vat_per_rate(
    client: TestClient, accountant: dict[str, str]
) -> None:
    october(client, accountant)
    response = client.get("/accounting/sales-journal", params=OCTOBER, headers=accountant)
    assert response.status_code == 200, response.text
    journal = response.json()
    assert (journal["from"], journal["to"]) == ("2026-10-01", "2026-10-31")
    documents: list[dict[str, Any]] = journal["documents"]
    assert [d["number"] for d in documents] == [
        "INV-2026-00001",
        "INV-2026-00002",
        "CN-2026-00001",
        "INV-2026-00003",
    ]
    books_and_lamp = documents[1]
    assert books_and_lamp["customer"] == "Dupont SARL"
    assert {k: D(v) for k, v in books_and_lamp["net_by_rate"].items()} == {
        "5.5": D("99.80"),
        "20": D("200.00"),
    }
    assert {k: D(v) for k, v in books_and_lamp["vat_by_rate"].items()} == {
        "5.5": D("5.49"),
        "20": D("40.00"),
    }
    assert D(books_and_lamp["gross"]) == D("345.29")
    note = documents[2]
    assert (note["kind"], note["credited_number"]) == ("credit_note", "INV-2026-00001")
    assert D(note["gross"]) == D("-780.00")
    totals = {k: D(v) for k, v in journal["totals"]["EUR"].items()}
    # 1,950.00 + 299.80 − 650.00 + 460.00; 390.00 + 45.49 − 130.00 + 92.00
    assert totals == {"net": D("2059.80"), "vat": D("397.49"), "gross": D("2457.29")}
    assert journal["not_exported"] == []


def test_sales_may_not_read_the_accounting_exports(
    client: TestClient, accountant: dict[str, str]
) -> None:
    for path in ("/accounting/fec", "/accounting/sales-journal"):
        assert_problem(client.get(path, params=OCTOBER), 403, "forbidden")
        auditor = as_role(client, "audrey", "auditor")
        assert client.get(path, params=OCTOBER, headers=auditor).status_code == 200


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"from": "2026-13-01", "to": "2026-12-31"}, "invalid-request"),
        ({"from": "2026-01-01"}, "invalid-request"),
        ({"from": "2026-01-01", "to": "31/12/2026"}, "invalid-request"),
        ({"from": "2026-12-31", "to": "2026-01-01"}, "invalid-export-period"),
        ({"from": "2000-01-01", "to": "2026-12-31"}, "invalid-export-period"),
    ],
)
def test_bad_dates_are_a_422(
    client: TestClient, accountant: dict[str, str], params: dict[str, str], code: str
) -> None:
    for path in ("/accounting/fec", "/accounting/sales-journal"):
        assert_problem(client.get(path, params=params, headers=accountant), 422, code)


def test_an_invoice_in_dollars_is_refused_by_the_fec_by_its_number_but_journaled(
    client: TestClient, accountant: dict[str, str]
) -> None:
    acme = customer(client, "Acme Inc.", "USD")
    invoice(client, accountant, acme, "services", "2026-10-07", ("Audit", "1", "day", "900", "20"))
    refused = client.get("/accounting/fec", params=OCTOBER, headers=accountant)
    problem = assert_problem(refused, 409, "fec-needs-euros")
    assert "INV-2026-00001 is in USD" in problem["detail"]
    journal = client.get("/accounting/sales-journal", params=OCTOBER, headers=accountant).json()
    assert {k: D(v) for k, v in journal["totals"]["USD"].items()} == {
        "net": D("900.00"),
        "vat": D("180.00"),
        "gross": D("1080.00"),
    }
