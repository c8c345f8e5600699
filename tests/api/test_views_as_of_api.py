"""Every view as of a past time (V9): the data as it stood then, not today's data seen
from another day. Times come from the audit log (each event's recorded time)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from application.app import Comptoir
from application.journal import CommandContext
from domain.contract import ContractLine
from domain.periods import Frequency
from domain.warranty import WarrantyKind
from tests.api.support import as_role
from tests.conftest import FrozenClock

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def comptoir(client: TestClient) -> Comptoir:
    app: Comptoir = client.app.state.services.app  # type: ignore[attr-defined]
    return app


def ctx(at: datetime = AT) -> CommandContext:
    return CommandContext(actor="carol", at=at, reason="test")


def get(client: TestClient, path: str, **params: Any) -> dict[str, Any]:
    params.setdefault("min_position", comptoir(client).log_position())
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def recorded(client: TestClient, document: UUID) -> list[str]:
    """When each event of a document was recorded, from the audit log."""
    auditor = as_role(client, "audrey", "auditor")
    params = {"document_id": str(document), "min_position": comptoir(client).log_position()}
    body = client.get("/views/audit", params=params, headers=auditor).json()
    return [item["recorded_at"] for item in body["items"]]


def test_the_forecast_pipeline_totals_and_kpis_read_as_they_stood(client: TestClient) -> None:
    app = comptoir(client)
    affair = app.affairs.open(
        ctx(),
        name="Boiler",
        expected_amount=Decimal("10000.00"),
        salesperson="alice",
        currency="EUR",
        sale_type="product",
        prospect="Martin SA",
        zone="west",
        country="FR",
        risk="low",
        expected_close=date(2026, 12, 15),
    ).aggregate_id
    app.quotes.draft(ctx(), currency="EUR", prospect="Dupont", title="Audit")
    app.affairs.move_to_stage(ctx(), affair, "M")
    then = recorded(client, affair)[-1]
    app.affairs.lose(ctx(AT + timedelta(days=1)), affair)
    params = {"from_month": "2026-12", "to_month": "2026-12", "group_by": ["sale_type", "country"]}
    assert get(client, "/views/forecast", **params)["items"] == []
    (row,) = get(client, "/views/forecast", **params, as_of=then)["items"]
    assert (row["sale_type"], row["country"], row["weighted_base"]) == ("product", "FR", "5000.00")
    totals = get(client, "/views/pipeline/totals", group_by="stage", as_of=then)["items"]
    assert [(t["stage"], t["documents"]) for t in totals] == [("M", 1), ("quote", 1)]
    now = get(client, "/views/pipeline/totals", group_by="stage")["items"]
    assert [(t["stage"], t["documents"]) for t in now] == [("quote", 1)]
    assert get(client, "/views/kpis")["lost"] == 1
    before = get(client, "/views/kpis", as_of=then)
    assert (before["lost"], before["quote_conversion"]["open"]) == (0, 1)


def test_contracts_and_recurring_revenue_read_as_they_stood_before_an_amendment(
    client: TestClient, clock: FrozenClock
) -> None:
    app = comptoir(client)
    customer = app.customers.register(ctx(), name="Martin", status="customer").aggregate_id
    line = ContractLine("Maintenance", Decimal(1), Decimal("100.00"), Decimal(20))
    contract = app.contracts.sign(
        ctx(),
        customer_id=customer,
        currency="EUR",
        lines=[line],
        frequency=Frequency.MONTH,
        start=date(2026, 1, 1),
    ).aggregate_id
    premium = ContractLine("Maintenance", Decimal(1), Decimal("300.00"), Decimal(20))
    app.contracts.amend(
        ctx(AT + timedelta(hours=2)),
        contract,
        effective=date(2026, 11, 1),
        lines=[premium],
        reason="upgrade",
    )
    then = (AT + timedelta(hours=1)).isoformat()
    (now,) = get(client, "/views/contracts")["items"]
    (before,) = get(client, "/views/contracts", as_of=then)["items"]
    assert (now["mrr"], now["amendments"]) == ("300.00", 1)
    assert (before["mrr"], before["amendments"]) == ("100.00", 0)
    revenue = get(client, "/views/recurring-revenue", as_of=then)
    assert (revenue["today"], revenue["as_of"]) == ("2026-11-02", then.replace("+00:00", "Z"))
    (item,) = revenue["items"]
    assert (item["mrr"], item["next_year_revenue"]) == ("100.00", "1200.00")
    (current,) = get(client, "/views/recurring-revenue")["items"]
    assert (current["mrr"], current["next_year_revenue"]) == ("300.00", "3600.00")


def test_warranty_service_cases_and_quote_validity_read_as_they_stood(client: TestClient) -> None:
    app = comptoir(client)
    customer = app.customers.register(ctx(), name="Martin", status="customer").aggregate_id
    asset = app.assets.register(
        ctx(), customer_id=customer, product_ref="OVEN", description="Oven", site="Lyon"
    ).aggregate_id
    app.assets.set_warranty(
        ctx(), asset, kind=WarrantyKind.CUSTOMER, start=date(2025, 1, 1), end=date(2026, 11, 12)
    )
    quote = app.quotes.draft(ctx(), currency="EUR", prospect="Martin", title="Ovens")
    later = ctx(AT + timedelta(hours=2))
    app.assets.set_warranty(
        later, asset, kind=WarrantyKind.CUSTOMER, start=date(2025, 1, 1), end=date(2028, 1, 1)
    )
    app.assets.open_service_case(later, asset, problem="no heat")
    then = (AT + timedelta(hours=1)).isoformat()
    (before,) = get(client, "/views/warranty", as_of=then)["items"]
    (now,) = get(client, "/views/warranty")["items"]
    assert (before["status"], before["days_remaining"]) == ("expiring_soon", 10)
    assert (now["status"], now["open_service_cases"]) == ("active", 1)
    assert get(client, "/views/service-cases", as_of=then)["total"] == 0
    assert get(client, "/views/service-cases")["total"] == 1
    recorded_at = recorded(client, quote.aggregate_id)[0]
    too_early = (datetime.fromisoformat(recorded_at) - timedelta(seconds=1)).isoformat()
    empty = get(client, "/views/quote-validity", as_of=too_early)["buckets"]
    assert sum(b["count"] for b in empty) == 0
    pending = get(client, "/views/quote-validity/pending", as_of=recorded_at)
    assert [q["quote_id"] for q in pending["items"]] == [str(quote.aggregate_id)]
