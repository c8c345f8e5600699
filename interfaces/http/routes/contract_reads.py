"""Contract reads: the contract now, at a version or as of a time, with today's figures
(next period, MRR, renewal due); its history; the amendments between two versions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import Field

from application.contracts import next_period
from domain.contract import Contract, ContractStatus
from domain.values import compute_totals
from interfaces.http.deps import ServicesDep
from interfaces.http.diffs import diff_of
from interfaces.http.history import AsOf, Version, document_history, read_document
from interfaces.http.problems import ERROR_RESPONSES
from interfaces.http.routes.contract_schemas import (
    AmendmentChangeView,
    BilledPeriodView,
    ContractDiff,
    ContractLineView,
    NextPeriodView,
    RenewalView,
    SuspensionView,
    line_views,
)
from interfaces.http.routes.contracts import AmendmentView, Reader
from interfaces.http.schemas import HistoryItem, InCurrency, MoneyOut

router = APIRouter(prefix="/contracts", tags=["contracts"], responses=ERROR_RESPONSES)


class ContractView(InCurrency):
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
    monthly_recurring_revenue: MoneyOut = Field(description="Of the lines in force today")
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
                    invoice_id=b.invoice_id,
                    invoice_number=b.invoice_number,
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
    get, today = services.app.contracts.get, services.clock().date()
    before = ContractView.of(get(contract_id, from_version), today)
    after = ContractView.of(get(contract_id, to_version), today)
    return ContractDiff(
        from_version=from_version,
        to_version=to_version,
        amendments=[AmendmentChangeView.of(c) for c in changes],
        changes=diff_of(before, after, from_version, to_version).changes,
    )
