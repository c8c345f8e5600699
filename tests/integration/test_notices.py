"""Scheduled jobs flag renewals and warranty expiries once, and people acknowledge them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from application.app import Comptoir
from application.journal import CommandContext
from domain.contract import ContractLine
from domain.periods import Frequency
from domain.warranty import WarrantyKind
from interfaces.http.app import create_app
from interfaces.scheduler import run_due_jobs
from interfaces.settings import Settings
from projections.live import LiveViews
from tests.api.support import as_role, assert_problem
from tests.integration.billing_support import billable_customer

SIGNED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    yield app
    app.close()


def ctx(at: datetime = SIGNED) -> CommandContext:
    return CommandContext(actor="alice", at=at)


def seed(app: Comptoir) -> tuple[uuid.UUID, uuid.UUID]:
    customer = billable_customer(app)  # billing a period issues its invoice
    contract = app.contracts.sign(
        ctx(),
        customer_id=customer,
        currency="EUR",
        lines=[ContractLine("Support", Decimal(1), Decimal("120.00"), Decimal(20))],
        frequency=Frequency.YEAR,
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        notice_days=60,
    ).aggregate_id
    asset = app.assets.register(
        ctx(), customer_id=customer, product_ref="TPV-200", description="Till", site="Lyon"
    ).aggregate_id
    app.assets.set_warranty(
        ctx(), asset, kind=WarrantyKind.MANUFACTURER, start=date(2024, 12, 1), end=date(2026, 12, 5)
    )
    app.assets.set_warranty(
        ctx(), asset, kind=WarrantyKind.CUSTOMER, start=date(2026, 1, 1), end=date(2027, 12, 31)
    )
    return contract, asset


def test_the_jobs_raise_each_notice_once_however_often_they_run(
    app: Comptoir, tmp_path: Path
) -> None:
    contract, asset = seed(app)
    views = LiveViews(app, tmp_path / "views.duckdb")
    try:
        for _ in range(3):
            run_due_jobs(app, views, NOW)
        views.runner.catch_up()
        notices = (
            views.reader()
            .execute("SELECT kind, document_id, subject, due, status FROM notices ORDER BY kind")
            .fetchall()
        )
    finally:
        views.close()
    # the renewal notice period (60 days before 31 December) began on 1 November;
    # the manufacturer warranty ends in 15 days (< 30), the customer one in over a year
    assert notices == [
        ("renewal_due", str(contract), "term", date(2026, 12, 31), "open"),
        ("warranty_expiring", str(asset), "manufacturer", date(2026, 12, 5), "open"),
    ]
    # the yearly period started 1 January was billed once, by the first run
    billed = [h.type for h in app.history(contract)].count("Contract.PeriodBilled")
    assert billed == 1


def test_a_notice_is_acknowledged_once_through_http(settings: Settings) -> None:
    with TestClient(create_app(settings, lambda: NOW)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        contract, _ = seed(services.app)
        run_due_jobs(services.app, services.views, NOW)
        sales = as_role(client, "alice", "sales")
        page = client.get(
            "/views/notices",
            params={"status": "open", "min_position": services.app.log_position()},
            headers=sales,
        ).json()
        assert page["total"] == 2
        [renewal] = [n for n in page["items"] if n["document_id"] == str(contract)]
        done = client.post(f"/notices/{renewal['notice_id']}/acknowledge", headers=sales)
        assert done.status_code == 200
        again = client.post(f"/notices/{renewal['notice_id']}/acknowledge", headers=sales)
        assert_problem(again, 409, "invalid-transition")
        notice = client.get(f"/notices/{renewal['notice_id']}", headers=sales).json()
        assert (notice["status"], notice["acknowledged_by"]) == ("acknowledged", "alice")
