"""A quarter of an SME's billing through HTTP, on SQLite and on Postgres (issue 14).

Comptoir Lyonnais bills its customer Martin SA in the fourth quarter of 2026: a
maintenance contract billed quarterly, a repair out of warranty, time and materials on
an affair, an order with a deposit then its final invoice, a partial credit note, and two
payments, one late. On 31 December the receivables are aged, the dunning job raises its
notices, and the FEC file of the quarter is read back. Every amount is worked out by
hand below; `docs/sales-story.md` tells the same quarter with curl.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.invoicing_support import COMPANY
from tests.api.quarter_support import (
    amount,
    entries,
    fec_records,
    ok,
    per_account,
    run_jobs,
    view,
)
from tests.api.support import as_role
from tests.conftest import FrozenClock

D = Decimal
NOW = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
NET_30 = {"kind": "net", "days": 30}
QUARTER = {"from": "2026-10-01", "to": "2026-12-31"}


@pytest.fixture
def clock() -> FrozenClock:
    """The last day of the quarter: every Q4 issue date is in the past."""
    return FrozenClock(NOW)


def invoice(client: TestClient, headers: dict[str, str], invoice_id: str) -> dict[str, Any]:
    return ok(client.get(f"/invoices/{invoice_id}", headers=headers))


def figures(document: dict[str, Any]) -> tuple[str, ...]:
    totals = document["totals"]
    return (totals["net"], totals["vat"], totals["gross"], document["due_date"])


def test_a_quarter_of_billing_from_the_contract_to_the_fec(
    client: TestClient, clock: FrozenClock
) -> None:
    maud = as_role(client, "maud", "manager")
    carla = as_role(client, "carla", "accountant")

    # -- 1. The company, established from 1 January; the customer, billed in Paris -----
    ok(client.put("/company", json={**COMPANY, "effective_on": "2026-01-01"}, headers=maud), 201)
    martin = ok(
        client.post(
            "/customers",
            json={"name": "Martin SA", "status": "customer", "vat_number": "FR44732829320"},
        ),
        201,
    )["id"]
    address = {"kind": "billing", "street": "1 rue de la Paix", "postal_code": "75002"}
    address |= {"city": "Paris", "country": "FR"}
    ok(client.post(f"/customers/{martin}/addresses", json=address), 201)

    # -- 2. The maintenance contract, billed quarterly: period 0 is the fourth quarter ---
    contract = ok(
        client.post(
            "/contracts",
            json={
                "customer_id": martin,
                "currency": "EUR",
                "lines": [
                    {
                        "description": "Maintenance of a cash register",
                        "quantity": "3",
                        "unit_price": "250.00",
                        "vat_rate": "20",
                    }
                ],
                "frequency": "quarter",
                "start": "2026-10-01",
            },
        ),
        201,
    )["id"]
    billed = ok(
        client.post(
            f"/contracts/{contract}/bill",
            json={"period_index": 0, "issue_date": "2026-10-01", "payment_terms": NET_30},
            headers=carla,
        ),
        201,
    )["result"]
    contract_invoice = billed["invoice_id"]
    # 3 × 250.00 = 750.00 net, VAT 20 % 150.00, 900.00; 1 October + 30 days = 31 October
    first = invoice(client, carla, contract_invoice)
    assert figures(first) == ("750.00", "150.00", "900.00", "2026-10-31")
    buyer = first["buyer"]
    assert (first["number"], buyer["vat_number"]) == ("INV-2026-00001", "FR44732829320")
    assert (buyer["name"], buyer["billing_address"]["city"]) == ("Martin SA", "Paris")

    # -- 5a. The order of two counters, and its deposit of 30 % incl. tax --------------
    order = ok(
        client.post(
            "/orders",
            json={
                "customer_id": martin,
                "currency": "EUR",
                "lines": [
                    {
                        "description": "Display counter",
                        "quantity": "2",
                        "unit_price": "1000.00",
                        "vat_rate": "20",
                    }
                ],
            },
        ),
        201,
    )["id"]
    ok(client.post(f"/orders/{order}/confirm"))
    # 2 × 1,000.00 = 2,000.00 net, VAT 400.00, 2,400.00 incl. tax
    assert ok(client.get(f"/orders/{order}"))["totals"] == {
        "net": "2000.00",
        "vat": "400.00",
        "gross": "2400.00",
    }
    deposit = ok(
        client.post(
            f"/orders/{order}/deposit-invoices",
            json={"percent": "30", "issue_date": "2026-10-05"},
            headers=carla,
        ),
        201,
    )["result"]["invoice_id"]
    # 30 % of 2,400.00 = 720.00 incl. tax = 600.00 + VAT 120.00; due on receipt
    assert figures(invoice(client, carla, deposit)) == ("600.00", "120.00", "720.00", "2026-10-05")

    # -- 7a. The deposit paid three days later, on time --------------------------------
    paid_deposit = {"customer_id": martin, "value_date": "2026-10-08", "amount": "720.00"}
    paid_deposit |= {
        "means": "transfer",
        "allocations": [{"invoice_id": deposit, "amount": "720.00"}],
    }
    ok(client.post("/payments", json=paid_deposit, headers=carla), 201)

    # -- 3. A repair on a cash register out of warranty, invoiced on 15 October --------
    asset = ok(
        client.post(
            "/assets",
            json={
                "customer_id": martin,
                "product_ref": "CR-200",
                "description": "Cash register",
                "serial_number": "SN-1",
                "site": "Shop",
            },
        ),
        201,
    )["id"]
    warranty = {"start": "2024-01-01", "end": "2025-12-31"}  # over a year before the repair
    ok(client.put(f"/assets/{asset}/warranties/manufacturer", json=warranty))
    case_id = ok(
        client.post(f"/assets/{asset}/service-cases", json={"problem": "drawer stuck"}), 201
    )["result"]["case_id"]
    case = f"/assets/{asset}/service-cases/{case_id}"
    labour = {"description": "Drawer motor replacement", "hours": "2", "hourly_rate": "60.00"}
    assert ok(client.post(f"{case}/labour", json=labour), 201)["result"]["billable"] is True
    part = {"description": "Drawer motor", "quantity": "1", "unit_price": "45.00"}
    ok(client.post(f"{case}/parts", json=part), 201)
    ok(client.post(f"{case}/diagnosis", json={"diagnosis": "motor worn"}))
    ok(client.post(f"{case}/advance", json={"to": "repair"}))
    service_invoice = ok(
        client.post(
            f"{case}/invoice",
            json={"issue_date": "2026-10-15", "payment_terms": NET_30},
            headers=carla,
        ),
        201,
    )["result"]["invoice_id"]
    # 2 h × 60.00 = 120.00 + 45.00 = 165.00 net, VAT 33.00, 198.00; due 14 November
    assert figures(invoice(client, carla, service_invoice)) == (
        "165.00",
        "33.00",
        "198.00",
        "2026-11-14",
    )

    # -- 4. Time and materials on an affair, invoiced on 10 November ------------------
    affair = ok(
        client.post(
            "/affairs",
            json={
                "name": "Martin shop network",
                "customer_id": martin,
                "currency": "EUR",
                "expected_amount": "1500.00",
                "sale_type": "study",
                "start": "2026-10-01",
                "end": "2026-12-31",
            },
        ),
        201,
    )["id"]
    rate = {"employee": "alice", "rate": "45.00", "valid_from": "2026-10-01"}  # her cost
    ok(client.post(f"/affairs/{affair}/hourly-rates", json=rate, headers=carla))
    hours = {"employee": "alice", "day": "2026-11-05", "hours": "10"}
    time_entry = ok(client.post(f"/affairs/{affair}/time-entries", json=hours), 201)["version"]
    cost = {"category": "purchases", "amount": "200.00", "document_ref": "SUP-7"}
    cost |= {"document_date": "2026-11-06"}
    purchase = ok(client.post(f"/affairs/{affair}/costs", json=cost, headers=carla), 201)["version"]
    tm = ok(
        client.post(
            f"/affairs/{affair}/invoices",
            json={
                "entry_ids": [time_entry, purchase],
                "hourly_rates": {"alice": "80.00"},
                "markups": {"purchases": "10"},
                "issue_date": "2026-11-10",
                "payment_terms": NET_30,
            },
            headers=carla,
        ),
        201,
    )["result"]
    tm_invoice = tm["invoice_id"]
    # 10 h × 80.00 = 800.00; 200.00 + 10 % = 220.00; 1,020.00 net, VAT 204.00, 1,224.00
    assert figures(invoice(client, carla, tm_invoice)) == (
        "1020.00",
        "204.00",
        "1224.00",
        "2026-12-10",
    )
    # The affair's invoiced revenue follows its invoice (A5)
    actuals = ok(client.get(f"/affairs/{affair}"))["actuals"]
    assert (actuals["revenue_invoiced"], actuals["invoiced_entries"]) == ("1020.00", 2)

    # -- 5b. The counters delivered, the final invoice on 20 November ------------------
    delivery = {"delivery_id": "BL-1", "quantities": {"L1": "2"}}
    ok(client.post(f"/orders/{order}/deliveries", json=delivery), 201)
    final_invoice = ok(
        client.post(
            f"/orders/{order}/invoices",
            json={"quantities": {"L1": "2"}, "issue_date": "2026-11-20", "payment_terms": NET_30},
            headers=carla,
        ),
        201,
    )["result"]["invoice_id"]
    final = invoice(client, carla, final_invoice)
    # 2,400.00 incl. tax less the 720.00 prepaid: 1,680.00 due on 20 December
    assert figures(final) == ("2000.00", "400.00", "2400.00", "2026-12-20")
    assert (final["prepaid"], final["amount_due"]) == ("720.00", "1680.00")

    # -- 6. A partial credit note of 60.00 incl. tax on the repair ---------------------
    note = ok(
        client.post(
            f"/invoices/{service_invoice}/credit-notes",
            json={"amount": "60.00", "issue_date": "2026-11-25"},
            headers=carla,
        ),
        201,
    )["id"]
    # 60.00 incl. tax at 20 % = 50.00 + 10.00; the repair now owes 198.00 − 60.00 = 138.00
    credit = invoice(client, carla, note)
    assert (credit["number"], credit["totals"]["net"], credit["totals"]["vat"]) == (
        "CN-2026-00001",
        "50.00",
        "10.00",
    )
    assert invoice(client, carla, service_invoice)["amount_due"] == "138.00"

    # -- 7b. 1,000.00 on the final invoice on 28 December, 8 days after its due date ---
    late = {"customer_id": martin, "value_date": "2026-12-28", "amount": "1000.00"}
    late |= {
        "means": "transfer",
        "allocations": [{"invoice_id": final_invoice, "amount": "1000.00"}],
    }
    ok(client.post("/payments", json=late, headers=carla), 201)
    assert invoice(client, carla, final_invoice)["amount_due"] == "680.00"  # 1,680.00 − 1,000.00

    # -- 8. The receivables on 31 December ---------------------------------------------
    # contract 900.00 due 31 Oct: 30 + 31 = 61 days late → 61–90
    # repair 138.00 due 14 Nov: 16 + 31 = 47 days → 31–60
    # T&M 1,224.00 due 10 Dec: 21 days → 1–30; final 680.00 due 20 Dec: 11 days → 1–30
    aged = view(client, "receivables", on="2026-12-31")
    [row] = aged["items"]
    buckets = ("not_due", "days_1_30", "days_31_60", "days_61_90", "over_90", "total")
    assert (row["customer_id"], row["currency"]) == (martin, "EUR")
    assert tuple(row[b] for b in buckets) == (
        "0.00",
        "1904.00",  # 1,224.00 + 680.00
        "138.00",
        "900.00",
        "0.00",
        "2942.00",  # 1,904.00 + 138.00 + 900.00
    )
    overdue = view(client, "invoices", status="overdue", on="2026-12-31")["items"]
    assert {(i["invoice_id"], i["amount_due"], i["days_overdue"]) for i in overdue} == {
        (contract_invoice, "900.00", 61),
        (service_invoice, "138.00", 47),
        (tm_invoice, "1224.00", 21),
        (final_invoice, "680.00", 11),
    }

    # -- 9. Dunning at +7, +30 and +45 days after the due date --------------------------
    # contract (due 31 Oct): 7 Nov, 30 Nov, 15 Dec; repair (due 14 Nov): 21 Nov, 14 Dec,
    # 29 Dec; T&M (due 10 Dec): 17 Dec (+30 is 9 Jan); final (due 20 Dec): 27 Dec
    assert run_jobs(client, clock())["dunning"] == 8
    notices = view(client, "notices", kind="dunning")["items"]
    raised = sorted((n["document_id"], n["subject"], n["due"]) for n in notices)
    assert raised == sorted(
        [
            (contract_invoice, "level-1", "2026-11-07"),
            (contract_invoice, "level-2", "2026-11-30"),
            (contract_invoice, "level-3", "2026-12-15"),
            (service_invoice, "level-1", "2026-11-21"),
            (service_invoice, "level-2", "2026-12-14"),
            (service_invoice, "level-3", "2026-12-29"),
            (tm_invoice, "level-1", "2026-12-17"),
            (final_invoice, "level-1", "2026-12-27"),
        ]
    )
    [final_notice] = [n for n in notices if n["document_id"] == final_invoice]
    assert final_notice["message"] == (
        "invoice INV-2026-00005 to Martin SA: 680.00 EUR due since 2026-12-20, "
        "11 days overdue: dunning level 1 (+7 days)"
    )
    assert run_jobs(client, clock())["dunning"] == 0
    assert view(client, "notices", kind="dunning")["total"] == 8

    # -- 10. The FEC of the quarter -----------------------------------------------------
    response = client.get("/accounting/fec", params=QUARTER, headers=carla)
    assert response.status_code == 200, response.text
    assert response.headers["x-documents"] == "6"  # 5 invoices and 1 credit note
    records = fec_records(response.text)
    by_entry = entries(records)
    for entry in by_entry.values():
        debit = sum(amount(r["Debit"]) for r in entry)
        assert debit == sum(amount(r["Credit"]) for r in entry) > 0
    # gapless and chronological: the issue order above
    assert [(e[0]["PieceRef"], e[0]["EcritureDate"]) for e in by_entry.values()] == [
        ("INV-2026-00001", "20261001"),  # contract
        ("INV-2026-00002", "20261005"),  # deposit
        ("INV-2026-00003", "20261015"),  # repair
        ("INV-2026-00004", "20261110"),  # time and materials
        ("INV-2026-00005", "20261120"),  # final invoice
        ("CN-2026-00001", "20261125"),  # credit note on the repair
    ]
    accounts = per_account(records)
    net = {account: credit - debit for account, (debit, credit) in accounts.items()}
    # customers: 900 + 720 + 198 + 1,224 + 1,680 debited, the credit note's 60 credited
    assert accounts["411"] == (D("4722.00"), D("60.00"))
    assert -net["411"] == D("4662.00")
    # VAT: the deposit's 120 is collected when it is invoiced; the final invoice takes it
    # back from its own 400 in one line per rate (400 − 120 = 280, the VAT still to
    # collect): 150 + 120 + 33 + 204 + 280 = 787 credited, the credit note's 10 debited,
    # 787 − 10 = 777 = 150 + 33 + 204 + 400 − 10
    assert accounts["44571"] == (D("10.00"), D("787.00"))
    # the deposit's 600 net is a customer's advance (4191), cleared by the final invoice
    assert accounts["4191"] == (D("600.00"), D("600.00"))
    # services (706): 750 contract + 120 labour + 800 hours; goods (707): 45 part +
    # 220 purchase + 2,000 counters; the credit note's 50 net shared as the repair's
    # bases: 50 × 120 ÷ 165 = 36.36 services, 13.64 goods
    assert accounts["706"] == (D("36.36"), D("1670.00"))
    assert accounts["707"] == (D("13.64"), D("2265.00"))
    revenue = net["706"] + net["707"]
    assert revenue == D("3885.00")  # 750 + 165 + 1,020 + 2,000 − 50
    assert -net["411"] == revenue + net["44571"] + net["4191"]  # 4,662 = 3,885 + 777 + 0
