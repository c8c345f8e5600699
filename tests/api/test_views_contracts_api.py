"""The contracts view and recurring revenue through HTTP (V7, C5)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from application.app import Comptoir
from application.journal import CommandContext
from domain.contract import ContractLine
from domain.periods import Frequency

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)  # the client's frozen clock: today is 2 Nov


def comptoir(client: TestClient) -> Comptoir:
    app: Comptoir = client.app.state.services.app  # type: ignore[attr-defined]
    return app


def ctx() -> CommandContext:
    return CommandContext(actor="carol", at=AT)


def get(client: TestClient, path: str, **params: Any) -> dict[str, Any]:
    params.setdefault("min_position", comptoir(client).log_position())
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def sign(client: TestClient, price: str, frequency: Frequency, **fields: Any) -> UUID:
    app = comptoir(client)
    customer = app.customers.register(ctx(), name="Martin", status="customer").aggregate_id
    lines = [ContractLine("Maintenance", Decimal(1), Decimal(price), Decimal(20))]
    return app.contracts.sign(
        ctx(), customer_id=customer, currency="EUR", lines=lines, frequency=frequency, **fields
    ).aggregate_id


def test_recurring_revenue_of_a_monthly_and_a_quarterly_contract(client: TestClient) -> None:
    sign(client, "100.00", Frequency.MONTH, start=date(2026, 1, 1))
    sign(client, "300.00", Frequency.QUARTER, start=date(2026, 1, 1), end=date(2026, 12, 31))
    body = get(client, "/views/recurring-revenue")
    assert body["today"] == "2026-11-02"
    # 100.00 a month + 300.00 a quarter (100.00 a month); next year: Dec 2026 to Nov 2027
    # of the monthly one (12 × 100.00); the quarterly one starts no period before its end
    assert body["items"] == [
        {
            "currency": "EUR",
            "contracts": 2,
            "mrr": "200.00",
            "arr": "2400.00",
            "next_year_revenue": "1200.00",
        }
    ]
    later = get(client, "/views/recurring-revenue", today="2027-02-01")["items"]
    assert (later[0]["mrr"], later[0]["arr"]) == ("100.00", "1200.00")


def test_contracts_with_renewals_due_and_next_billing_date(client: TestClient) -> None:
    open_ended = sign(client, "100.00", Frequency.MONTH, start=date(2026, 1, 1))
    ending = sign(  # 150.00 a quarter: 50.00 a month
        client, "150.00", Frequency.QUARTER, start=date(2026, 1, 1), end=date(2026, 12, 31)
    )
    body = get(client, "/views/contracts")
    assert body["total"] == 2
    rows = {r["contract_id"]: r for r in body["items"]}
    assert rows[str(ending)]["renewal_date"] == "2026-12-01"  # 30 days' notice
    assert rows[str(ending)]["renewal_due"] is False
    assert rows[str(open_ended)]["next_billing_date"] == "2026-01-01"  # nothing billed yet
    assert rows[str(open_ended)]["mrr"] == "100.00"
    due = get(client, "/views/contracts", renewals_within_days=29)
    assert [r["contract_id"] for r in due["items"]] == [str(ending)]
    assert get(client, "/views/contracts", renewals_within_days=28)["total"] == 0
    on_the_day = get(client, "/views/contracts", today="2026-12-01", renewals_within_days=0)
    assert on_the_day["items"][0]["renewal_due"] is True
    by_mrr = get(client, "/views/contracts", order_by="mrr", descending="true", limit=1)
    assert (by_mrr["total"], by_mrr["items"][0]["contract_id"]) == (2, str(open_ended))
    assert get(client, "/views/contracts", status="terminated")["total"] == 0
    assert client.get("/views/contracts", params={"order_by": "customer_id"}).status_code == 422
