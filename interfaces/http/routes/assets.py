"""Asset commands and reads: record, configuration, warranties, service cases, checklists.

Roles: sales and managers for everything. There is no technician role yet, so service
cases (intake, diagnosis, repair, return, checklist) are open to sales and managers too;
whoever checks a checklist point is the authenticated user, never a name in the body.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response, status
from fastapi import Body as BodyParam
from pydantic import BaseModel, Field

from application.assets import WarrantyState
from application.commands import CommandResult
from application.journal import CommandContext
from domain.asset import Asset, ServiceCase, ServiceCaseStatus
from domain.errors import NotFound
from domain.warranty import WarrantyKind
from interfaces.http.deps import ServicesDep
from interfaces.http.history import AsOf, document_at, history_items
from interfaces.http.problems import ERROR_RESPONSES
from interfaces.http.schemas import Accepted, Body, HistoryItem, ShortText, Text
from interfaces.http.security import READERS, SELLERS, command, reader

router = APIRouter(prefix="/assets", tags=["assets"], responses=ERROR_RESPONSES)

Seller = Annotated[CommandContext, command(SELLERS)]
Reader = reader(READERS)

BASE = "/assets"
MAX_KEYS = 200
Key = Annotated[str, Field(min_length=1, max_length=100)]
Value = Annotated[str, Field(max_length=500)]
PointId = Annotated[str, Path(min_length=1, max_length=100)]
Reason = Annotated[str, Field(min_length=1, max_length=2000)]


class AssetRegistration(Body):
    """An asset installed at a customer's site (S1), serialized or not."""

    customer_id: UUID
    product_ref: ShortText = Field(examples=["CR-200"])
    description: Text = ""
    serial_number: ShortText | None = Field(default=None, examples=["SN-0042"])
    site: ShortText = Field(examples=["Shop, 3 rue des Lilas"])
    configuration: dict[Key, Value] = Field(default_factory=dict, max_length=MAX_KEYS)


class ConfigurationChangeIn(Body):
    """Keys to set, or with null remove (S1); a reason is required."""

    changes: dict[Key, Value | None] = Field(min_length=1, max_length=MAX_KEYS)
    reason: Reason


class WarrantyIn(Body):
    """A warranty's first and last day, both included (S2)."""

    start: date
    end: date


class ServiceCaseIn(Body):
    """What the customer reports (S3)."""

    problem: Text = Field(examples=["The drawer no longer opens"])


class DiagnosisIn(Body):
    diagnosis: Text


class AdvanceIn(Body):
    """The next step of the case: diagnosis → repair → returned."""

    to: ServiceCaseStatus


class ChecklistPointIn(Body):
    """A point to validate before the asset goes back (S4)."""

    point_id: Key
    label: ShortText


class ConfigurationChangeView(BaseModel):
    key: str
    before: str | None
    after: str | None


class ConfigurationRevisionView(BaseModel):
    number: int
    at: datetime
    reason: str
    changes: list[ConfigurationChangeView]


class WarrantyView(BaseModel):
    """A warranty with its status and the days it has left, as of today."""

    kind: WarrantyKind
    start: date
    end: date
    status: str
    days_remaining: int

    @classmethod
    def of(cls, state: WarrantyState) -> WarrantyView:
        return cls(
            kind=state.kind,
            start=state.start,
            end=state.end,
            status=str(state.status),
            days_remaining=state.days_remaining,
        )


class ChecklistPointView(BaseModel):
    point_id: str
    label: str
    checked: bool
    checked_by: str | None
    checked_at: datetime | None


class ServiceCaseView(BaseModel):
    case_id: UUID
    problem: str
    opened_at: datetime
    under_warranty: bool
    warranty_kind: WarrantyKind | None
    status: str
    diagnosis: str | None
    checklist: list[ChecklistPointView]
    checklist_complete: bool
    returned_at: datetime | None

    @classmethod
    def of(cls, case: ServiceCase) -> ServiceCaseView:
        return cls(
            case_id=case.case_id,
            problem=case.problem,
            opened_at=case.opened_at,
            under_warranty=case.under_warranty,
            warranty_kind=case.warranty_kind,
            status=str(case.status),
            diagnosis=case.diagnosis,
            checklist=[
                ChecklistPointView(
                    point_id=p.point_id,
                    label=p.label,
                    checked=p.checked,
                    checked_by=p.checked_by,
                    checked_at=p.checked_at,
                )
                for p in case.checklist
            ],
            checklist_complete=case.checklist_complete,
            returned_at=case.returned_at,
        )


class AssetView(BaseModel):
    """An asset as it stands (or stood, at a given version), warranties as of today."""

    id: UUID
    version: int
    customer_id: UUID
    product_ref: str
    description: str
    serial_number: str | None
    site: str
    configuration: dict[str, str]
    initial_configuration: dict[str, str]
    configuration_history: list[ConfigurationRevisionView]
    as_of: date
    warranties: list[WarrantyView]
    contract_id: UUID | None
    service_cases: list[ServiceCaseView]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, asset: Asset, warranties: list[WarrantyState], today: date) -> AssetView:
        return cls(
            id=asset.id,
            version=asset.version,
            customer_id=asset.customer_id,
            product_ref=asset.product_ref,
            description=asset.description,
            serial_number=asset.serial_number,
            site=asset.site,
            configuration=dict(asset.configuration),
            initial_configuration=dict(asset.initial_configuration),
            configuration_history=[
                ConfigurationRevisionView(
                    number=r.number,
                    at=r.at,
                    reason=r.reason,
                    changes=[
                        ConfigurationChangeView(key=c.key, before=c.before, after=c.after)
                        for c in r.changes
                    ],
                )
                for r in asset.configuration_history
            ],
            as_of=today,
            warranties=[WarrantyView.of(w) for w in warranties],
            contract_id=asset.contract_id,
            service_cases=[
                ServiceCaseView.of(c)
                for c in sorted(asset.service_cases.values(), key=lambda c: c.opened_at)
            ],
            created_at=asset.created_on,
            updated_at=asset.modified_on,
        )


