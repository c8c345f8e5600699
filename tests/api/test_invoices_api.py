"""Invoices and credit notes over HTTP: drafts of free lines, issuing with dates and
numbers, credit notes, reads by id, number, version and time, and who may do what."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.invoicing_support import establish_company
from tests.api.support import as_role, assert_problem

TODAY = "2026-11-02"  # the frozen clock's day


@pytest.fixture
def accountant(client: TestClient) -> dict[str, str]:
    """An accountant's headers, the company's settings established (issuing needs them)."""
    establish_company(client)
    return as_role(client, "carla", "accountant")


def customer(client: TestClient, **body: Any) -> str:
    response = client.post(
        "/customers",
        json={"name": "Martin SA", "status": "customer", "vat_number": "FR40303265045", **body},
    )
    assert response.status_code == 201, response.text
    customer_id: str = response.json()["id"]
    return customer_id


def draft(client: TestClient, headers: dict[str, str], customer_id: str, **body: Any) -> str:
    response = client.post(
        "/invoices",
        json={
            "customer_id": customer_id,
            "operation": "services",
            "payment_terms": {"kind": "end_of_month", "days": 45},
            "order_reference": "PO-118",
            **body,
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    assert response.headers["Location"] == f"/invoices/{response.json()['id']}"
    invoice_id: str = response.json()["id"]
    return invoice_id


def add_line(client: TestClient, headers: dict[str, str], invoice_id: str, **body: Any) -> Any:
    line = {"description": "Audit", "quantity": "3", "unit": "day", "unit_price": "650.00"}
    return client.post(
        f"/invoices/{invoice_id}/lines", json={**line, "vat_rate": "20", **body}, headers=headers
    )


def test_an_invoice_is_drafted_issued_and_read_by_number(
    client: TestClient, accountant: dict[str, str]
) -> None:
    invoice_id = draft(client, accountant, customer(client), discounts=["10"])
    assert add_line(client, accountant, invoice_id).json()["result"] == {"line_id": "1"}
    export = {"vat_category": "G", "vat_rate": "0", "exemption_reason": "Export, art. 262 I CGI"}
    add_line(client, accountant, invoice_id, quantity="1", unit_price="100", **export)
    pro_forma = client.get(f"/invoices/{invoice_id}").json()
    assert pro_forma["status"] == "draft"
    assert pro_forma["number"] is None

    before_issue = datetime.now(UTC).isoformat()  # events are stamped by the real clock
    issued = client.post(
        f"/invoices/{invoice_id}/issue", json={"issue_date": "2026-10-30"}, headers=accountant
    )
    assert issued.status_code == 200, issued.text
    assert issued.json()["result"] == {"number": "INV-2026-00001"}

    invoice = client.get("/invoices/by-number/INV-2026-00001").json()  # a salesperson reads
    assert invoice["id"] == invoice_id
    assert invoice["status"] == "issued"
    assert invoice["issue_date"] == "2026-10-30"
    assert invoice["due_date"] == "2026-12-31"  # 45 days: 14 December, then its month's end
    assert invoice["buyer"] == {
        "name": "Martin SA",
        "vat_number": "FR40303265045",
        "billing_address": None,
        "siren": None,
        "siret": None,
        "delivery_address": None,
    }
    assert invoice["lines"][0]["unit"] == "DAY"
    totals = invoice["totals"]
    # 3 × 650 = 1,950 and 100 of export, less 10 %: 1,755.00 + 90.00; VAT 351.00
    assert totals["lines_net"] == "2050.00"
    assert totals["document_discount"] == "205.00"
    assert totals["breakdown"] == [
        {
            "category": "G",
            "rate": "0",
            "base": "90.00",
            "vat": "0.00",
            "exemption_reason": "Export, art. 262 I CGI",
        },
        {
            "category": "S",
            "rate": "20",
            "base": "1755.00",
            "vat": "351.00",
            "exemption_reason": None,
        },
    ]
    assert totals["gross"] == invoice["amount_due"] == "2196.00"
    assert invoice["terms"]["order_reference"] == "PO-118"
    assert "No discount for early payment" in invoice["terms"]["mentions"]
    assert any("40 EUR" in mention for mention in invoice["terms"]["mentions"])

    # an issued invoice is never edited
    refused = add_line(client, accountant, invoice_id)
    assert_problem(refused, 409, "invalid-transition")
    history = client.get(f"/invoices/{invoice_id}/history").json()
    assert [item["type"] for item in history][-1] == "Invoice.Issued"
    assert history[-1]["actor"] == "carla"
    as_of = client.get(f"/invoices/{invoice_id}", params={"as_of": before_issue}).json()
    assert as_of["status"] == "draft"
    assert len(as_of["lines"]) == 2
    first = client.get(f"/invoices/{invoice_id}", params={"version": 1}).json()
    assert first["status"] == "draft"
    assert first["lines"] == []


def test_the_issue_date_defaults_to_today_and_a_backdated_issue_is_a_409(
    client: TestClient, accountant: dict[str, str]
) -> None:
    customer_id = customer(client)
    first, second = draft(client, accountant, customer_id), draft(client, accountant, customer_id)
    for invoice_id in (first, second):
        add_line(client, accountant, invoice_id)
    client.post(f"/invoices/{first}/issue", headers=accountant)
    assert client.get(f"/invoices/{first}").json()["issue_date"] == TODAY
    backdated = client.post(
        f"/invoices/{second}/issue", json={"issue_date": "2026-11-01"}, headers=accountant
    )
    assert_problem(backdated, 409, "issue-date-before-previous")
    future = client.post(
        f"/invoices/{second}/issue", json={"issue_date": "2026-11-03"}, headers=accountant
    )
    assert_problem(future, 409, "issue-date-in-future")
    assert client.get(f"/invoices/{second}").json()["status"] == "draft"


def test_a_bad_vat_category_and_reason_combination_is_a_422(
    client: TestClient, accountant: dict[str, str]
) -> None:
    invoice_id = draft(client, accountant, customer(client))
    no_reason = add_line(client, accountant, invoice_id, vat_category="AE", vat_rate="0")
    assert_problem(no_reason, 422, "vat-category-mismatch")
    taxed_exempt = add_line(
        client, accountant, invoice_id, vat_category="E", vat_rate="20", exemption_reason="261"
    )
    assert_problem(taxed_exempt, 422, "vat-category-mismatch")
    assert_problem(
        add_line(client, accountant, invoice_id, vat_category="X"), 422, "invalid-request"
    )
    assert_problem(
        add_line(client, accountant, invoice_id, unit="bucket"), 422, "unknown-unit-code"
    )
    assert client.get(f"/invoices/{invoice_id}").json()["lines"] == []


def test_a_draft_changes_its_lines_and_terms(
    client: TestClient, accountant: dict[str, str]
) -> None:
    invoice_id = draft(client, accountant, customer(client))
    add_line(client, accountant, invoice_id)
    add_line(client, accountant, invoice_id, description="Travel")
    changed = client.patch(
        f"/invoices/{invoice_id}/lines/1", json={"quantity": "2"}, headers=accountant
    )
    assert changed.status_code == 200, changed.text
    assert client.delete(f"/invoices/{invoice_id}/lines/2", headers=accountant).status_code == 200
    terms = client.patch(
        f"/invoices/{invoice_id}",
        json={"payment_terms": {"kind": "net", "days": 30}, "late_penalty_rate": "12"},
        headers=accountant,
    )
    assert terms.status_code == 200, terms.text
    too_long = client.patch(
        f"/invoices/{invoice_id}",
        json={"payment_terms": {"kind": "net", "days": 60}},
        headers=accountant,
    )
    assert too_long.status_code == 200
    invoice = client.get(f"/invoices/{invoice_id}").json()
    assert [line["quantity"] for line in invoice["lines"]] == ["2"]
    assert invoice["terms"]["payment_terms"] == {"kind": "net", "days": 60}
    assert "Late payment penalties: 12 % a year" in invoice["terms"]["mentions"]
    assert_problem(
        client.patch(
            f"/invoices/{invoice_id}",
            json={"payment_terms": {"kind": "end_of_month", "days": 50}},
            headers=accountant,
        ),
        422,
        "invalid-payment-terms",
    )


def test_credit_notes_correct_an_issued_invoice_never_above_what_remains(
    client: TestClient, accountant: dict[str, str]
) -> None:
    invoice_id = draft(client, accountant, customer(client))
    add_line(client, accountant, invoice_id, quantity="2", unit_price="100.00")
    add_line(client, accountant, invoice_id, quantity="1", unit_price="30.00", vat_rate="10")
    assert_problem(
        client.post(f"/invoices/{invoice_id}/credit-notes", headers=accountant),
        409,
        "invalid-transition",
    )
    client.post(f"/invoices/{invoice_id}/issue", headers=accountant)

    partial = client.post(
        f"/invoices/{invoice_id}/credit-notes",
        json={"quantities": {"1": "1"}, "reason": "one day not worked"},
        headers=accountant,
    )
    assert partial.status_code == 201, partial.text
    note_id = partial.json()["id"]
    assert partial.headers["Location"] == f"/invoices/{note_id}"
    assert partial.json()["result"]["number"] == "CN-2026-00001"
    note = client.get(f"/invoices/{note_id}").json()
    assert note["kind"] == "credit_note"
    assert note["credited_invoice"]["number"] == "INV-2026-00001"
    assert note["totals"]["gross"] == "120.00"

    invoice = client.get(f"/invoices/{invoice_id}").json()
    assert invoice["credited"] == "120.00"
    assert invoice["amount_due"] == "153.00"
    assert invoice["credit_notes"] == {"CN-2026-00001": note_id}
    above = client.post(
        f"/invoices/{invoice_id}/credit-notes", json={"amount": "153.01"}, headers=accountant
    )
    assert_problem(above, 409, "credit-exceeds-invoice")
    both = client.post(
        f"/invoices/{invoice_id}/credit-notes",
        json={"amount": "1", "quantities": {"1": None}},
        headers=accountant,
    )
    assert_problem(both, 422, "invalid-input")
    rest = client.post(f"/invoices/{invoice_id}/credit-notes", headers=accountant)
    assert rest.json()["result"]["number"] == "CN-2026-00002"
    assert client.get(f"/invoices/{invoice_id}").json()["amount_due"] == "0.00"
    assert_problem(
        client.post(f"/invoices/{note_id}/credit-notes", headers=accountant), 409, "not-creditable"
    )


def test_sales_read_invoices_but_only_accountants_and_managers_issue_them(
    client: TestClient, accountant: dict[str, str]
) -> None:
    customer_id = customer(client)
    assert_problem(
        client.post("/invoices", json={"customer_id": customer_id, "operation": "goods"}),
        403,
        "forbidden",
    )
    manager = as_role(client, "manon", "manager")
    invoice_id = draft(client, manager, customer_id)
    add_line(client, accountant, invoice_id)
    auditor = as_role(client, "aude", "auditor")
    assert_problem(client.post(f"/invoices/{invoice_id}/issue", headers=auditor), 403, "forbidden")
    assert client.get(f"/invoices/{invoice_id}", headers=auditor).status_code == 200
    assert_problem(client.get("/invoices/by-number/INV-2026-00009"), 404, "unknown-invoice-number")
    assert_problem(client.get("/invoices/by-number/INV 1"), 422, "invalid-request")


def test_the_views_fold_invoices_and_credit_notes_without_quarantining_them(
    client: TestClient, accountant: dict[str, str]
) -> None:
    invoice_id = draft(client, accountant, customer(client))
    add_line(client, accountant, invoice_id)
    client.post(f"/invoices/{invoice_id}/issue", headers=accountant)
    credited = client.post(
        f"/invoices/{invoice_id}/credit-notes", json={"amount": "100"}, headers=accountant
    )
    position = credited.json()["position"]
    admin = as_role(client, "ada", "admin")
    quarantined = client.get(f"/views/quarantine?min_position={position}", headers=admin)
    assert quarantined.status_code == 200, quarantined.text
    assert quarantined.json()["position"] >= position
    assert quarantined.json()["items"] == []
