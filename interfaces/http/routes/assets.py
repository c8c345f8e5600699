"""Asset commands and reads: record, configuration, warranties, service cases, checklists.

Roles: sales and managers for everything but invoicing a case, which is for accountants
and managers. There is no technician role yet, so service cases (intake, diagnosis,
repair, labour, parts, return, checklist) are open to sales and managers too; whoever
checks a checklist point is the authenticated user, never a name in the body.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response, status

from application.journal import CommandContext
from domain.asset import Asset
from domain.warranty import WarrantyKind
from interfaces.http.deps import ServicesDep
from interfaces.http.diffs import DocumentDiff, diff_of
from interfaces.http.history import (
    AsOf,
    FromVersion,
    ToVersion,
    Version,
    document_history,
    read_document,
)
from interfaces.http.problems import ERROR_RESPONSES
from interfaces.http.responses import OptionalBody, accepted, created, with_reason
from interfaces.http.results import (
    ConfigurationResult,
    ServiceCaseInvoiced,
    ServiceCaseOpened,
    ServiceWork,
)
from interfaces.http.routes.asset_schemas import (
    AdvanceIn,
    AssetRegistration,
    AssetView,
    ChecklistPointIn,
    ConfigurationChangeIn,
    DiagnosisIn,
    LabourIn,
    PartIn,
    ServiceCaseIn,
    ServiceInvoiceIn,
    WarrantyIn,
)
from interfaces.http.schemas import Accepted, CommandAnswer, HistoryItem
from interfaces.http.security import BILLING, READERS, SELLERS, command, reader

router = APIRouter(prefix="/assets", tags=["assets"], responses=ERROR_RESPONSES)

Seller = Annotated[CommandContext, command(SELLERS)]
Biller = Annotated[CommandContext, command(BILLING)]
Reader = reader(READERS)

BASE = "/assets"
PointId = Annotated[str, Path(min_length=1, max_length=100)]


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
    return created(outcome, response, BASE)


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
) -> CommandAnswer[ConfigurationResult]:
    outcome = services.app.assets.change_configuration(
        replace(ctx, reason=body.reason), asset_id, changes=body.changes, reason=body.reason
    )
    return accepted(outcome, response, BASE, ConfigurationResult)


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
        replace(ctx, reason=body.reason),
        asset_id,
        kind=kind,
        start=body.start,
        end=body.last_day(),
    )
    return accepted(outcome, response, BASE)


@router.post(
    "/{asset_id}/service-cases",
    status_code=status.HTTP_201_CREATED,
    summary="Take the asset in for service; under warranty or billable (S3)",
)
def open_service_case(
    asset_id: UUID, body: ServiceCaseIn, ctx: Seller, services: ServicesDep, response: Response
) -> CommandAnswer[ServiceCaseOpened]:
    outcome = services.app.assets.open_service_case(
        replace(ctx, reason=body.reason), asset_id, problem=body.problem
    )
    return accepted(outcome, response, BASE, ServiceCaseOpened)


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
    return accepted(outcome, response, BASE)


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
    return accepted(outcome, response, BASE)


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
    outcome = services.app.assets.return_to_customer(with_reason(ctx, body), asset_id, case_id)
    return accepted(outcome, response, BASE)


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
    return accepted(outcome, response, BASE)


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
    outcome = services.app.assets.check_point(with_reason(ctx, body), asset_id, case_id, point_id)
    return accepted(outcome, response, BASE)


# --- S3 labour, parts and the case's invoice (issue 14) ------------------------------------


@router.post(
    "/{asset_id}/service-cases/{case_id}/labour",
    status_code=status.HTTP_201_CREATED,
    summary="Record hours spent on a case; billable unless under warranty by default (S3)",
)
def record_labour(
    asset_id: UUID,
    case_id: UUID,
    body: LabourIn,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
) -> CommandAnswer[ServiceWork]:
    outcome = services.app.assets.record_labour(
        replace(ctx, reason=body.reason),
        asset_id,
        case_id,
        description=body.description,
        hours=body.hours,
        hourly_rate=body.hourly_rate,
        billable=body.billable,
    )
    return accepted(outcome, response, BASE, ServiceWork)


@router.post(
    "/{asset_id}/service-cases/{case_id}/parts",
    status_code=status.HTTP_201_CREATED,
    summary="Record a part fitted on a case; billable unless under warranty by default (S3)",
)
def record_part(
    asset_id: UUID,
    case_id: UUID,
    body: PartIn,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
) -> CommandAnswer[ServiceWork]:
    outcome = services.app.assets.record_part(
        replace(ctx, reason=body.reason),
        asset_id,
        case_id,
        description=body.description,
        quantity=body.quantity,
        unit_price=body.unit_price,
        billable=body.billable,
        product_ref=body.product_ref,
    )
    return accepted(outcome, response, BASE, ServiceWork)


@router.post(
    "/{asset_id}/service-cases/{case_id}/invoice",
    status_code=status.HTTP_201_CREATED,
    summary="Issue the case's invoice of its billable labour (HUR) and parts (C62), once "
    "(S3, issue 14)",
    description="The invoice goes to the asset's customer; `result.invoice_number` and "
    "`result.invoice_id` name it. A case invoiced already is a 409 "
    "`service-case-already-invoiced`; one with nothing billable a 409 "
    "`service-case-not-billable`.",
)
def invoice_service_case(
    asset_id: UUID,
    case_id: UUID,
    body: ServiceInvoiceIn,
    ctx: Biller,
    services: ServicesDep,
    response: Response,
) -> CommandAnswer[ServiceCaseInvoiced]:
    terms = None if body.payment_terms is None else body.payment_terms.value_object()
    outcome = services.app.assets.invoice_service_case(
        replace(ctx, reason=body.reason),
        asset_id,
        case_id,
        issue_date=body.issue_date or ctx.at.date(),
        vat_rate=body.vat_rate,
        payment_terms=terms,
    )
    return accepted(outcome, response, BASE, ServiceCaseInvoiced)


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
    version: Version = None,
    as_of: AsOf = None,
) -> AssetView:
    asset = read_document(
        services.app, Asset, asset_id, version, as_of, services.app.assets.get, response
    )
    today = services.clock().date()
    return AssetView.of(asset, services.app.assets.warranties(asset, today), today)


@router.get(
    "/{asset_id}/history",
    summary="Every event of the asset with who, when and why",
    dependencies=[Reader],
)
def asset_history(asset_id: UUID, services: ServicesDep) -> list[HistoryItem]:
    return document_history(services.app, asset_id, "Asset")


@router.get(
    "/{asset_id}/diff",
    summary="What changed between two versions of the asset (configuration, warranties, "
    "service cases …), in the diff format of every document (H2)",
    dependencies=[Reader],
)
def asset_diff(
    asset_id: UUID, services: ServicesDep, from_: FromVersion, to: ToVersion
) -> DocumentDiff:
    assets, today = services.app.assets, services.clock().date()
    before, after = (
        AssetView.of(a, assets.warranties(a, today), today)
        for a in (assets.get(asset_id, from_), assets.get(asset_id, to))
    )
    return diff_of(before, after, from_, to)
