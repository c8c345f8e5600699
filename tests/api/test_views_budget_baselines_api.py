"""Budget baselines in the budget-versus-actual view (V5) are JSON objects (a map in
Parquet), not JSON text inside JSON; as they stood at a time too (V9)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pyarrow.parquet as pq
from fastapi.testclient import TestClient

from application.app import Comptoir
from application.journal import CommandContext

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def comptoir(client: TestClient) -> Comptoir:
    app: Comptoir = client.app.state.services.app  # type: ignore[attr-defined]
    return app


def ctx(reason: str | None = "test") -> CommandContext:
    return CommandContext(actor="manon", at=AT, reason=reason)


def budget(client: TestClient, **params: Any) -> dict[str, Any]:
    params.setdefault("min_position", comptoir(client).log_position())
    response = client.get("/views/budget-vs-actual", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_baselines_are_objects_from_baseline_number_to_amount(client: TestClient) -> None:
    app = comptoir(client)
    affair = app.affairs.open(
        ctx(),
        name="Plant",
        salesperson="manon",
        currency="EUR",
        expected_amount=Decimal(50000),
        sale_type="study",
        prospect="Dupont",
    ).aggregate_id
    app.affairs.set_budget(ctx(), affair, "purchases", Decimal(800))
    app.affairs.baseline(ctx("signed"), affair)
    budget(client)
    then = datetime.now(UTC).isoformat()
    app.affairs.set_budget(ctx(), affair, "purchases", Decimal(1000))
    app.affairs.baseline(ctx("extension"), affair)
    rows = {r["category"]: r for r in budget(client, affair_id=str(affair))["items"]}
    assert rows["purchases"]["baselines"] == {"1": "800.00", "2": "1000.00"}
    assert rows["labour"]["baselines"] == {"1": "0.00", "2": "0.00"}
    assert rows["purchases"]["last_baseline"] == "1000.00"
    before = {r["category"]: r for r in budget(client, as_of=then)["items"]}
    assert before["purchases"]["baselines"] == {"1": "800.00"}
    params = {"category": "purchases", "min_position": app.log_position()}
    exported = client.get("/views/budget-vs-actual/export", params={**params, "format": "csv"})
    (row,) = csv.DictReader(io.StringIO(exported.text))
    assert json.loads(row["baselines"]) == {"1": "800.00", "2": "1000.00"}
    parquet = client.get("/views/budget-vs-actual/export", params={**params, "format": "parquet"})
    (typed,) = pq.read_table(io.BytesIO(parquet.content)).to_pylist()
    assert dict(typed["baselines"]) == {"1": "800.00", "2": "1000.00"}


def test_an_affair_without_a_baseline_has_an_empty_object(client: TestClient) -> None:
    app = comptoir(client)
    app.affairs.open(
        ctx(),
        name="Plant",
        salesperson="manon",
        currency="EUR",
        expected_amount=Decimal(50000),
        sale_type="study",
        prospect="Dupont",
    )
    rows = budget(client)["items"]
    assert [(r["baselines"], r["last_baseline"]) for r in rows] == [({}, None)] * 5
