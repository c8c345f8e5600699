"""Contract commands: sign, bill, amend, renew, terminate, suspend, cover assets (reads in
`contract_reads`).

Roles: selling work (sign, amend, renew, cover assets) for sales and managers; billing
for accountants and managers; stopping revenue (terminate, suspend, resume) is a
manager's decision.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Response, status
from pydantic import BaseModel

from application.journal import CommandContext
from interfaces.http.deps import ServicesDep
from interfaces.http.problems import ERROR_RESPONSES
from interfaces.http.responses import OptionalBody, accepted, created, with_reason
from interfaces.http.results import AmendmentResult, BillResult, CoverageResult
from interfaces.http.routes.contract_schemas import (
    BillDueResult,
    BilledNow,
    BillIn,
    ContractLineView,
    ContractSign,
    Lines,
    Reason,
    RenewalIn,
    SuspensionIn,
    TerminationIn,
)
from interfaces.http.routes.params import Day
from interfaces.http.schemas import Accepted, Body, CommandAnswer
from interfaces.http.security import BILLING, MANAGERS, READERS, SELLERS, command, reader

router = APIRouter(prefix="/contracts", tags=["contracts"], responses=ERROR_RESPONSES)

Seller = Annotated[CommandContext, command(SELLERS)]
Biller = Annotated[CommandContext, command(BILLING)]
Manager = Annotated[CommandContext, command(MANAGERS)]
Reader = reader(READERS)

BASE = "/contracts"


# The amendment models stay here, the others are in `contract_schemas`: their OpenAPI
# names are qualified by this module, as the orders' routes have models of the same names.
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
    summary="Bill one period exactly once, issuing its invoice (C1, issue 14)",
    description="Billing a period issues its invoice in the same command: "
    "`result.invoice_number` and `result.invoice_id` name it. A period already billed "
    "records nothing: the answer is 200 with the first record (its invoice included) and "
    "`result.already_billed` = `true`.",
)
def bill_period(
    contract_id: UUID, body: BillIn, ctx: Biller, services: ServicesDep, response: Response
) -> CommandAnswer[BillResult]:
    terms = None if body.payment_terms is None else body.payment_terms.value_object()
    outcome = services.app.contracts.bill(
        replace(ctx, reason=body.reason),
        contract_id,
        body.period_index,
        body.invoice_ref,
        issue_date=body.issue_date or ctx.at.date(),
        payment_terms=terms,
    )
    if outcome.result.get("already_billed") is True:
        response.status_code = status.HTTP_200_OK
    return accepted(outcome, response, BASE, BillResult)


@router.post(
    "/{contract_id}/bill-due",
    summary="Bill every period due today not yet billed, each with its invoice dated today",
)
def bill_due(
    contract_id: UUID, ctx: Biller, services: ServicesDep, body: OptionalBody = None
) -> BillDueResult:
    today = ctx.at.date()
    outcomes = services.app.contracts.bill_due(with_reason(ctx, body), contract_id, today)
    self_link = f"{BASE}/{contract_id}"
    billed = []
    for o in outcomes:
        result = BillResult.model_validate(dict(o.result))
        billed.append(
            BilledNow(
                period_index=result.period_index,
                version=o.version,
                position=o.position,
                result=result,
            )
        )
    positions = [o.position for o in outcomes if o.position is not None]
    return BillDueResult(
        id=contract_id,
        as_of=today,
        billed=billed,
        nothing_billed=not billed,
        position=max(positions) if positions else services.app.log_position(),
        links={"self": self_link, "history": f"{self_link}/history"},
    )


@router.post(
    "/{contract_id}/amendments",
    status_code=status.HTTP_201_CREATED,
    summary="Amend the lines from a date on (C4)",
)
def amend_contract(
    contract_id: UUID, body: AmendmentIn, ctx: Seller, services: ServicesDep, response: Response
) -> CommandAnswer[AmendmentResult]:
    outcome = services.app.contracts.amend(
        replace(ctx, reason=body.reason),
        contract_id,
        effective=body.effective,
        lines=[line.value_object() for line in body.lines],
        reason=body.reason,
    )
    return accepted(outcome, response, BASE, AmendmentResult)


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
) -> CommandAnswer[CoverageResult]:
    outcome = services.app.contracts.cover_asset(with_reason(ctx, body), contract_id, asset_id)
    return accepted(outcome, response, BASE, CoverageResult)


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
) -> CommandAnswer[CoverageResult]:
    outcome = services.app.contracts.uncover_asset(with_reason(ctx, body), contract_id, asset_id)
    return accepted(outcome, response, BASE, CoverageResult)
