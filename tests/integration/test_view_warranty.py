"""The `warranty` and `service_cases` views (V6): statuses computed for the day asked."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from adapters.duckdb_store import DuckStore
from application.app import Comptoir
from application.journal import CommandContext
from domain.asset import ServiceCaseStatus
from domain.warranty import WarrantyKind, days_remaining, warranty_status
from interfaces.settings import Settings
from projections.runner import ProjectionRunner
from projections.warranty import count_warranty, query_warranty

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
TODAY = date(2026, 11, 2)


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    yield app
    app.close()


def ctx(at: datetime = AT) -> CommandContext:
    return CommandContext(actor="tech", at=at)


def asset(app: Comptoir, customer_id: UUID, serial: str) -> UUID:
    return app.assets.register(
        ctx(),
        customer_id=customer_id,
        product_ref="OVEN-9",
        description="Oven",
        site="Lyon",
        serial_number=serial,
    ).aggregate_id


def warranty(app: Comptoir, asset_id: UUID, kind: WarrantyKind, start: date, end: date) -> None:
    app.assets.set_warranty(ctx(), asset_id, kind=kind, start=start, end=end)


def by_key(rows: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["asset_id"], r["kind"]): r for r in rows}


@pytest.fixture
def fleet(app: Comptoir, tmp_path: Path) -> Iterator[tuple[DuckStore, dict[str, UUID]]]:
    martin = app.customers.register(ctx(), name="Martin", status="customer").aggregate_id
    dupont = app.customers.register(ctx(), name="Dupont", status="customer").aggregate_id
    soon = asset(app, martin, "S-1")
    # ours ends in 10 days: expiring soon; the manufacturer's runs to the end of 2027
    warranty(app, soon, WarrantyKind.CUSTOMER, date(2025, 11, 12), TODAY + timedelta(days=10))
    warranty(app, soon, WarrantyKind.MANUFACTURER, date(2025, 1, 1), date(2027, 12, 31))
    old = asset(app, martin, "S-2")
    warranty(app, old, WarrantyKind.CUSTOMER, date(2024, 10, 1), date(2026, 10, 1))
    later = asset(app, dupont, "S-3")
    warranty(app, later, WarrantyKind.CUSTOMER, date(2027, 1, 1), date(2028, 12, 31))
    case = app.assets.open_service_case(ctx(), soon, problem="no heat").result["case_id"]
    app.assets.add_checklist_point(ctx(), soon, UUID(case), point_id="p1", label="heats")
    app.assets.add_checklist_point(ctx(), soon, UUID(case), point_id="p2", label="clean")
    app.assets.check_point(ctx(), soon, UUID(case), "p1")
    closed = app.assets.open_service_case(ctx(), old, problem="door").result["case_id"]
    app.assets.diagnose(ctx(), old, UUID(closed), diagnosis="hinge")
    app.assets.advance(ctx(), old, UUID(closed), to=ServiceCaseStatus.REPAIR)
    app.assets.return_to_customer(ctx(AT + timedelta(days=1)), old, UUID(closed))
    store = DuckStore(tmp_path / "v.duckdb")
    ProjectionRunner(app, store.writer()).catch_up()
    yield store, {"soon": soon, "old": old, "later": later, "martin": martin, "case": UUID(case)}
    store.close()


def test_a_warranty_ending_in_ten_days_is_expiring_soon_with_ten_days_left(
    fleet: tuple[DuckStore, dict[str, UUID]],
) -> None:
    store, ids = fleet
    rows = by_key(query_warranty(store.reader(), TODAY, soon_days=30))
    assert len(rows) == 4
    ours = rows[(str(ids["soon"]), "customer")]
    assert (ours["status"], ours["days_remaining"]) == ("expiring_soon", 10)
    assert ours["open_service_cases"] == 1
    assert ours["end_date"] == date(2026, 11, 12)
    maker = rows[(str(ids["soon"]), "manufacturer")]
    assert (maker["status"], maker["days_remaining"]) == ("active", 424)  # to 31 Dec 2027
    old = rows[(str(ids["old"]), "customer")]
    assert (old["status"], old["days_remaining"], old["open_service_cases"]) == ("expired", 0, 0)
    later = rows[(str(ids["later"]), "customer")]
    assert later["status"] == "not_started"


def test_the_same_rows_answer_differently_on_another_day(
    fleet: tuple[DuckStore, dict[str, UUID]],
) -> None:
    store, ids = fleet
    rows = by_key(query_warranty(store.reader(), date(2026, 11, 13)))
    assert rows[(str(ids["soon"]), "customer")]["status"] == "expired"
    rows = by_key(query_warranty(store.reader(), date(2026, 11, 12)))
    ours = rows[(str(ids["soon"]), "customer")]
    assert (ours["status"], ours["days_remaining"]) == ("expiring_soon", 0)  # its last day


def test_filters_select_by_status_customer_and_days_to_expiry(
    fleet: tuple[DuckStore, dict[str, UUID]],
) -> None:
    store, ids = fleet
    cursor = store.reader()
    expiring = query_warranty(cursor, TODAY, expiring_within_days=10)
    assert [(r["asset_id"], r["kind"]) for r in expiring] == [(str(ids["soon"]), "customer")]
    assert query_warranty(cursor, TODAY, expiring_within_days=9) == []
    expired = query_warranty(cursor, TODAY, status="expired")
    assert [r["asset_id"] for r in expired] == [str(ids["old"])]
    martin = query_warranty(cursor, TODAY, customer_id=str(ids["martin"]))
    assert len(martin) == 3
    assert count_warranty(cursor, TODAY, customer_id=str(ids["martin"])) == 3
    first = query_warranty(cursor, TODAY, limit=2, offset=0)
    rest = query_warranty(cursor, TODAY, limit=2, offset=2)
    assert [r["end_date"] for r in first + rest] == sorted(r["end_date"] for r in first + rest)
    assert len(first + rest) == 4


def test_the_sql_status_is_the_domains_on_every_day_around_the_dates(
    fleet: tuple[DuckStore, dict[str, UUID]],
) -> None:
    store, _ = fleet
    day = date(2024, 9, 25)
    while day <= date(2029, 1, 5):
        for soon_days in (0, 10, 30):
            for row in query_warranty(store.reader(), day, soon_days=soon_days):
                start, end = row["start_date"], row["end_date"]
                assert row["status"] == warranty_status(start, end, day, soon_days), (day, row)
                assert row["days_remaining"] == days_remaining(end, day)
        day += timedelta(days=17)


def test_service_cases_show_status_warranty_and_checklist_progress(
    fleet: tuple[DuckStore, dict[str, UUID]],
) -> None:
    store, ids = fleet
    cursor = store.reader()
    cursor.execute(
        "SELECT asset_id, case_id, status, under_warranty, warranty_kind, checklist_done, "
        "checklist_total, returned_at FROM service_cases ORDER BY opened_at, asset_id"
    )
    rows = {r[0]: r[1:] for r in cursor.fetchall()}
    assert rows[str(ids["soon"])] == (
        str(ids["case"]),
        "intake",
        True,
        "manufacturer",  # the manufacturer's warranty covers first
        1,
        2,
        None,
    )
    closed = rows[str(ids["old"])]
    assert closed[1:3] == ("returned", False)  # its warranty had ended: billable
    assert closed[-1] == (AT + timedelta(days=1)).replace(tzinfo=None)
