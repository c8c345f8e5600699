"""The installed base (S1): assets by customer, product, version installed, contract and
warranty state on a day; as it stood at a time (V9); exported (V10)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pyarrow.parquet as pq
from fastapi.testclient import TestClient

from application.app import Comptoir
from application.journal import CommandContext
from domain.contract import ContractKind, ContractLine
from domain.periods import Frequency
from domain.warranty import WarrantyKind

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)  # the clock's day: 2026-11-02
CUSTOMER, MAKER = WarrantyKind.CUSTOMER, WarrantyKind.MANUFACTURER


def comptoir(client: TestClient) -> Comptoir:
    app: Comptoir = client.app.state.services.app  # type: ignore[attr-defined]
    return app


def ctx(at: datetime = AT) -> CommandContext:
    return CommandContext(actor="carol", at=at, reason="test")


def assets(client: TestClient, **params: Any) -> dict[str, Any]:
    params.setdefault("min_position", comptoir(client).log_position())
    response = client.get("/views/assets", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def serials(client: TestClient, **params: Any) -> list[str]:
    return sorted(row["serial_number"] for row in assets(client, **params)["items"])


class Base:
    """Two customers' ovens and fridges, with warranties and versions installed."""

    def __init__(self, app: Comptoir) -> None:
        self.martin = app.customers.register(ctx(), name="Martin", status="customer").aggregate_id
        self.dupont = app.customers.register(ctx(), name="Dupont", status="customer").aggregate_id
        self.oven_a = self.asset(app, self.martin, "OVEN", "A", {"firmware": "2.1", "board": "B"})
        self.oven_b = self.asset(app, self.dupont, "OVEN", "B", {"firmware": "1.0"})
        self.fridge_c = self.asset(app, self.martin, "FRIDGE", "C", {})
        self.fridge_d = self.asset(app, self.dupont, "FRIDGE", "D", {"board": "2.1"})
        self.warranty(app, self.oven_a, CUSTOMER, date(2025, 1, 1), date(2026, 11, 12))
        self.warranty(app, self.oven_a, MAKER, date(2024, 1, 1), date(2025, 12, 31))
        self.warranty(app, self.oven_b, MAKER, date(2026, 1, 1), date(2028, 1, 1))
        self.warranty(app, self.oven_b, CUSTOMER, date(2026, 1, 1), date(2027, 6, 30))
        self.warranty(app, self.fridge_d, CUSTOMER, date(2027, 1, 1), date(2028, 1, 1))
        line = ContractLine("Maintenance", Decimal(1), Decimal("100.00"), Decimal(20))
        self.contract = app.contracts.sign(
            ctx(),
            customer_id=self.martin,
            currency="EUR",
            lines=[line],
            frequency=Frequency.MONTH,
            start=date(2026, 1, 1),
            kind=ContractKind.MAINTENANCE,
            covered_asset_ids=[self.oven_a],
        ).aggregate_id

    @staticmethod
    def asset(
        app: Comptoir, customer: UUID, product: str, serial: str, configuration: dict[str, str]
    ) -> UUID:
        return app.assets.register(
            ctx(),
            customer_id=customer,
            product_ref=product,
            description=f"{product} {serial}",
            site="Lyon",
            serial_number=serial,
            configuration=configuration,
        ).aggregate_id

    @staticmethod
    def warranty(app: Comptoir, asset: UUID, kind: WarrantyKind, start: date, end: date) -> None:
        app.assets.set_warranty(ctx(), asset, kind=kind, start=start, end=end)


def test_assets_are_found_by_customer_product_contract_and_version(client: TestClient) -> None:
    base = Base(comptoir(client))
    assert serials(client, customer_id=str(base.martin)) == ["A", "C"]
    assert serials(client, product_ref="FRIDGE") == ["C", "D"]
    assert serials(client, contract_id=str(base.contract)) == ["A"]
    assert serials(client, under_contract=False) == ["B", "C", "D"]
    assert serials(client, component="firmware") == ["A", "B"]
    assert serials(client, version="2.1") == ["A", "D"]  # of any component
    assert serials(client, component="firmware", version="2.1") == ["A"]
    assert serials(client, component="board", version="2.1") == ["D"]
    assert serials(client, component="firmware", version="2.1", product_ref="FRIDGE") == []
    (oven,) = assets(client, serial_number="A")["items"]
    assert oven["configuration"] == {"board": "B", "firmware": "2.1"}
    assert (oven["asset_id"], oven["customer_id"]) == (str(base.oven_a), str(base.martin))
    (fridge,) = assets(client, serial_number="C")["items"]
    assert fridge["configuration"] == {}


