"""Asset commands (S1–S5) on the real SQLite and Postgres stores."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from application.app import Comptoir
from application.errors import StaleVersion
from application.journal import CommandContext
from application.policies import Policies
from domain.asset import ServiceCaseStatus
from domain.contract import ContractKind, ContractLine
from domain.errors import (
    AssetUnderAnotherContract,
    ChecklistIncomplete,
    DuplicateChecklistPoint,
    InvalidInput,
    InvalidTransition,
    InvalidWarrantyPeriod,
    NotFound,
    UnknownChecklistPoint,
    UnknownServiceCase,
)
from domain.periods import Frequency
from domain.warranty import WarrantyKind, WarrantyStatus
from interfaces.settings import Settings

CUSTOMER = UUID("00000000-0000-0000-0000-0000000000c1")
AT = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env(), policies=Policies(warranty_soon_days=45))
    yield app
    app.close()


def ctx(actor: str = "alice", **kwargs: Any) -> CommandContext:
    return CommandContext(actor=actor, at=AT, **kwargs)


def register(app: Comptoir, context: CommandContext | None = None, **fields: Any) -> UUID:
    values: dict[str, Any] = {
        "customer_id": CUSTOMER,
        "product_ref": "CR-200",
        "description": "Cash register",
        "serial_number": "SN-1",
        "site": "Shop",
        "configuration": {"firmware": "1.0"},
        **fields,
    }
    return app.assets.register(context or ctx(), **values).aggregate_id


def open_case(app: Comptoir, asset_id: UUID) -> UUID:
    return UUID(
        app.assets.open_service_case(ctx(), asset_id, problem="drawer stuck").result["case_id"]
    )


def test_registering_records_the_asset_with_who_and_why(app: Comptoir) -> None:
    asset_id = register(app, ctx(reason="installed today"))
    asset = app.assets.get(asset_id)
    assert (asset.product_ref, asset.serial_number, asset.configuration) == (
        "CR-200",
        "SN-1",
        {"firmware": "1.0"},
    )
    [entry] = app.history(asset_id)
    assert entry.type == "Asset.Registered"
    assert entry.journal is not None
    assert (entry.journal.record.actor, entry.journal.record.reason) == ("alice", "installed today")
    assert entry.journal.record.command == "asset.register"


def test_registering_refuses_a_missing_site_and_appends_nothing(app: Comptoir) -> None:
    before = app.log_position()
    with pytest.raises(InvalidInput):
        register(app, site="  ")
    assert app.log_position() == before


def test_a_retried_registration_returns_the_first_asset(app: Comptoir) -> None:
    first = register(app, ctx(idempotency_key="reg-1"))
    before = app.log_position()
    assert register(app, ctx(idempotency_key="reg-1")) == first
    assert app.log_position() == before


def test_configuration_changes_are_numbered_and_a_no_op_records_nothing(app: Comptoir) -> None:
    asset_id = register(app)
    changed = app.assets.change_configuration(
        ctx(), asset_id, changes={"firmware": "2.0", "printer": "TM-30"}, reason="upgrade"
    )
    assert changed.result == {"changed": True, "revision": 1}
    before = app.log_position()
    same = app.assets.change_configuration(
        ctx(), asset_id, changes={"firmware": "2.0"}, reason="again"
    )
    assert same.result["changed"] is False
    assert app.log_position() == before
    app.assets.change_configuration(ctx(), asset_id, changes={"printer": None}, reason="removed")
    asset = app.assets.get(asset_id)
    assert asset.configuration == {"firmware": "2.0"}
    assert asset.configuration_at(1) == {"firmware": "2.0", "printer": "TM-30"}
    with pytest.raises(InvalidInput):
        app.assets.change_configuration(ctx(), asset_id, changes={"a": "b"}, reason=" ")
    with pytest.raises(NotFound):
        app.assets.change_configuration(ctx(), uuid4(), changes={"a": "b"}, reason="x")


def test_warranty_statuses_follow_the_companys_soon_days(app: Comptoir) -> None:
    asset_id = register(app)
    app.assets.set_warranty(
        ctx(),
        asset_id,
        kind=WarrantyKind.MANUFACTURER,
        start=date(2026, 1, 1),
        end=date(2027, 4, 30),
    )
    app.assets.set_warranty(
        ctx(), asset_id, kind=WarrantyKind.CUSTOMER, start=date(2026, 1, 1), end=date(2028, 12, 31)
    )
    asset = app.assets.get(asset_id)
    states = {s.kind: s for s in app.assets.warranties(asset, date(2027, 3, 20))}
    # 41 days left: expiring soon with 45 soon-days (it would be active with the default 30)
    assert states[WarrantyKind.MANUFACTURER].status == WarrantyStatus.EXPIRING_SOON
    assert states[WarrantyKind.MANUFACTURER].days_remaining == 41
    assert states[WarrantyKind.CUSTOMER].status == WarrantyStatus.ACTIVE
    expired = app.assets.warranties(asset, date(2029, 1, 1))
    assert [(s.status, s.days_remaining) for s in expired] == [
        (WarrantyStatus.EXPIRED, 0),
        (WarrantyStatus.EXPIRED, 0),
    ]


def test_a_warranty_ending_before_it_starts_is_refused(app: Comptoir) -> None:
    asset_id = register(app)
    before = app.log_position()
    with pytest.raises(InvalidWarrantyPeriod):
        app.assets.set_warranty(
            ctx(),
            asset_id,
            kind=WarrantyKind.CUSTOMER,
            start=date(2027, 2, 1),
            end=date(2027, 1, 1),
        )
    assert app.log_position() == before


def test_a_service_case_goes_back_only_with_its_checklist_checked(app: Comptoir) -> None:
    asset_id = register(app)
    app.assets.set_warranty(
        ctx(), asset_id, kind=WarrantyKind.CUSTOMER, start=date(2027, 1, 1), end=date(2027, 12, 31)
    )
    opened = app.assets.open_service_case(ctx(), asset_id, problem="drawer stuck")
    assert opened.result["under_warranty"] is True
    assert opened.result["warranty_kind"] == "customer"
    case_id = UUID(opened.result["case_id"])
    app.assets.diagnose(ctx(), asset_id, case_id, diagnosis="broken spring")
    app.assets.advance(ctx(), asset_id, case_id, to=ServiceCaseStatus.REPAIR)
    app.assets.add_checklist_point(ctx(), asset_id, case_id, point_id="drawer", label="Opens")
    before = app.log_position()
    with pytest.raises(ChecklistIncomplete):
        app.assets.return_to_customer(ctx(), asset_id, case_id)
    assert app.log_position() == before
    app.assets.check_point(ctx("bob", reason="tested"), asset_id, case_id, "drawer")
    point = app.assets.get(asset_id).service_case(case_id).checklist[0]
    assert (point.checked_by, point.checked_at) == ("bob", AT)
    app.assets.return_to_customer(ctx(), asset_id, case_id)
    case = app.assets.get(asset_id).service_case(case_id)
    assert case.status == ServiceCaseStatus.RETURNED
    assert [e.type for e in app.history(asset_id)][-1] == "Asset.ServiceCaseAdvanced"


def test_a_case_opened_without_a_warranty_is_billable(app: Comptoir) -> None:
    opened = app.assets.open_service_case(ctx(), register(app), problem="screen dark")
    assert opened.result["under_warranty"] is False
    assert opened.result["warranty_kind"] is None


def test_a_retried_case_opening_returns_the_same_case(app: Comptoir) -> None:
    asset_id = register(app)
    first = app.assets.open_service_case(ctx(idempotency_key="case-1"), asset_id, problem="x")
    again = app.assets.open_service_case(ctx(idempotency_key="case-1"), asset_id, problem="x")
    assert again.replayed
    assert again.result["case_id"] == first.result["case_id"]
    assert len(app.assets.get(asset_id).service_cases) == 1


def test_service_case_errors_are_named(app: Comptoir) -> None:
    asset_id = register(app)
    case_id = open_case(app, asset_id)
    before = app.log_position()
    with pytest.raises(UnknownServiceCase):
        app.assets.diagnose(ctx(), asset_id, uuid4(), diagnosis="x")
    with pytest.raises(InvalidTransition):
        app.assets.advance(ctx(), asset_id, case_id, to=ServiceCaseStatus.REPAIR)
    with pytest.raises(InvalidInput):
        app.assets.open_service_case(ctx(), asset_id, problem="")
    with pytest.raises(UnknownChecklistPoint):
        app.assets.check_point(ctx(), asset_id, case_id, "nope")
    assert app.log_position() == before
    app.assets.add_checklist_point(ctx(), asset_id, case_id, point_id="p1", label="Clean")
    with pytest.raises(DuplicateChecklistPoint):
        app.assets.add_checklist_point(ctx(), asset_id, case_id, point_id="p1", label="Again")
    with pytest.raises(StaleVersion):
        app.assets.diagnose(ctx(expected_version=1), asset_id, case_id, diagnosis="x")


def test_checking_a_point_again_keeps_the_first_check(app: Comptoir) -> None:
    asset_id = register(app)
    case_id = open_case(app, asset_id)
    app.assets.add_checklist_point(ctx(), asset_id, case_id, point_id="p1", label="Clean")
    app.assets.check_point(ctx("bob"), asset_id, case_id, "p1")
    before = app.log_position()
    app.assets.check_point(ctx("carol"), asset_id, case_id, "p1")
    assert app.log_position() == before
    assert app.assets.get(asset_id).service_case(case_id).checklist[0].checked_by == "bob"


def test_linking_a_contract_from_the_asset_updates_both_documents(app: Comptoir) -> None:
    asset_id = register(app)
    lines = [ContractLine("maintenance", Decimal(1), Decimal(30), Decimal(20))]
    contracts = [
        app.contracts.sign(
            ctx(),
            customer_id=CUSTOMER,
            currency="EUR",
            lines=lines,
            frequency=Frequency.MONTH,
            start=date(2027, 1, 1),
            kind=ContractKind.MAINTENANCE,
        ).aggregate_id
        for _ in range(2)
    ]
    linked = app.assets.link_contract(ctx(expected_version=1), asset_id, contracts[0])
    assert (linked.aggregate_id, linked.version) == (asset_id, 2)
    assert app.contracts.get(contracts[0]).covered_asset_ids == [asset_id]
    journal = app.history(asset_id)[-1].journal
    assert journal is not None
    assert journal.record.command == "asset.link_contract"
    before = app.log_position()
    with pytest.raises(AssetUnderAnotherContract):
        app.assets.link_contract(ctx(), asset_id, contracts[1])
    assert app.log_position() == before
    assert app.contracts.get(contracts[1]).covered_asset_ids == []
    app.assets.unlink_contract(ctx(), asset_id, contracts[0])
    assert app.assets.get(asset_id).contract_id is None
    assert app.contracts.get(contracts[0]).covered_asset_ids == []


def test_an_earlier_version_of_an_asset_can_be_read(app: Comptoir) -> None:
    asset_id = register(app)
    app.assets.change_configuration(ctx(), asset_id, changes={"firmware": "2.0"}, reason="up")
    assert app.assets.get(asset_id, 1).configuration == {"firmware": "1.0"}
    with pytest.raises(NotFound):
        app.assets.get(asset_id, 5)
