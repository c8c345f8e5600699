"""The warranty and service-case views through HTTP (V6)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from application.app import Comptoir
from application.journal import CommandContext
from domain.warranty import WarrantyKind

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)  # the client's frozen clock: today is 2 Nov


def comptoir(client: TestClient) -> Comptoir:
    app: Comptoir = client.app.state.services.app  # type: ignore[attr-defined]
    return app


def ctx() -> CommandContext:
    return CommandContext(actor="tech", at=AT)


def get(client: TestClient, path: str, **params: Any) -> dict[str, Any]:
    params.setdefault("min_position", comptoir(client).log_position())
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def fleet(client: TestClient) -> dict[str, UUID]:
    app = comptoir(client)
    martin = app.customers.register(ctx(), name="Martin", status="customer").aggregate_id
    dupont = app.customers.register(ctx(), name="Dupont", status="customer").aggregate_id
    ids: dict[str, UUID] = {"martin": martin}
    for name, owner, end in (
        ("soon", martin, date(2026, 11, 12)),
        ("far", dupont, date(2028, 1, 1)),
    ):
        asset_id = app.assets.register(
            ctx(), customer_id=owner, product_ref="OVEN", description="Oven", site="Lyon"
        ).aggregate_id
        app.assets.set_warranty(
            ctx(), asset_id, kind=WarrantyKind.CUSTOMER, start=date(2025, 1, 1), end=end
        )
        ids[name] = asset_id
    ids["case"] = UUID(
        app.assets.open_service_case(ctx(), ids["soon"], problem="no heat").result["case_id"]
    )
    return ids


def test_a_warranty_ending_in_ten_days_is_expiring_soon_today(client: TestClient) -> None:
    ids = fleet(client)
    body = get(client, "/views/warranty")
    assert body["total"] == 2
    first = body["items"][0]
    assert (first["asset_id"], first["status"], first["days_remaining"]) == (
        str(ids["soon"]),
        "expiring_soon",
        10,
    )
    assert (first["end_date"], first["open_service_cases"]) == ("2026-11-12", 1)
    later = get(client, "/views/warranty", today="2026-11-20")["items"]
    assert (later[0]["status"], later[0]["days_remaining"]) == ("expired", 0)


def test_warranty_filters(client: TestClient) -> None:
    ids = fleet(client)
    within = get(client, "/views/warranty", expiring_within_days=10)
    assert [r["asset_id"] for r in within["items"]] == [str(ids["soon"])]
    assert get(client, "/views/warranty", expiring_within_days=5)["total"] == 0
    assert get(client, "/views/warranty", status="active")["total"] == 1
    assert get(client, "/views/warranty", customer_id=str(ids["martin"]))["total"] == 1
    page = get(client, "/views/warranty", limit=1, offset=1)
    assert (page["total"], [r["asset_id"] for r in page["items"]]) == (2, [str(ids["far"])])
    assert client.get("/views/warranty", params={"status": "dead"}).status_code == 422
    assert client.get("/views/warranty", params={"today": "someday"}).status_code == 422


def test_service_cases_are_listed_with_their_warranty(client: TestClient) -> None:
    ids = fleet(client)
    body = get(client, "/views/service-cases", open_only="true")
    assert body["total"] == 1
    case = body["items"][0]
    assert (case["case_id"], case["status"], case["under_warranty"]) == (
        str(ids["case"]),
        "intake",
        True,
    )
    assert (case["checklist_done"], case["checklist_total"]) == (0, 0)
    assert get(client, "/views/service-cases", status="returned")["total"] == 0
    assert get(client, "/views/service-cases", asset_id=str(ids["far"]))["total"] == 0
