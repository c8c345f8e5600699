"""The pipeline, forecast, KPI, forecast-accuracy and budget views through HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from application.app import Comptoir
from application.journal import CommandContext
from tests.api.support import as_role, assert_problem

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def comptoir(client: TestClient) -> Comptoir:
    app: Comptoir = client.app.state.services.app  # type: ignore[attr-defined]
    return app


def ctx(at: datetime = T0, reason: str | None = None) -> CommandContext:
    return CommandContext(actor="alice", at=at, reason=reason)


def open_affair(client: TestClient, name: str, amount: str, stage: str, **fields: Any) -> UUID:
    app = comptoir(client)
    values: dict[str, Any] = {
        "salesperson": "alice",
        "currency": "EUR",
        "sale_type": "product",
        "prospect": f"{name} SA",
        "zone": "west",
        "country": "FR",
        "risk": "medium",
        **fields,
    }
    affair = app.affairs.open(ctx(), name=name, expected_amount=Decimal(amount), **values)
    app.affairs.move_to_stage(ctx(), affair.aggregate_id, stage)
    return affair.aggregate_id


def pipeline(client: TestClient, **params: Any) -> dict[str, Any]:
    params.setdefault("min_position", comptoir(client).log_position())
    response = client.get("/views/pipeline", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def names(body: dict[str, Any]) -> list[str]:
    return [item["name"] for item in body["items"]]


def test_the_pipeline_filters_sorts_and_pages_its_rows(client: TestClient) -> None:
    open_affair(client, "Boiler", "10000.00", "M", expected_close=date(2026, 6, 1))
    open_affair(client, "Pumps", "4000.00", "B", salesperson="bob", zone="east")
    open_affair(client, "Valves", "2500.00", "E", country="BE", expected_close=date(2026, 5, 1))
    app = comptoir(client)
    drafted = app.quotes.draft(ctx(), currency="EUR", prospect="Martin", title="Quote")
    app.quotes.add_line(
        ctx(),
        drafted.aggregate_id,
        description="Audit",
        quantity=Decimal(1),
        unit_price=Decimal("500.00"),
        vat_rate=Decimal(20),
    )
    everything = pipeline(client, order_by="weighted_amount", descending=True)
    assert everything["total"] == 4
    assert names(everything) == ["Boiler", "Pumps", "Valves", "Quote"]
    boiler = everything["items"][0]
    assert boiler["weighted_amount"] == "3750.00"
    assert boiler["weighted_base"] == "3750.00"
    assert (boiler["stage"], boiler["probability"], boiler["kind"]) == ("M", 50, "affair")
    assert everything["items"][3]["weighted_amount"] == "50.00"  # 500 × 10 %
    assert names(pipeline(client, salesperson="bob")) == ["Pumps"]
    assert names(pipeline(client, zone="west", country="BE")) == ["Valves"]
    assert names(pipeline(client, stage="E")) == ["Valves"]
    assert names(pipeline(client, kind="quote")) == ["Quote"]
    assert names(pipeline(client, sale_type="product", order_by="name")) == [
        "Boiler",
        "Pumps",
        "Valves",
    ]
    by_close = pipeline(client, kind="affair", order_by="expected_close")
    assert names(by_close) == ["Valves", "Boiler", "Pumps"]  # no date last
    second = pipeline(client, order_by="name", limit=2, offset=1)
    assert (second["total"], names(second)) == (4, ["Pumps", "Quote"])


def test_the_pipeline_refuses_an_order_outside_its_whitelist(client: TestClient) -> None:
    response = client.get("/views/pipeline", params={"order_by": "name; DROP TABLE pipeline"})
    assert_problem(response, 422, "invalid-request")


def test_the_pipeline_as_of_a_past_time_still_holds_the_affair_lost_since(
    client: TestClient,
) -> None:
    affair = open_affair(client, "Boiler", "10000.00", "B")
    before = datetime.now(UTC)
    lost = comptoir(client).affairs.lose(ctx(T0 + timedelta(days=1), "no budget"), affair)
    now = pipeline(client, min_position=lost.position)
    assert now["total"] == 0
    assert int(now["position"]) >= int(lost.position or 0)
    then = pipeline(client, as_of=before.isoformat())
    assert names(then) == ["Boiler"]
    assert then["items"][0]["weighted_amount"] == "5250.00"  # 10,000 × 70 % × 0.75


def test_the_forecast_groups_weighted_amounts_by_month(client: TestClient) -> None:
    open_affair(client, "Boiler", "10000.00", "M", expected_close=date(2026, 6, 3))
    open_affair(client, "Pumps", "4000.00", "M", expected_close=date(2026, 7, 3), zone="east")
    position = comptoir(client).log_position()
    params = {"from_month": "2026-06", "to_month": "2026-07", "min_position": position}
    body = client.get("/views/forecast", params=params).json()
    assert [(r["month"], r["zone"], r["weighted_base"]) for r in body["items"]] == [
        ("2026-06", "west", "3750.00"),
        ("2026-07", "east", "1500.00"),
    ]
    east = client.get("/views/forecast", params={**params, "zone": "east"}).json()
    assert [r["month"] for r in east["items"]] == ["2026-07"]
    backwards = client.get(
        "/views/forecast", params={"from_month": "2026-07", "to_month": "2026-06"}
    )
    assert_problem(backwards, 422, "invalid-input")
    assert_problem(
        client.get("/views/forecast", params={"from_month": "2026-13", "to_month": "2026-12"}),
        422,
        "invalid-request",
    )


def test_kpis_report_win_rate_and_average_deal_size(client: TestClient) -> None:
    won = open_affair(client, "Won", "12000.00", "B")
    lost = open_affair(client, "Lost", "3000.00", "E")
    app = comptoir(client)
    app.affairs.move_to_stage(ctx(T0 + timedelta(days=3)), won, "A")
    result = app.affairs.lose(ctx(T0 + timedelta(days=2), "price"), lost)
    body = client.get("/views/kpis", params={"min_position": result.position}).json()
    assert (body["won"], body["lost"], body["win_rate"]) == (1, 1, "50.00")
    assert body["average_deal_size"] == "12000.00"
    assert body["base_currency"] == "EUR"
    later = client.get("/views/kpis", params={"since": "2026-03-04T12:00:00Z"}).json()
    assert (later["won"], later["lost"], later["win_rate"]) == (1, 0, "100.00")


def test_forecast_accuracy_compares_the_forecast_then_with_what_was_won(
    client: TestClient,
) -> None:
    won = open_affair(client, "Won", "20000.00", "B", expected_close=date(2026, 12, 15), risk="low")
    then = datetime.now(UTC)
    result = comptoir(client).affairs.move_to_stage(
        ctx(datetime(2026, 12, 10, tzinfo=UTC)), won, "A"
    )
    params = {
        "at": then.isoformat(),
        "period_start": "2026-12-01",
        "period_end": "2027-01-01",
        "min_position": result.position,
    }
    body = client.get("/views/forecast-accuracy", params=params).json()
    assert (body["forecast"], body["won"], body["ratio"]) == ("14000.00", "20000.00", "1.4286")
    assert body["salespeople"] == [
        {"salesperson": "alice", "forecast": "14000.00", "won": "20000.00", "ratio": "1.4286"}
    ]
    empty = client.get("/views/forecast-accuracy", params={**params, "period_end": "2026-12-01"})
    assert_problem(empty, 422, "invalid-input")


def test_budget_versus_actual_filters_by_affair_and_category_and_answers_as_of(
    client: TestClient,
) -> None:
    app = comptoir(client)
    affair = open_affair(client, "Boiler", "5000.00", "M")
    other = open_affair(client, "Pumps", "1000.00", "E")
    app.affairs.set_budget(ctx(), affair, "purchases", Decimal("800"))
    app.affairs.baseline(ctx(reason="signed"), affair)
    before = datetime.now(UTC)
    app.affairs.set_budget(ctx(), affair, "purchases", Decimal("1000"))
    for ref, amount in (("PO-1", "400"), ("PO-2", "250")):
        app.affairs.record_cost(
            ctx(),
            affair,
            category="purchases",
            amount=Decimal(amount),
            document_ref=ref,
            document_date=date(2026, 6, 1),
        )
    position = app.log_position()
    every = client.get("/views/budget-vs-actual", params={"min_position": position}).json()
    assert every["total"] == 10  # five categories for each of the two affairs
    params = {"affair_id": str(affair), "category": "purchases", "min_position": position}
    body = client.get("/views/budget-vs-actual", params=params).json()
    assert body["total"] == 1
    row = body["items"][0]
    assert (row["budget"], row["actual"], row["variance"]) == ("1000.00", "650.00", "350.00")
    assert (row["baselines"], row["last_baseline"]) == ({"1": "800.00"}, "800.00")
    then = client.get("/views/budget-vs-actual", params={**params, "as_of": before.isoformat()})
    assert [(r["budget"], r["actual"]) for r in then.json()["items"]] == [("800.00", "0.00")]
    others = client.get("/views/budget-vs-actual", params={"affair_id": str(other)}).json()
    assert [r["category"] for r in others["items"]] == [
        "labour",
        "purchases",
        "subcontracting",
        "expenses",
        "sales",
    ]
    bad = client.get("/views/budget-vs-actual", params={"category": "bribes"})
    assert_problem(bad, 422, "invalid-request")


def test_an_admin_without_a_reader_role_cannot_read_these_views(client: TestClient) -> None:
    headers = as_role(client, "root", "admin")
    for path in ("/views/pipeline", "/views/kpis", "/views/budget-vs-actual"):
        assert client.get(path, headers=headers).status_code == 403


def test_amounts_in_the_base_currency_keep_its_cents_on_a_yen_affair(client: TestClient) -> None:
    affair = open_affair(client, "Tokyo", "1000000", "M", currency="JPY", zone="asia")
    comptoir(client).affairs.set_second_currency(ctx(), affair, "EUR", Decimal("0.0061234"))
    row = pipeline(client)["items"][0]
    assert (row["amount"], row["weighted_amount"]) == ("1000000", "375000")
    assert row["amount_base"] == "6123.40"  # 1,000,000 × 0.0061234
    assert row["weighted_base"] == "2296.28"  # 6,123.40 × 50 % × 0.75 = 2,296.275