def _accepted(outcome: CommandResult, response: Response) -> Accepted:
    response.headers["ETag"] = f'"{outcome.version}"'
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return Accepted.of(outcome, BASE)


OptionalBody = Annotated[Body | None, BodyParam()]


def _reason(body: Body | None) -> str | None:
    return None if body is None else body.reason


@router.post("", status_code=status.HTTP_201_CREATED, summary="Record an asset (S1)")
def register_asset(
    body: AssetRegistration, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.assets.register(
        replace(ctx, reason=body.reason),
        customer_id=body.customer_id,
        product_ref=body.product_ref,
        description=body.description,
        serial_number=body.serial_number,
        site=body.site,
        configuration=body.configuration,
    )
    response.headers["Location"] = f"{BASE}/{outcome.aggregate_id}"
    return _accepted(outcome, response)


@router.post(
    "/{asset_id}/configuration",
    summary="Change the configuration; a change that changes nothing records nothing (S1)",
)
def change_configuration(
    asset_id: UUID,
    body: ConfigurationChangeIn,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
) -> Accepted:
    outcome = services.app.assets.change_configuration(
        replace(ctx, reason=body.reason), asset_id, changes=body.changes, reason=body.reason
    )
    return _accepted(outcome, response)


@router.put("/{asset_id}/warranties/{kind}", summary="Set or replace a warranty (S2)")
def set_warranty(
    asset_id: UUID,
    kind: WarrantyKind,
    body: WarrantyIn,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
) -> Accepted:
    outcome = services.app.assets.set_warranty(
        replace(ctx, reason=body.reason), asset_id, kind=kind, start=body.start, end=body.end
    )
    return _accepted(outcome, response)


@router.post(
    "/{asset_id}/service-cases",
    status_code=status.HTTP_201_CREATED,
    summary="Take the asset in for service; under warranty or billable (S3)",
)
def open_service_case(
    asset_id: UUID, body: ServiceCaseIn, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.assets.open_service_case(
        replace(ctx, reason=body.reason), asset_id, problem=body.problem
    )
    return _accepted(outcome, response)


@router.post("/{asset_id}/service-cases/{case_id}/diagnosis", summary="Record a diagnosis (S3)")
def diagnose(
    asset_id: UUID,
    case_id: UUID,
    body: DiagnosisIn,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
) -> Accepted:
    outcome = services.app.assets.diagnose(
        replace(ctx, reason=body.reason), asset_id, case_id, diagnosis=body.diagnosis
    )
    return _accepted(outcome, response)


@router.post("/{asset_id}/service-cases/{case_id}/advance", summary="Move a case on (S3)")
def advance(
    asset_id: UUID,
    case_id: UUID,
    body: AdvanceIn,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
) -> Accepted:
    outcome = services.app.assets.advance(
        replace(ctx, reason=body.reason), asset_id, case_id, to=body.to
    )
    return _accepted(outcome, response)


@router.post(
    "/{asset_id}/service-cases/{case_id}/return",
    summary="Return the asset to the customer; every checklist point must be checked (S3, S4)",
)
def return_to_customer(
    asset_id: UUID,
    case_id: UUID,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> Accepted:
    outcome = services.app.assets.return_to_customer(
        replace(ctx, reason=_reason(body)), asset_id, case_id
    )
    return _accepted(outcome, response)


@router.post(
    "/{asset_id}/service-cases/{case_id}/checklist",
    status_code=status.HTTP_201_CREATED,
    summary="Add a checklist point (S4)",
)
def add_checklist_point(
    asset_id: UUID,
    case_id: UUID,
    body: ChecklistPointIn,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
) -> Accepted:
    outcome = services.app.assets.add_checklist_point(
        replace(ctx, reason=body.reason),
        asset_id,
        case_id,
        point_id=body.point_id,
        label=body.label,
    )
    return _accepted(outcome, response)


@router.post(
    "/{asset_id}/service-cases/{case_id}/checklist/{point_id}/check",
    summary="Check a point as the authenticated user (S4)",
)
def check_point(
    asset_id: UUID,
    case_id: UUID,
    point_id: PointId,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> Accepted:
    outcome = services.app.assets.check_point(
        replace(ctx, reason=_reason(body)), asset_id, case_id, point_id
    )
    return _accepted(outcome, response)


@router.get(
    "/{asset_id}",
    summary="The asset from the event store (now, at a version or as of a recorded time), "
    "warranties as of today",
    dependencies=[Reader],
)
def get_asset(
    asset_id: UUID,
    services: ServicesDep,
    response: Response,
    version: Annotated[int | None, Query(ge=1, le=2**31)] = None,
    as_of: AsOf = None,
) -> AssetView:
    asset = document_at(services.app, Asset, asset_id, version, as_of, services.app.assets.get)
    today = services.clock().date()
    response.headers["ETag"] = f'"{asset.version}"'
    return AssetView.of(asset, services.app.assets.warranties(asset, today), today)


@router.get(
    "/{asset_id}/history",
    summary="Every event of the asset with who, when and why",
    dependencies=[Reader],
)
def asset_history(asset_id: UUID, services: ServicesDep) -> list[HistoryItem]:
    items = history_items(services.app, asset_id)
    if not items or not items[0].type.startswith("Asset."):
        raise NotFound(f"no asset with id {asset_id}")
    return items