def test_each_asset_has_the_warranty_state_of_the_day_asked_about(client: TestClient) -> None:
    Base(comptoir(client))
    rows = {row["serial_number"]: row for row in assets(client)["items"]}
    state = {
        serial: (r["warranty_status"], r["covered_by"], r["covered_until"], r["warranty_days_left"])
        for serial, r in rows.items()
    }
    assert state == {
        "A": ("expiring_soon", "customer", "2026-11-12", 10),
        "B": ("active", "manufacturer", "2028-01-01", 425),  # the manufacturer's first
        "C": ("none", None, None, None),
        "D": ("not_started", None, None, None),
    }
    assert serials(client, under_warranty=True) == ["A", "B"]
    assert serials(client, warranty_status="expiring_soon") == ["A"]
    later = {"today": "2027-07-01"}
    assert serials(client, warranty_status="expired", **later) == ["A"]
    assert serials(client, warranty_status="active", **later) == ["B", "D"]
    (b,) = assets(client, serial_number="B", today="2027-12-20")["items"]
    assert (b["warranty_status"], b["warranty_days_left"]) == ("expiring_soon", 12)
    order = [r["serial_number"] for r in assets(client, order_by="covered_until")["items"]]
    undated = sorted(["C", "D"], key=lambda serial: rows[serial]["asset_id"])
    assert order == ["A", "B", *undated]  # the uncovered last, then by id


def test_the_installed_base_reads_as_it_stood(client: TestClient) -> None:
    app = comptoir(client)
    base = Base(app)
    later = ctx(AT + timedelta(hours=2))
    app.assets.change_configuration(later, base.oven_b, changes={"firmware": "2.1"}, reason="up")
    app.assets.set_warranty(
        later, base.oven_a, kind=CUSTOMER, start=date(2025, 1, 1), end=date(2029, 1, 1)
    )
    app.assets.unlink_contract(later, base.oven_a, base.contract)
    then = (AT + timedelta(hours=1)).isoformat()
    assert serials(client, component="firmware", version="2.1") == ["A", "B"]
    assert serials(client, component="firmware", version="2.1", as_of=then) == ["A"]
    assert serials(client, under_contract=True) == []
    assert serials(client, under_contract=True, as_of=then) == ["A"]
    (a_then,) = assets(client, serial_number="A", as_of=then)["items"]
    (a_now,) = assets(client, serial_number="A")["items"]
    assert (a_then["warranty_status"], a_then["configuration_revision"]) == ("expiring_soon", 0)
    assert (a_now["warranty_status"], a_now["covered_until"]) == ("active", "2029-01-01")
    (b_now,) = assets(client, serial_number="B")["items"]
    assert (b_now["configuration"], b_now["configuration_revision"]) == ({"firmware": "2.1"}, 1)
    before = (AT - timedelta(seconds=1)).isoformat()
    assert assets(client, as_of=before)["total"] == 0


def test_the_installed_base_is_exported_with_its_computed_columns(client: TestClient) -> None:
    app = comptoir(client)
    Base(app)
    params = {"product_ref": "OVEN", "min_position": app.log_position(), "format": "parquet"}
    response = client.get("/views/assets/export", params=params)
    assert response.status_code == 200, response.text
    table = pq.read_table(io.BytesIO(response.content))
    rows = sorted(table.to_pylist(), key=lambda r: r["serial_number"])
    assert [(r["serial_number"], r["warranty_status"]) for r in rows] == [
        ("A", "expiring_soon"),
        ("B", "active"),
    ]
    assert dict(rows[1]["configuration"]) == {"firmware": "1.0"}
    openapi = client.get("/openapi.json").json()["paths"]
    listed = {p["name"] for p in openapi["/views/assets"]["get"]["parameters"]}
    exported = {p["name"] for p in openapi["/views/assets/export"]["get"]["parameters"]}
    assert exported == (listed - {"limit", "offset"}) | {"format"}


def test_an_unknown_warranty_state_or_order_is_refused(client: TestClient) -> None:
    for params in ({"warranty_status": "eternal"}, {"order_by": "price"}, {"today": "2026-13-01"}):
        response = client.get("/views/assets", params=params)
        assert response.status_code == 422, response.text
