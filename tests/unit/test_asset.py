"""The asset (S1–S5): configuration history, warranties, service cases, checklists."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from domain.asset import (
    Asset,
    ConfigurationChange,
    ServiceCase,
    ServiceCaseStatus,
)
from domain.errors import (
    AssetUnderAnotherContract,
    ChecklistIncomplete,
    DomainError,
    DuplicateChecklistPoint,
    InvalidInput,
    InvalidTransition,
    InvalidWarrantyPeriod,
    UnknownChecklistPoint,
    UnknownServiceCase,
)
from domain.warranty import WarrantyKind, WarrantyStatus
from tests.unit.replay import replay, state_of

CUSTOMER = UUID(int=0xC1)
CONTRACT = UUID(int=0xC0)
OTHER_CONTRACT = UUID(int=0xC2)
CASE = UUID(int=0x5A)


def at(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def registered() -> Asset:
    return Asset.register(
        at(2027, 1, 10),
        customer_id=CUSTOMER,
        product_ref="PRN-4200",
        description="Office printer",
        serial_number="SN-0001",
        site="Lyon HQ, 2nd floor",
        configuration={"firmware": "1.0", "tray": "A4"},
    )


def rejects_without_events(
    asset: Asset, error: type[DomainError], *args: object, verb: str
) -> None:
    before = len(asset.pending_events)
    with pytest.raises(error):
        getattr(asset, verb)(*args)
    assert len(asset.pending_events) == before


def with_warranties(customer: tuple[date, date] | None, maker: tuple[date, date] | None) -> Asset:
    asset = registered()
    if customer is not None:
        asset.set_warranty(at(2027, 1, 10), WarrantyKind.CUSTOMER, *customer)
    if maker is not None:
        asset.set_warranty(at(2027, 1, 10), WarrantyKind.MANUFACTURER, *maker)
    return asset


# --- S1 record and configuration ----------------------------------------------------------


def test_registering_records_the_asset_at_the_commands_time() -> None:
    asset = registered()
    (event,) = asset.collect_events()
    assert isinstance(event, Asset.Registered)
    assert event.timestamp == event.at == at(2027, 1, 10)
    assert (asset.product_ref, asset.serial_number, asset.site) == (
        "PRN-4200",
        "SN-0001",
        "Lyon HQ, 2nd floor",
    )
    assert asset.configuration == {"firmware": "1.0", "tray": "A4"}


@pytest.mark.parametrize(
    ("field", "value"),
    [("product_ref", " "), ("site", ""), ("serial_number", ""), ("at", datetime(2027, 1, 1))],
)
def test_registering_refuses_missing_details(field: str, value: object) -> None:
    details: dict[str, object] = {
        "at": at(2027, 1, 10),
        "customer_id": CUSTOMER,
        "product_ref": "PRN-4200",
        "description": "printer",
        "serial_number": None,
        "site": "Lyon",
    }
    with pytest.raises(InvalidInput):
        Asset.register(**{**details, field: value})  # type: ignore[arg-type]


def test_configuration_changes_keep_every_version_installed() -> None:
    asset = registered()
    first = asset.change_configuration(
        at(2027, 3, 1), {"firmware": "1.1", "ram": "2GB"}, "security update"
    )
    second = asset.change_configuration(at(2027, 6, 1), {"tray": None}, "tray removed")
    assert (first, second) == (1, 2)
    assert asset.configuration == {"firmware": "1.1", "ram": "2GB"}
    assert asset.configuration_history[0].changes == [
        ConfigurationChange("firmware", "1.0", "1.1"),
        ConfigurationChange("ram", None, "2GB"),
    ]
    assert asset.configuration_history[1].reason == "tray removed"
    assert asset.configuration_at(0) == {"firmware": "1.0", "tray": "A4"}
    assert asset.configuration_at(1) == {"firmware": "1.1", "tray": "A4", "ram": "2GB"}


def test_a_configuration_change_that_changes_nothing_records_nothing() -> None:
    asset = registered()
    asset.collect_events()
    assert asset.change_configuration(at(2027, 3, 1), {"firmware": "1.0", "x": None}, "r") is None
    assert asset.collect_events() == []


# --- S2 warranties ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (date(2026, 12, 31), WarrantyStatus.NOT_STARTED),
        (date(2027, 6, 1), WarrantyStatus.ACTIVE),
        (date(2027, 12, 1), WarrantyStatus.ACTIVE),
        (date(2027, 12, 2), WarrantyStatus.EXPIRING_SOON),
        (date(2027, 12, 31), WarrantyStatus.EXPIRING_SOON),
        (date(2028, 1, 1), WarrantyStatus.EXPIRED),
    ],
)
def test_an_asset_knows_its_warranty_status(today: date, status: WarrantyStatus) -> None:
    asset = with_warranties(None, (date(2027, 1, 1), date(2027, 12, 31)))
    assert asset.warranty_status(WarrantyKind.MANUFACTURER, today) == status
    assert asset.warranty_status(WarrantyKind.CUSTOMER, today) is None


def test_a_warranty_cannot_end_before_it_starts() -> None:
    asset = registered()
    rejects_without_events(
        asset,
        InvalidWarrantyPeriod,
        at(2027, 1, 10),
        WarrantyKind.CUSTOMER,
        date(2027, 2, 1),
        date(2027, 1, 31),
        verb="set_warranty",
    )
    assert InvalidWarrantyPeriod.code == "warranty-dates-invalid"


def test_setting_a_warranty_again_replaces_that_kind_only() -> None:
    asset = with_warranties((date(2027, 1, 1), date(2027, 12, 31)), None)
    asset.set_warranty(at(2027, 2, 1), WarrantyKind.CUSTOMER, date(2027, 1, 1), date(2029, 12, 31))
    asset.set_warranty(at(2027, 2, 1), "manufacturer", date(2027, 1, 1), date(2028, 12, 31))  # type: ignore[arg-type]
    assert asset.warranties["customer"].end == date(2029, 12, 31)
    assert asset.warranties["manufacturer"].end == date(2028, 12, 31)


# --- S3 service cases ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("customer", "maker", "kind"),
    [
        (
            (date(2027, 1, 1), date(2029, 1, 1)),
            (date(2027, 1, 1), date(2028, 1, 1)),
            "manufacturer",
        ),
        ((date(2027, 1, 1), date(2029, 1, 1)), (date(2027, 1, 1), date(2027, 5, 31)), "customer"),
        ((date(2027, 1, 1), date(2027, 5, 31)), None, None),
        (None, (date(2027, 6, 2), date(2028, 6, 1)), None),
    ],
)
def test_a_case_is_under_the_warranty_in_force_when_it_opens(
    customer: tuple[date, date] | None, maker: tuple[date, date] | None, kind: str | None
) -> None:
    asset = with_warranties(customer, maker)
    case_id = asset.open_service_case(at(2027, 6, 1), "paper jam")
    case = asset.service_case(case_id)
    assert case.status == ServiceCaseStatus.INTAKE
    assert case.under_warranty is (kind is not None)
    assert case.warranty_kind == kind


def test_a_warranty_set_later_does_not_change_an_open_case() -> None:
    asset = registered()
    asset.open_service_case(at(2027, 6, 1), "paper jam", case_id=CASE)
    asset.set_warranty(at(2027, 6, 2), WarrantyKind.CUSTOMER, date(2027, 1, 1), date(2029, 1, 1))
    assert asset.service_case(CASE).under_warranty is False


def test_a_case_moves_one_step_at_a_time_to_its_return() -> None:
    asset = registered()
    asset.open_service_case(at(2027, 6, 1), "no power", case_id=CASE)
    rejects_without_events(
        asset, InvalidTransition, at(2027, 6, 1), CASE, ServiceCaseStatus.REPAIR, verb="advance"
    )
    asset.diagnose(at(2027, 6, 2), CASE, "blown fuse")
    asset.advance(at(2027, 6, 3), CASE, ServiceCaseStatus.REPAIR)
    asset.return_to_customer(at(2027, 6, 4), CASE)
    case = asset.service_case(CASE)
    assert (case.status, case.diagnosis, case.returned_at) == (
        ServiceCaseStatus.RETURNED,
        "blown fuse",
        at(2027, 6, 4),
    )
    assert asset.open_service_cases() == []
    rejects_without_events(
        asset, InvalidTransition, at(2027, 6, 5), CASE, ServiceCaseStatus.DIAGNOSIS, verb="advance"
    )


def test_a_diagnosis_can_be_corrected_until_the_repair_starts() -> None:
    asset = registered()
    asset.open_service_case(at(2027, 6, 1), "no power", case_id=CASE)
    asset.advance(at(2027, 6, 2), CASE, ServiceCaseStatus.DIAGNOSIS)
    asset.diagnose(at(2027, 6, 2), CASE, "fuse")
    asset.diagnose(at(2027, 6, 2), CASE, "power supply")
    asset.advance(at(2027, 6, 3), CASE, ServiceCaseStatus.REPAIR)
    assert asset.service_case(CASE).diagnosis == "power supply"
    rejects_without_events(asset, InvalidTransition, at(2027, 6, 3), CASE, "x", verb="diagnose")


def test_an_unknown_case_is_named_as_such() -> None:
    rejects_without_events(
        registered(), UnknownServiceCase, at(2027, 6, 1), CASE, "d", verb="diagnose"
    )


def test_a_case_id_cannot_be_opened_twice() -> None:
    asset = registered()
    asset.open_service_case(at(2027, 6, 1), "jam", case_id=CASE)
    rejects_without_events(
        asset, InvalidInput, at(2027, 6, 1), "again", CASE, verb="open_service_case"
    )


# --- S4 checklists ------------------------------------------------------------------------


def repaired_with_checklist() -> Asset:
    asset = registered()
    asset.open_service_case(at(2027, 6, 1), "no power", case_id=CASE)
    asset.add_checklist_point(at(2027, 6, 1), CASE, "clean", "Clean the rollers")
    asset.add_checklist_point(at(2027, 6, 1), CASE, "test", "Print a test page")
    asset.diagnose(at(2027, 6, 2), CASE, "fuse")
    asset.advance(at(2027, 6, 3), CASE, ServiceCaseStatus.REPAIR)
    return asset


def test_a_case_is_not_returned_while_a_point_is_unchecked() -> None:
    asset = repaired_with_checklist()
    asset.check_point(at(2027, 6, 3), CASE, "clean", "amelie")
    rejects_without_events(
        asset, ChecklistIncomplete, at(2027, 6, 4), CASE, verb="return_to_customer"
    )
    asset.check_point(at(2027, 6, 4, 10), CASE, "test", "bruno")
    asset.return_to_customer(at(2027, 6, 4, 11), CASE)
    assert asset.service_case(CASE).status == ServiceCaseStatus.RETURNED


def test_checking_a_point_records_who_and_when_once() -> None:
    asset = repaired_with_checklist()
    asset.check_point(at(2027, 6, 3), CASE, "clean", "amelie")
    asset.collect_events()
    asset.check_point(at(2027, 6, 5), CASE, "clean", "bruno")
    assert asset.collect_events() == []
    point = asset.service_case(CASE).point("clean")
    assert point is not None
    assert (point.checked_by, point.checked_at) == ("amelie", at(2027, 6, 3))


def test_checklist_points_are_unique_and_known() -> None:
    asset = repaired_with_checklist()
    rejects_without_events(
        asset,
        DuplicateChecklistPoint,
        at(2027, 6, 3),
        CASE,
        "clean",
        "again",
        verb="add_checklist_point",
    )
    rejects_without_events(
        asset, UnknownChecklistPoint, at(2027, 6, 3), CASE, "nope", "amelie", verb="check_point"
    )


def test_a_returned_case_takes_no_more_checklist_points() -> None:
    asset = registered()
    asset.open_service_case(at(2027, 6, 1), "no power", case_id=CASE)
    asset.diagnose(at(2027, 6, 2), CASE, "fuse")
    asset.advance(at(2027, 6, 3), CASE, ServiceCaseStatus.REPAIR)
    asset.return_to_customer(at(2027, 6, 4), CASE)
    rejects_without_events(
        asset,
        InvalidTransition,
        at(2027, 6, 5),
        CASE,
        "late",
        "Late point",
        verb="add_checklist_point",
    )


# --- S5 maintenance contract --------------------------------------------------------------


def test_an_asset_is_linked_to_one_maintenance_contract_at_a_time() -> None:
    asset = registered()
    asset.link_contract(at(2027, 2, 1), CONTRACT)
    asset.collect_events()
    asset.link_contract(at(2027, 2, 2), CONTRACT)
    assert asset.collect_events() == []
    rejects_without_events(
        asset, AssetUnderAnotherContract, at(2027, 2, 2), OTHER_CONTRACT, verb="link_contract"
    )
    asset.unlink_contract(at(2027, 2, 3), OTHER_CONTRACT)
    assert asset.contract_id == CONTRACT
    asset.unlink_contract(at(2027, 2, 3), CONTRACT)
    asset.link_contract(at(2027, 2, 4), OTHER_CONTRACT)
    assert asset.contract_id == OTHER_CONTRACT


# --- history ------------------------------------------------------------------------------


def test_replaying_an_assets_events_gives_back_the_same_state() -> None:
    asset = repaired_with_checklist()
    asset.set_warranty(
        at(2027, 6, 1), WarrantyKind.MANUFACTURER, date(2027, 1, 1), date(2028, 1, 1)
    )
    asset.open_service_case(at(2027, 6, 2), "noise", case_id=UUID(int=7))
    asset.change_configuration(at(2027, 6, 3), {"firmware": "2.0", "tray": None}, "upgrade")
    asset.check_point(at(2027, 6, 3), CASE, "clean", "amelie")
    asset.check_point(at(2027, 6, 3), CASE, "test", "amelie")
    asset.return_to_customer(at(2027, 6, 4), CASE)
    asset.link_contract(at(2027, 6, 5), CONTRACT)
    copy = replay(asset.collect_events(), Asset)
    assert state_of(copy) == state_of(asset)
    case = copy.service_case(CASE)
    assert isinstance(case, ServiceCase)
    assert case.status is ServiceCaseStatus.RETURNED
    assert copy.service_case(UUID(int=7)).warranty_kind is WarrantyKind.MANUFACTURER
