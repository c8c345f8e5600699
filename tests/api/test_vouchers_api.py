"""Value vouchers over HTTP (S6): issued by accountants, read by every reader, spent by a
payment with `means: voucher`; each refusal its own problem, and nothing recorded."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.invoicing_support import establish_company
from tests.api.support import as_role, assert_problem, log_position
from tests.api.test_payments_api import TODAY, customer, issued, pay


@pytest.fixture
def accountant(client: TestClient) -> dict[str, str]:
    return as_role(client, "carla", "accountant")


def issue(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    body = {"amount": "50.00", "currency": "EUR", "valid_until": "2026-12-31", **body}
    return client.post("/vouchers", json=body, headers=headers)


def issued_voucher(client: TestClient, headers: dict[str, str], **body: Any) -> str:
    response = issue(client, headers, **body)
    assert response.status_code == 201, response.text
    voucher_id: str = response.json()["id"]
    return voucher_id


def test_a_voucher_is_issued_and_read_by_id_code_version_and_history(
    client: TestClient, accountant: dict[str, str]
) -> None:
    customer_id = customer(client)
    response = issue(
        client,
        accountant,
        customer_id=customer_id,
        issue_date="2026-10-15",
        reason="Late delivery of order 42",
    )
    assert response.status_code == 201, response.text
    voucher_id = response.json()["id"]
    assert response.headers["Location"] == f"/vouchers/{voucher_id}"
    code = response.json()["result"]["code"]
    assert response.json()["result"]["balance"] == "50.00"

    voucher = client.get(f"/vouchers/{voucher_id}").json()  # a salesperson reads
    assert voucher["code"] == code
    assert (voucher["customer_id"], voucher["to_bearer"]) == (customer_id, False)
    assert (voucher["amount"], voucher["balance"], voucher["currency"]) == ("50.00", "50.00", "EUR")
    assert (voucher["issue_date"], voucher["valid_until"]) == ("2026-10-15", "2026-12-31")
    assert (voucher["status"], voucher["reason"]) == ("active", "Late delivery of order 42")
    by_code = client.get(f"/vouchers/by-code/{code.lower()}")
    assert by_code.json()["id"] == voucher_id
    assert by_code.headers["ETag"] == '"1"'
    history = client.get(f"/vouchers/{voucher_id}/history").json()
    assert [(h["type"], h["actor"], h["reason"]) for h in history] == [
        ("Voucher.Issued", "carla", "Late delivery of order 42")
    ]
    assert client.get(f"/vouchers/{voucher_id}", params={"version": 1}).json()["code"] == code
    assert_problem(client.get(f"/vouchers/{voucher_id}?version=2"), 404, "not-found")
    assert_problem(client.get("/vouchers/by-code/VCH-1234"), 422, "invalid-voucher-code")
    assert_problem(client.get("/vouchers/by-code/VCH-0000-0000-0000"), 404, "not-found")


def test_a_payment_by_voucher_spends_it_and_both_documents_say_so(
    client: TestClient, accountant: dict[str, str]
) -> None:
    establish_company(client)
    customer_id = customer(client)
    invoice_id = issued(client, accountant, customer_id, "100.00", "2026-10-01")  # 120.00
    voucher_id = issued_voucher(client, accountant)  # to bearer
    response = pay(
        client, accountant, customer_id=customer_id, amount="30.00", means="voucher",
        voucher_id=voucher_id,
    )  # fmt: skip
    assert response.status_code == 201, response.text
    assert response.json()["result"] == {
        "allocations": {"INV-2026-00001": "30.00"},
        "voucher_balance": "20.00",
    }
    payment_id = response.json()["id"]
    payment = client.get(f"/payments/{payment_id}").json()
    assert (payment["means"], payment["voucher_id"]) == ("voucher", voucher_id)
    voucher = client.get(f"/vouchers/{voucher_id}").json()
    assert (voucher["balance"], voucher["redeemed"], voucher["version"]) == ("20.00", "30.00", 2)
    assert voucher["redemptions"] == [
        {"payment_id": payment_id, "customer_id": customer_id, "amount": "30.00", "on_day": TODAY}
    ]
    assert client.get(f"/invoices/{invoice_id}").json()["amount_due"] == "90.00"
    before = client.get(f"/vouchers/{voucher_id}", params={"as_of": "2026-01-01T00:00:00Z"})
    assert_problem(before, 404, "not-found")  # it did not exist yet
    history = client.get(f"/vouchers/{voucher_id}/history").json()
    assert [(h["type"], h["command"]) for h in history] == [
        ("Voucher.Issued", "voucher.issue"),
        ("Voucher.Redeemed", "payment.record"),
    ]


def test_each_refused_redemption_is_its_own_problem_and_records_nothing(
    client: TestClient, accountant: dict[str, str]
) -> None:
    establish_company(client)
    customer_id, other = customer(client), customer(client)
    invoice_id = issued(client, accountant, customer_id, "100.00", "2026-10-01")  # 120.00
    issued(client, accountant, other, "100.00", "2026-10-01")
    theirs = issued_voucher(client, accountant, customer_id=customer_id, issue_date="2026-10-01")
    expired = issued_voucher(client, accountant, issue_date="2026-10-01", valid_until="2026-11-01")
    dollars = issued_voucher(client, accountant, currency="USD")
    position = log_position(client)

    def by_voucher(voucher_id: str, amount: str, **body: Any) -> Any:
        body = {"customer_id": customer_id, **body}
        return pay(
            client, accountant, amount=amount, means="voucher", voucher_id=voucher_id, **body
        )

    assert (
        "50.00"
        in assert_problem(by_voucher(theirs, "50.01"), 409, "voucher-balance-exceeded")["detail"]
    )
    assert_problem(by_voucher(expired, "10"), 409, "voucher-expired")
    assert_problem(by_voucher(theirs, "10", value_date="2026-09-30"), 409, "voucher-not-yet-valid")
    assert_problem(by_voucher(theirs, "10", customer_id=other), 409, "voucher-of-another-customer")
    assert_problem(by_voucher(dollars, "10"), 409, "voucher-currency-mismatch")
    too_much_for_the_invoice = by_voucher(
        theirs, "30.00", allocations=[{"invoice_id": invoice_id, "amount": "20.00"}]
    )
    assert_problem(too_much_for_the_invoice, 409, "payment-above-due")
    assert_problem(
        pay(client, accountant, customer_id=customer_id, amount="10", means="voucher"),
        422,
        "voucher-means-mismatch",
    )
    assert_problem(
        pay(client, accountant, customer_id=customer_id, amount="10", voucher_id=theirs),
        422,
        "voucher-means-mismatch",
    )
    unknown = "00000000-0000-0000-0000-000000000000"
    assert_problem(by_voucher(unknown, "10"), 404, "not-found")
    assert log_position(client) == position
    assert client.get(f"/vouchers/{theirs}").json()["balance"] == "50.00"
    assert client.get(f"/invoices/{invoice_id}").json()["payment_status"] == "unpaid"


def test_issuing_refuses_a_validity_before_the_issue_a_future_issue_or_no_amount(
    client: TestClient, accountant: dict[str, str]
) -> None:
    position = log_position(client)
    early = issue(client, accountant, issue_date="2026-10-15", valid_until="2026-10-14")
    assert_problem(early, 422, "voucher-validity-before-issue")
    assert_problem(issue(client, accountant, issue_date="2026-11-03"), 409, "issue-date-in-future")
    assert_problem(issue(client, accountant, amount="0"), 422, "invalid-request")
    assert_problem(issue(client, accountant, currency="XXY"), 422, "unknown-currency")
    assert_problem(issue(client, accountant, valid_until=None), 422, "invalid-request")
    unknown = "00000000-0000-0000-0000-000000000000"
    assert_problem(issue(client, accountant, customer_id=unknown), 404, "not-found")
    assert log_position(client) == position


def test_a_cancelled_voucher_forfeits_its_balance_and_is_not_spent_again(
    client: TestClient, accountant: dict[str, str]
) -> None:
    establish_company(client)
    customer_id = customer(client)
    issued(client, accountant, customer_id, "100.00", "2026-10-01")
    voucher_id = issued_voucher(client, accountant, customer_id=customer_id)
    cancelled = client.post(
        f"/vouchers/{voucher_id}/cancel", json={"reason": "Sold by mistake"}, headers=accountant
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["result"] == {"forfeited": "50.00"}
    voucher = client.get(f"/vouchers/{voucher_id}").json()
    assert (voucher["status"], voucher["balance"], voucher["forfeited"]) == (
        "cancelled",
        "0.00",
        "50.00",
    )
    spend = pay(
        client, accountant, customer_id=customer_id, amount="10", means="voucher",
        voucher_id=voucher_id,
    )  # fmt: skip
    assert_problem(spend, 409, "voucher-cancelled")
    again = client.post(f"/vouchers/{voucher_id}/cancel", headers=accountant)
    assert_problem(again, 409, "invalid-transition")
    history = client.get(f"/vouchers/{voucher_id}/history").json()
    assert history[-1]["reason"] == "Sold by mistake"


def test_accountants_and_managers_issue_and_cancel_everyone_else_reads(
    client: TestClient, accountant: dict[str, str]
) -> None:
    voucher_id = issued_voucher(client, accountant)
    assert issue(client, as_role(client, "maud", "manager")).status_code == 201
    for user, role in (("alice", "sales"), ("axel", "auditor")):
        headers = as_role(client, user, role)
        assert_problem(issue(client, headers), 403, "forbidden")
        cancel = client.post(f"/vouchers/{voucher_id}/cancel", headers=headers)
        assert_problem(cancel, 403, "forbidden")
        assert client.get(f"/vouchers/{voucher_id}", headers=headers).status_code == 200
    admin = as_role(client, "ada", "admin")
    assert_problem(client.get(f"/vouchers/{voucher_id}", headers=admin), 403, "forbidden")
    anonymous = client.get(f"/vouchers/{voucher_id}", headers={"X-API-Key": ""})
    assert_problem(anonymous, 401, "unauthenticated")


def test_the_views_fold_vouchers_and_payments_by_voucher_without_quarantining_them(
    client: TestClient, accountant: dict[str, str]
) -> None:
    establish_company(client)
    customer_id = customer(client)
    issued(client, accountant, customer_id, "100.00", "2026-10-01")
    voucher_id = issued_voucher(client, accountant)
    paid = pay(
        client, accountant, customer_id=customer_id, amount="50.00", means="voucher",
        voucher_id=voucher_id,
    )  # fmt: skip
    assert paid.status_code == 201, paid.text
    spent = client.post(f"/vouchers/{voucher_id}/cancel", headers=accountant)
    assert_problem(spent, 409, "invalid-transition")  # nothing left to cancel
    position = log_position(client)
    admin = as_role(client, "ada", "admin")
    quarantined = client.get(f"/views/quarantine?min_position={position}", headers=admin)
    assert quarantined.status_code == 200, quarantined.text
    assert quarantined.json()["items"] == []
