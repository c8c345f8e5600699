"""A service case's labour, parts and invoice (S3, issue 14)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from domain.asset import Asset, ServiceCaseStatus
from domain.errors import (
    InvalidInput,
    InvalidTransition,
    ServiceCaseAlreadyInvoiced,
    ServiceCaseNotBillable,
    UnknownServiceCase,
)
from domain.invoice_lines import VatCategory
from domain.invoice_terms import OperationCategory
from domain.service_billing import ServiceLabour, ServicePart, case_details
from domain.warranty import WarrantyKind
from tests.unit.replay import replay, state_of

D = Decimal


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 9, tzinfo=UTC)


def asset_with_case(under_warranty: bool = False) -> tuple[Asset, UUID]:
    asset = Asset.register(at(2027, 1, 10), UUID(int=0xC1), "PRN-4200", "Printer", "SN-1", "Lyon")
    if under_warranty:
        asset.set_warranty(
            at(2027, 1, 10), WarrantyKind.CUSTOMER, date(2027, 1, 1), date(2028, 1, 1)
        )
    case_id = asset.open_service_case(at(2027, 2, 1), "paper jam")
    return asset, case_id


def repaired(asset: Asset, case_id: UUID) -> None:
    asset.diagnose(at(2027, 2, 2), case_id, "worn roller")
    asset.advance(at(2027, 2, 3), case_id, ServiceCaseStatus.REPAIR)


def labour(billable: bool = True, hours: str = "1.5") -> ServiceLabour:
    return ServiceLabour("roller replacement", D(hours), D("60"), billable)


def part(billable: bool = True) -> ServicePart:
    return ServicePart("roller", D(2), D("12.50"), billable, "RL-7")


def test_a_billable_case_is_invoiced_with_its_labour_in_hours_and_its_parts_in_units() -> None:
    asset, case_id = asset_with_case()
    assert asset.billable_by_default(case_id) is True
    asset.record_labour(at(2027, 2, 2), case_id, labour())
    asset.record_part(at(2027, 2, 2), case_id, part())
    asset.record_labour(at(2027, 2, 2), case_id, labour(billable=False, hours="0.5"))
    repaired(asset, case_id)
    lines = asset.to_invoice(case_id, D(20))
    assert [(ln.description, ln.quantity, ln.unit, ln.unit_price) for ln in lines] == [
        ("Main-d'œuvre : roller replacement", D("1.5"), "HUR", D("60")),
        ("roller", D(2), "C62", D("12.50")),
    ]
    assert {(ln.vat_category, ln.vat_rate) for ln in lines} == {(VatCategory.STANDARD, D(20))}
    assert {ln.vat_category for ln in asset.to_invoice(case_id, D(0))} == {VatCategory.ZERO_RATED}


def test_a_case_under_warranty_bills_only_what_is_said_to_be_billable() -> None:
    asset, case_id = asset_with_case(under_warranty=True)
    assert asset.billable_by_default(case_id) is False
    asset.record_labour(at(2027, 2, 2), case_id, labour(billable=False))
    repaired(asset, case_id)
    with pytest.raises(ServiceCaseNotBillable):
        asset.to_invoice(case_id, D(20))
    asset.record_part(at(2027, 2, 3), case_id, part(billable=True))
    assert [ln.description for ln in asset.to_invoice(case_id, D(20))] == ["roller"]


def test_a_case_is_invoiced_once_at_repair_or_after_and_then_takes_nothing_more() -> None:
    asset, case_id = asset_with_case()
    asset.record_labour(at(2027, 2, 2), case_id, labour())
    with pytest.raises(InvalidTransition):
        asset.to_invoice(case_id, D(20))
    repaired(asset, case_id)
    invoice_id = uuid4()
    asset.invoice_case(at(2027, 2, 4), case_id, invoice_id, "INV-2027-00001")
    case = asset.service_case(case_id)
    assert (case.invoice_id, case.invoice_number) == (invoice_id, "INV-2027-00001")
    asset.collect_events()
    for refused in (
        lambda: asset.to_invoice(case_id, D(20)),
        lambda: asset.invoice_case(at(2027, 2, 5), case_id, uuid4(), "INV-2027-00002"),
        lambda: asset.record_labour(at(2027, 2, 5), case_id, labour()),
        lambda: asset.record_part(at(2027, 2, 5), case_id, part()),
    ):
        with pytest.raises(ServiceCaseAlreadyInvoiced, match="INV-2027-00001"):
            refused()
    assert asset.collect_events() == []
    with pytest.raises(UnknownServiceCase):
        asset.to_invoice(uuid4(), D(20))


def test_labour_and_parts_are_checked_and_a_returned_case_takes_none() -> None:
    asset, case_id = asset_with_case()
    asset.collect_events()
    for bad in (labour(hours="0"), ServiceLabour(" ", D(1), D(60), True)):
        with pytest.raises(InvalidInput):
            asset.record_labour(at(2027, 2, 2), case_id, bad)
    with pytest.raises(InvalidInput):
        asset.record_part(at(2027, 2, 2), case_id, ServicePart("roller", D(-1), D(1), True))
    assert asset.collect_events() == []
    asset.add_checklist_point(at(2027, 2, 2), case_id, "p1", "prints a page")
    asset.check_point(at(2027, 2, 2), case_id, "p1", "tom")
    repaired(asset, case_id)
    asset.return_to_customer(at(2027, 2, 4), case_id)
    with pytest.raises(InvalidTransition):
        asset.record_part(at(2027, 2, 5), case_id, part())


def test_replaying_a_case_with_labour_parts_and_its_invoice_gives_the_same_state() -> None:
    asset, case_id = asset_with_case()
    asset.record_labour(at(2027, 2, 2), case_id, labour())
    asset.record_part(at(2027, 2, 2), case_id, part())
    repaired(asset, case_id)
    asset.invoice_case(at(2027, 2, 4), case_id, uuid4(), "INV-2027-00001")
    copy = replay(asset.collect_events(), Asset)
    assert state_of(copy) == state_of(asset)


def test_a_service_invoice_bills_goods_and_services_when_it_has_parts() -> None:
    assert case_details("n", has_parts=True).operation == OperationCategory.BOTH
    assert case_details("n", has_parts=False).operation == OperationCategory.SERVICES
