"""Payments and the seller over HTTP (issue 14): a payment of two invoices, refusals as
their own problems, what the invoice shows (seller, paid, due, status, overdue)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.invoicing_support import COMPANY, establish_company
from tests.api.support import as_role, assert_problem, log_position

TODAY = "2026-11-02"  # the frozen clock's day


@pytest.fixture
def accountant(client: TestClient) -> dict[str, str]:
    return as_role(client, "carla", "accountant")


def customer(client: TestClient) -> str:
    response = client.post("/customers", json={"name": "Martin SA", "status": "customer"})
    assert response.status_code == 201, response.text
    customer_id: str = response.json()["id"]
    return customer_id


def drafted(
    client: TestClient, headers: dict[str, str], customer_id: str, price: str, days: int = 30
) -> str:
    """A draft of one day at `price` + 20 % VAT, due `days` after its issue."""
    response = client.post(
        "/invoices",
        json={
            "customer_id": customer_id,
            "operation": "services",
            "payment_terms": {"kind": "net", "days": days},
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    invoice_id: str = response.json()["id"]
    line = {"description": "Audit", "quantity": "1", "unit_price": price, "vat_rate": "20"}
    added = client.post(f"/invoices/{invoice_id}/lines", json=line, headers=headers)
    assert added.status_code == 201, added.text
    return invoice_id


def issued(
    client: TestClient,
    headers: dict[str, str],
    customer_id: str,
    price: str,
    on: str,
    days: int = 30,
) -> str:
    invoice_id = drafted(client, headers, customer_id, price, days)
    response = client.post(
        f"/invoices/{invoice_id}/issue", json={"issue_date": on}, headers=headers
    )
    assert response.status_code == 200, response.text
    return invoice_id


def pay(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    return client.post("/payments", json={"means": "transfer", **body}, headers=headers)


def test_issuing_before_the_company_is_established_is_a_409_problem(
    client: TestClient, accountant: dict[str, str]
) -> None:
    invoice_id = drafted(client, accountant, customer(client), "100.00")
    response = client.post(f"/invoices/{invoice_id}/issue", headers=accountant)
    problem = assert_problem(response, 409, "seller-not-established")
    assert "PUT /company" in problem["detail"]


def test_the_issued_invoice_shows_the_seller_as_it_stood_on_the_issue_date(
    client: TestClient, accountant: dict[str, str]
) -> None:
    establish_company(client)
    invoice_id = issued(client, accountant, customer(client), "100.00", "2026-10-30")
    seller = client.get(f"/invoices/{invoice_id}").json()["seller"]
    assert seller == {
        "legal_name": "Comptoir Lyonnais SAS",
        "legal_form": "SAS",
        "siren": "732829320",
        "siret": None,
        "vat_number": "FR44732829320",
        "registration": "RCS Lyon",
        "share_capital": {"amount": "10000.00", "currency": "EUR"},
        "address": {
            "street": "12 rue de la République",
            "postal_code": "69002",
            "city": "Lyon",
            "country": "FR",
            "name": seller["address"]["name"],
        },
        "iban": "FR1420041010050500013M02606",
        "bic": "PSSTFRPPLIL",
        "late_payment_rate": "12.5",
        "footer": "Indemnité forfaitaire pour frais de recouvrement : 40 €.",
        "logo_sha256": None,
    }
    manager = as_role(client, "maud", "manager")
    moved = client.put(
        "/company",
        json={
            **COMPANY,
            "iban": "FR7630006000011234567890189",
            "effective_on": TODAY,
            "reason": "bank moved",
        },
        headers=manager,
    )
    assert moved.status_code == 200, moved.text
    assert client.get(f"/invoices/{invoice_id}").json()["seller"]["iban"] == seller["iban"]


def test_one_payment_settles_two_invoices_and_each_shows_what_is_left(
    client: TestClient, accountant: dict[str, str]
) -> None:
    establish_company(client)
    customer_id = customer(client)
    first = issued(client, accountant, customer_id, "500.00", "2026-09-01")  # 600.00
    second = issued(client, accountant, customer_id, "1000.00", "2026-10-01")  # 1200.00
    response = pay(
        client,
        accountant,
        customer_id=customer_id,
        value_date="2026-10-31",
        amount="1000.00",
        reference="VIR MARTIN 31/10",
        allocations=[
            {"invoice_id": first, "amount": "600.00"},
            {"invoice_id": second, "amount": "400.00"},
        ],
    )
    assert response.status_code == 201, response.text
    payment_id = response.json()["id"]
    assert response.headers["Location"] == f"/payments/{payment_id}"
    assert response.json()["result"] == {
        "allocations": {"INV-2026-00001": "600.00", "INV-2026-00002": "400.00"},
        "voucher_balance": None,
    }

    payment = client.get(f"/payments/{payment_id}").json()  # a salesperson reads
    assert payment["value_date"] == "2026-10-31"
    assert payment["means"] == "transfer"
    assert payment["reference"] == "VIR MARTIN 31/10"
    assert [(a["number"], a["amount"]) for a in payment["allocations"]] == [
        ("INV-2026-00001", "600.00"),
        ("INV-2026-00002", "400.00"),
    ]
    paid = client.get(f"/invoices/{first}", params={"on": TODAY}).json()
    assert (paid["amount_paid"], paid["amount_due"]) == ("600.00", "0.00")
    assert (paid["payment_status"], paid["overdue"]) == ("paid", False)
    partly = client.get(f"/invoices/{second}", params={"on": TODAY}).json()
    assert (partly["amount_paid"], partly["amount_due"]) == ("400.00", "800.00")
    assert (partly["payment_status"], partly["overdue"]) == ("partly_paid", True)
    assert client.get(f"/invoices/{second}", params={"on": "2026-10-31"}).json()["overdue"] is False
    assert client.get(f"/invoices/{second}").json()["overdue"] is None
    history = client.get(f"/payments/{payment_id}/history").json()
    assert [item["type"] for item in history] == ["Payment.Recorded"]


def test_without_allocations_the_soonest_due_is_paid_first_and_today_is_the_value_date(
    client: TestClient, accountant: dict[str, str]
) -> None:
    establish_company(client)
    customer_id = customer(client)
    later = issued(client, accountant, customer_id, "100.00", "2026-10-10")  # due 9 November
    sooner = issued(client, accountant, customer_id, "100.00", "2026-10-20", 1)  # due 21 Oct
    response = pay(client, accountant, customer_id=customer_id, amount="150.00", means="card")
    assert response.status_code == 201, response.text
    payment = client.get(f"/payments/{response.json()['id']}").json()
    assert payment["value_date"] == TODAY
    assert [(a["invoice_id"], a["amount"]) for a in payment["allocations"]] == [
        (sooner, "120.00"),
        (later, "30.00"),
    ]


def test_an_overpayment_and_a_future_value_date_are_refused_as_problems(
    client: TestClient, accountant: dict[str, str]
) -> None:
    establish_company(client)
    customer_id = customer(client)
    invoice_id = issued(client, accountant, customer_id, "100.00", "2026-10-01")  # 120.00
    position = log_position(client)
    over = pay(client, accountant, customer_id=customer_id, amount="120.01")
    assert "0.01" in assert_problem(over, 409, "payment-above-due")["detail"]
    one_too_many = [{"invoice_id": invoice_id, "amount": "121.00"}]
    over_one = pay(
        client, accountant, customer_id=customer_id, amount="121.00", allocations=one_too_many
    )
    assert_problem(over_one, 409, "payment-above-due")
    allocated_above = [{"invoice_id": invoice_id, "amount": "60.00"}]
    assert_problem(
        pay(client, accountant, customer_id=customer_id, amount="50", allocations=allocated_above),
        422,
        "allocations-above-payment",
    )
    future = pay(client, accountant, customer_id=customer_id, amount="10", value_date="2026-11-03")
    assert_problem(future, 409, "payment-date-in-future")
    assert_problem(
        pay(client, accountant, customer_id=customer_id, amount="1e13"), 422, "invalid-request"
    )
    assert log_position(client) == position
    assert client.get(f"/invoices/{invoice_id}").json()["payment_status"] == "unpaid"


def test_only_accountants_and_managers_record_payments(client: TestClient) -> None:
    response = pay(client, {}, customer_id=customer(client), amount="10")  # alice, sales
    assert_problem(response, 403, "forbidden")


def test_the_views_fold_payments_and_paid_invoices_without_quarantining_them(
    client: TestClient, accountant: dict[str, str]
) -> None:
    establish_company(client)
    customer_id = customer(client)
    issued(client, accountant, customer_id, "100.00", "2026-10-01")
    paid = pay(client, accountant, customer_id=customer_id, amount="120.00")
    assert paid.status_code == 201, paid.text
    position = paid.json()["position"]
    admin = as_role(client, "ada", "admin")
    quarantined = client.get(f"/views/quarantine?min_position={position}", headers=admin)
    assert quarantined.status_code == 200, quarantined.text
    assert quarantined.json()["position"] >= position
    assert quarantined.json()["items"] == []
