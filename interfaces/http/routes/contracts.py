"""Contract commands and reads: sign, bill, amend, renew, terminate, suspend, cover assets.

Roles: selling work (sign, amend, renew, cover assets) for sales and managers; billing
for accountants and managers; stopping revenue (terminate, suspend, resume) is a
manager's decision.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from application.contracts import next_period
from application.journal import CommandContext
from domain.contract import Contract, ContractStatus
from domain.values import compute_totals
from interfaces.http.deps import ServicesDep
from interfaces.http.history import AsOf, Version, document_history, read_document
from interfaces.http.problems import ERROR_RESPONSES
from interfaces.http.responses import OptionalBody, accepted, created, with_reason
from interfaces.http.routes.contract_schemas import (
    AmendmentChangeView,
    BillDueResult,
    BilledNow,
    BilledPeriodView,
    BillIn,
    ContractDiff,
    ContractLineView,
    ContractSign,
    Day,
    Lines,
    NextPeriodView,
    Reason,
    RenewalIn,
    RenewalView,
    SuspensionIn,
    SuspensionView,
    TerminationIn,
    line_views,
)
from interfaces.http.schemas import Accepted, Body, HistoryItem
from interfaces.http.security import BILLING, MANAGERS, READERS, SELLERS, command, reader

router = APIRouter(prefix="/contracts", tags=["contracts"], responses=ERROR_RESPONSES)

Seller = Annotated[CommandContext, command(SELLERS)]
Biller = Annotated[CommandContext, command(BILLING)]
Manager = Annotated[CommandContext, command(MANAGERS)]
Reader = reader(READERS)

BASE = "/contracts"


# The amendment models and the contract view that holds them stay here, the others are in
# `contract_schemas`: their OpenAPI names are qualified by this module, as the orders'
# routes have amendment models of the same names.
class AmendmentIn(Body):
    """New lines from `effective` on (C4); a reason is required."""

    effective: Day
    lines: Lines
    reason: Reason


class AmendmentView(BaseModel):
    number: int
    effective: date
    reason: str
    at: datetime
    lines: list[ContractLineView]


class ContractView(BaseModel):
    """A contract as it stands (or stood, at a given version), with figures as of today."""

    id: UUID
    version: int
    status: str
    kind: str
    customer_id: UUID
    currency: str
    frequency: str
    start: date
    end: date | None
    last_day: date | None
    notice_days: int
    terminated_on: date | None
    termination_reason: str | None
    lines: list[ContractLineView]
    lines_in_force: list[ContractLineView]
    amendments: list[AmendmentView]
    renewals: list[RenewalView]
    suspensions: list[SuspensionView]
    billed: list[BilledPeriodView]
    covered_asset_ids: list[UUID]
    as_of: date
    next_period: NextPeriodView | None
    billable_periods: list[int]
    running: bool = Field(description="Active and within its term today")
    monthly_recurring_revenue: Decimal = Field(description="Of the lines in force today")
    renewal_due: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, contract: Contract, today: date) -> ContractView:
        coming = next_period(contract)
        next_view = None
        if coming is not None:
            totals = compute_totals((line.priced() for line in coming.lines), contract.currency)
            next_view = NextPeriodView(
                period_index=coming.period_index,
                period_start=coming.period_start,
                period_end=coming.period_end,
                due=coming.period_start <= today,
                net=totals.net,
                vat=totals.vat,
                gross=totals.gross,
            )
        return cls(
            id=contract.id,
            version=contract.version,
            status=str(contract.status),
            kind=str(contract.kind),
            customer_id=contract.customer_id,
            currency=contract.currency,
            frequency=str(contract.frequency),
            start=contract.start,
            end=contract.end,
            last_day=contract.last_day,
            notice_days=contract.notice_days,
            terminated_on=contract.terminated_on,
            termination_reason=contract.termination_reason,
            lines=line_views(contract.lines),
            lines_in_force=line_views(contract.lines_at(today)),
            amendments=[
                AmendmentView(
                    number=a.number,
                    effective=a.effective,
                    reason=a.reason,
                    at=a.at,
                    lines=line_views(a.lines),
                )
                for a in contract.amendments
            ],
            renewals=[
                RenewalView(
                    number=r.number,
                    previous_end=r.previous_end,
                    new_end=r.new_end,
                    reason=r.reason,
                    at=r.at,
                )
                for r in contract.renewals
            ],
            suspensions=[
                SuspensionView(start=s.start, end=s.end, reason=s.reason)
                for s in contract.suspensions
            ],
            billed=[
                BilledPeriodView(
                    period_index=b.period_index,
                    period_start=b.period_start,
                    period_end=b.period_end,
                    net=b.net,
                    vat=b.vat,
                    gross=b.gross,
                    billed_at=b.billed_at,
                    invoice_ref=b.invoice_ref,
                )
                for b in sorted(contract.billed.values(), key=lambda b: b.period_index)
            ],
            covered_asset_ids=list(contract.covered_asset_ids),
            as_of=today,
            next_period=next_view,
            billable_periods=contract.billable_periods(today),
            running=contract.status == ContractStatus.ACTIVE and contract.runs_on(today),
            monthly_recurring_revenue=contract.monthly_recurring_revenue(today),
            renewal_due=contract.renewal_due(today),
            created_at=contract.created_on,
            updated_at=contract.modified_on,
        )


@router.post("", status_code=status.HTTP_201_CREATED, summary="Sign a contract (C1, C2)")
def sign_contract(
    body: ContractSign, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.contracts.sign(
        replace(ctx, reason=body.reason),
        customer_id=body.customer_id,
        currency=body.currency,
        lines=[line.value_object() for line in body.lines],
        frequency=body.frequency,
        start=body.start,
        end=body.end,
        notice_days=body.notice_days,
        kind=body.kind,
        covered_asset_ids=body.covered_asset_ids,
    )
    return created(outcome, response, BASE)


@router.post(
    "/{contract_id}/bill",
    status_code=status.HTTP_201_CREATED,
    summary="Bill one period, exactly once (C1)",
    description="A period already billed records nothing: the answer is 200 with the "
    "first record and `result.already_billed` = `true`.",
)
def bill_period(
    contract_id: UUID, body: BillIn, ctx: Biller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.contracts.bill(
        replace(ctx, reason=body.reason), contract_id, body.period_index, body.invoice_ref
    )
    if outcome.result.get("already_billed") == "true":
        response.status_code = status.HTTP_200_OK
    return accepted(outcome, response, BASE)


@router.post("/{contract_id}/bill-due", summary="Bill every period due today not yet billed")
def bill_due(
    contract_id: UUID, ctx: Biller, services: ServicesDep, body: OptionalBody = None
) -> BillDueResult:
    today = ctx.at.date()
    outcomes = services.app.contracts.bill_due(with_reason(ctx, body), contract_id, today)
    self_link = f"{BASE}/{contract_id}"
    return BillDueResult(
        id=contract_id,
        as_of=today,
        billed=[
            BilledNow(
                period_index=int(o.result["period_index"]),
                version=o.version,
                position=o.position,
                result=o.result,
            )
            for o in outcomes
        ],
        links={"self": self_link, "history": f"{self_link}/history"},
    )


@router.post(
    "/{contract_id}/amendments",
    status_code=status.HTTP_201_CREATED,
    summary="Amend the lines from a date on (C4)",
)
def amend_contract(
    contract_id: UUID, body: AmendmentIn, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.contracts.amend(
        replace(ctx, reason=body.reason),
        contract_id,
        effective=body.effective,
        lines=[line.value_object() for line in body.lines],
        reason=body.reason,
    )
    return accepted(outcome, response, BASE)


@router.post("/{contract_id}/renew", summary="Renew for a new term (C3)")
def renew_contract(
    contract_id: UUID, body: RenewalIn, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.contracts.renew(
        replace(ctx, reason=body.reason),
        contract_id,
        new_end=body.new_end,
        reason=body.reason or "",
    )
    return accepted(outcome, response, BASE)


@router.post("/{contract_id}/terminate", summary="Terminate from a date (C3)")
def terminate_contract(
    contract_id: UUID, body: TerminationIn, ctx: Manager, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.contracts.terminate(
        replace(ctx, reason=body.reason), contract_id, effective=body.effective, reason=body.reason
    )
    return accepted(outcome, response, BASE)


@router.post("/{contract_id}/suspend", summary="Suspend billing (C3)")
def suspend_contract(
    contract_id: UUID, body: SuspensionIn, ctx: Manager, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.contracts.suspend(
        replace(ctx, reason=body.reason), contract_id, reason=body.reason
    )
    return accepted(outcome, response, BASE)


@router.post("/{contract_id}/resume", summary="Resume billing (C3)")
def resume_contract(
    contract_id: UUID,
    ctx: Manager,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> Accepted:
    outcome = services.app.contracts.resume(with_reason(ctx, body), contract_id)
    return accepted(outcome, response, BASE)


@router.post(
    "/{contract_id}/assets/{asset_id}",
    summary="Cover an asset; the asset is linked to the contract in the same command (C2, S5)",
)
def cover_asset(
    contract_id: UUID,
    asset_id: UUID,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> Accepted:
    outcome = services.app.contracts.cover_asset(with_reason(ctx, body), contract_id, asset_id)
    return accepted(outcome, response, BASE)


@router.delete(
    "/{contract_id}/assets/{asset_id}",
    summary="Stop covering an asset; the asset is unlinked in the same command (C2, S5)",
)
def uncover_asset(
    contract_id: UUID,
    asset_id: UUID,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> Accepted:
    outcome = services.app.contracts.uncover_asset(with_reason(ctx, body), contract_id, asset_id)
    return accepted(outcome, response, BASE)


@router.get(
    "/{contract_id}",
    summary="The contract from the event store (now, at a version or as of a recorded time), "
    "with today's figures",
    dependencies=[Reader],
)
def get_contract(
    contract_id: UUID,
    services: ServicesDep,
    response: Response,
    version: Version = None,
    as_of: AsOf = None,
) -> ContractView:
    commands = services.app.contracts
    contract = read_document(
        services.app, Contract, contract_id, version, as_of, commands.get, response
    )
    return ContractView.of(contract, services.clock().date())


@router.get(
    "/{contract_id}/history",
    summary="Every event of the contract with who, when and why",
    dependencies=[Reader],
)
def contract_history(contract_id: UUID, services: ServicesDep) -> list[HistoryItem]:
    return document_history(services.app, contract_id, "Contract")


@router.get(
    "/{contract_id}/diff",
    summary="The amendments recorded between two versions, lines before and after (H2)",
    dependencies=[Reader],
)
def contract_diff(
    contract_id: UUID,
    services: ServicesDep,
    from_version: Annotated[int, Query(alias="from", ge=1, le=2**31)],
    to_version: Annotated[int, Query(alias="to", ge=1, le=2**31)],
) -> ContractDiff:
    changes = services.app.contracts.amendments_between(contract_id, from_version, to_version)
    return ContractDiff(
        from_version=from_version,
        to_version=to_version,
        amendments=[AmendmentChangeView.of(c) for c in changes],
    )
