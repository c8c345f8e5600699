"""A billable service case's invoice (S3, issue 14) on the real SQLite and Postgres stores."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from application.app import Comptoir
from application.journal import CommandContext
from domain.asset import ServiceCaseStatus
from domain.errors import ServiceCaseAlreadyInvoiced, ServiceCaseNotBillable
from domain.invoice_source import InvoiceSource, SourceKind
from domain.invoice_terms import OperationCategory
from domain.warranty import WarrantyKind
from interfaces.settings import Settings
from tests.integration.billing_support import billable_customer

AT = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
D = Decimal


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    billable_customer(app)
    yield app
    app.close()


def ctx(**kwargs: Any) -> CommandContext:
    return CommandContext(actor="alice", at=AT, **kwargs)


def repaired_case(app: Comptoir, warranty: bool = False) -> tuple[UUID, UUID]:
    asset_id = app.assets.register(
        ctx(),
        customer_id=billable_customer(app),
        product_ref="CR-200",
        description="Cash register",
        site="Shop",
        serial_number="SN-1",
    ).aggregate_id
    if warranty:
        app.assets.set_warranty(
            ctx(),
            asset_id,
            kind=WarrantyKind.MANUFACTURER,
            start=date(2027, 1, 1),
            end=date(2028, 1, 1),
        )
    case_id = UUID(
        app.assets.open_service_case(ctx(), asset_id, problem="drawer stuck").result["case_id"]
    )
    app.assets.diagnose(ctx(), asset_id, case_id, diagnosis="motor worn")
    app.assets.advance(ctx(), asset_id, case_id, to=ServiceCaseStatus.REPAIR)
    return asset_id, case_id


def test_a_billable_case_issues_its_invoice_of_labour_and_parts_once(app: Comptoir) -> None:
    asset_id, case_id = repaired_case(app)
    labour = app.assets.record_labour(
        ctx(), asset_id, case_id, description="motor replacement", hours=D("1.5"), hourly_rate=D(60)
    )
    assert labour.result["billable"] is True
    app.assets.record_part(
        ctx(), asset_id, case_id, description="drawer motor", quantity=D(1), unit_price=D("85.00")
    )
    issued = app.assets.invoice_service_case(
        ctx(idempotency_key="sav-1"), asset_id, case_id, issue_date=date(2027, 2, 28)
    )
    assert issued.result["invoice_number"] == "INV-2027-00001"
    invoice = app.invoices.by_number("INV-2027-00001")
    assert str(invoice.id) == issued.result["invoice_id"]
    assert invoice.source == InvoiceSource(SourceKind.SERVICE_CASE, asset_id, str(case_id))
    assert invoice.customer_id == billable_customer(app)
    assert invoice.issue_date == date(2027, 2, 28)
    assert invoice.details.operation == OperationCategory.BOTH
    assert invoice.details.notes == "Intervention SAV sur CR-200 (n° de série SN-1) : drawer stuck"
    assert [(ln.unit, ln.quantity, ln.unit_price) for ln in invoice.lines.values()] == [
        ("HUR", D("1.5"), D(60)),
        ("C62", D(1), D("85.00")),
    ]
    # 90.00 + 85.00 = 175.00 net, 35.00 VAT at 20 %
    assert (invoice.totals().net, invoice.totals().vat) == (D("175.00"), D("35.00"))
    case = app.assets.get(asset_id).service_case(case_id)
    assert (case.invoice_id, case.invoice_number) == (invoice.id, "INV-2027-00001")
    before = app.log_position()
    again = app.assets.invoice_service_case(
        ctx(idempotency_key="sav-1"), asset_id, case_id, issue_date=date(2027, 2, 28)
    )
    assert again.replayed
    assert again.result == issued.result
    with pytest.raises(ServiceCaseAlreadyInvoiced):
        app.assets.invoice_service_case(ctx(), asset_id, case_id, issue_date=date(2027, 3, 1))
    assert app.log_position() == before


def test_a_case_under_warranty_bills_only_its_billable_parts(app: Comptoir) -> None:
    asset_id, case_id = repaired_case(app, warranty=True)
    free = app.assets.record_labour(
        ctx(), asset_id, case_id, description="diagnosis", hours=D(1), hourly_rate=D(60)
    )
    assert free.result["billable"] is False
    before = app.log_position()
    with pytest.raises(ServiceCaseNotBillable):
        app.assets.invoice_service_case(ctx(), asset_id, case_id, issue_date=date(2027, 3, 1))
    assert app.log_position() == before
    app.assets.record_part(
        ctx(),
        asset_id,
        case_id,
        description="broken glass",
        quantity=D(1),
        unit_price=D(40),
        billable=True,
    )
    issued = app.assets.invoice_service_case(ctx(), asset_id, case_id, issue_date=date(2027, 3, 1))
    invoice = app.invoices.by_number(issued.result["invoice_number"])
    assert [ln.description for ln in invoice.lines.values()] == ["broken glass"]
    assert invoice.totals().gross == D("48.00")
