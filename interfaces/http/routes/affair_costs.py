"""Affair budget and actuals (A4–A6) and currencies (A9): budget lines and baselines,
hourly rates, time, costs, revenue, time and materials invoices, alerts."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Response, status
from fastapi import Body as BodyParam
from starlette.convertors import Convertor, register_url_convertor

from application.access import Principal
from domain.budget import BudgetCategory
from interfaces.http.deps import ServicesDep
from interfaces.http.problems import ERROR_RESPONSES, Forbidden
from interfaces.http.responses import OptionalBody, accepted, with_reason
from interfaces.http.results import AffairInvoiced, AlertsRaised, BaselineResult
from interfaces.http.routes.affair_schemas import (
    AlertClosing,
    BudgetLine,
    CostIn,
    EntriesInvoiceIn,
    HourlyRateIn,
    Reasoned,
    RevenueIn,
    SecondCurrency,
    TimeEntryIn,
    ZoneRate,
)
from interfaces.http.routes.affair_views import BaselineView
from interfaces.http.routes.affairs import (
    BASE,
    Costing,
    Manager,
    ProjectStaff,
    Reader,
    Seller,
)
from interfaces.http.schemas import Accepted, CommandAnswer
from interfaces.http.security import BILLING, authenticated

router = APIRouter(prefix="/affairs", tags=["affairs"], responses=ERROR_RESPONSES)


class BudgetCategoryPath(Convertor[str]):
    """`{category:budget_category}` matches any segment but `baselines`, so `PUT` on
    `/budget/baselines` is a 405 naming `POST`; an unknown category is still a 422 that
    lists the known ones."""

    regex = "(?!baselines$)[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("budget_category", BudgetCategoryPath())

DocumentRef = Annotated[str, Path(min_length=1, max_length=200)]
ZoneName = Annotated[str, Path(min_length=1, max_length=200)]


# --- A4 ---------------------------------------------------------------------------------


@router.put("/{affair_id}/budget/{category:budget_category}", summary="Set a budget line (A4)")
def set_budget(
    affair_id: UUID,
    category: BudgetCategory,
    body: BudgetLine,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
) -> Accepted:
    outcome = services.app.affairs.set_budget(
        with_reason(ctx, body), affair_id, category, body.amount
    )
    return accepted(outcome, response, BASE)


@router.post(
    "/{affair_id}/budget/baselines",
    status_code=status.HTTP_201_CREATED,
    summary="Freeze the current budget as the next baseline (A4)",
)
def baseline_budget(
    affair_id: UUID, body: Reasoned, ctx: Seller, services: ServicesDep, response: Response
) -> CommandAnswer[BaselineResult]:
    outcome = services.app.affairs.baseline(with_reason(ctx, body), affair_id)
    response.headers["Location"] = (
        f"{BASE}/{affair_id}/budget/baselines/{outcome.result['baseline']}"
    )
    return accepted(outcome, response, BASE, BaselineResult)


# --- A5, A6 -----------------------------------------------------------------------------


@router.post("/{affair_id}/hourly-rates", summary="Set an employee's hourly rate (A5)")
def set_employee_rate(
    affair_id: UUID, body: HourlyRateIn, ctx: Costing, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.affairs.set_employee_rate(
        with_reason(ctx, body),
        affair_id,
        employee=body.employee,
        rate=body.rate,
        valid_from=body.valid_from,
    )
    return accepted(outcome, response, BASE)


@router.post(
    "/{affair_id}/time-entries",
    status_code=status.HTTP_201_CREATED,
    summary="Log hours; labour cost = hours × hourly rate (A5)",
)
def log_time(
    affair_id: UUID,
    body: TimeEntryIn,
    ctx: Seller,
    principal: Annotated[Principal, Depends(authenticated)],
    services: ServicesDep,
    response: Response,
) -> CommandAnswer[AlertsRaised]:
    # Rates are set by accountants and managers; a salesperson logs at the rate in force.
    if body.hourly_rate is not None and not principal.has_any(BILLING):
        raise Forbidden("giving an hourly rate needs the accountant or manager role")
    outcome = services.app.affairs.log_time(
        with_reason(ctx, body),
        affair_id,
        employee=body.employee,
        day=body.day,
        hours=body.hours,
        hourly_rate=body.hourly_rate,
        billable=body.billable,
    )
    return accepted(outcome, response, BASE, AlertsRaised)


@router.post(
    "/{affair_id}/costs",
    status_code=status.HTTP_201_CREATED,
    summary="Record a received or committed cost from a document (A5, A6)",
)
def record_cost(
    affair_id: UUID, body: CostIn, ctx: ProjectStaff, services: ServicesDep, response: Response
) -> CommandAnswer[AlertsRaised]:
    outcome = services.app.affairs.record_cost(
        with_reason(ctx, body),
        affair_id,
        category=body.category,
        amount=body.amount,
        document_ref=body.document_ref,
        document_date=body.document_date,
        committed=body.committed,
    )
    return accepted(outcome, response, BASE, AlertsRaised)


@router.post(
    "/{affair_id}/costs/{document_ref}/receive",
    summary="A committed cost was received: it becomes actual (A5)",
)
def receive_committed(
    affair_id: UUID,
    document_ref: DocumentRef,
    ctx: ProjectStaff,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> CommandAnswer[AlertsRaised]:
    outcome = services.app.affairs.receive_committed(
        with_reason(ctx, body), affair_id, document_ref
    )
    return accepted(outcome, response, BASE, AlertsRaised)


@router.post(
    "/{affair_id}/revenue",
    status_code=status.HTTP_201_CREATED,
    summary="Record revenue ordered or invoiced from a document (A5)",
)
def record_revenue(
    affair_id: UUID, body: RevenueIn, ctx: ProjectStaff, services: ServicesDep, response: Response
) -> CommandAnswer[AlertsRaised]:
    outcome = services.app.affairs.record_revenue(
        with_reason(ctx, body),
        affair_id,
        kind=body.kind,
        amount=body.amount,
        document_ref=body.document_ref,
        document_date=body.document_date,
    )
    return accepted(outcome, response, BASE, AlertsRaised)


@router.post(
    "/{affair_id}/invoices",
    status_code=status.HTTP_201_CREATED,
    summary="Invoice chosen billable time entries and costs, each once (A5, issue 14)",
    description="Issues the invoice to the affair's customer and records, in the same "
    "command, the entries it took and its net as invoiced revenue. An entry invoiced "
    "already is a 409 `entry-already-invoiced`; a time entry logged as not billable or a "
    "committed cost not received a 409 `entry-not-billable`; an employee without a sale "
    "rate a 422 `missing-sale-rate`.",
)
def invoice_entries(
    affair_id: UUID, body: EntriesInvoiceIn, ctx: Costing, services: ServicesDep, response: Response
) -> CommandAnswer[AffairInvoiced]:
    terms = None if body.payment_terms is None else body.payment_terms.value_object()
    outcome = services.app.affairs.invoice_entries(
        with_reason(ctx, body),
        affair_id,
        entry_ids=body.entry_ids,
        prices=body.prices(),
        issue_date=body.issue_date or ctx.at.date(),
        payment_terms=terms,
    )
    return accepted(outcome, response, BASE, AffairInvoiced)


@router.post("/{affair_id}/alerts/{alert_id}/close", summary="Acknowledge an alert (A6)")
def close_alert(
    affair_id: UUID,
    alert_id: UUID,
    ctx: Manager,
    services: ServicesDep,
    response: Response,
    body: Annotated[AlertClosing | None, BodyParam()] = None,
) -> Accepted:
    note = "" if body is None else body.note
    outcome = services.app.affairs.close_alert(with_reason(ctx, body), affair_id, alert_id, note)
    return accepted(outcome, response, BASE)


@router.get(
    "/{affair_id}/budget/baselines/{number}",
    summary="A budget baseline exactly as it was frozen (A4)",
    dependencies=[Reader],
)
def get_baseline(
    affair_id: UUID,
    number: Annotated[int, Path(ge=1, le=10**6)],
    services: ServicesDep,
) -> BaselineView:
    return BaselineView.of(services.app.affairs.get_baseline(affair_id, number))


# --- A9 ---------------------------------------------------------------------------------


@router.put("/{affair_id}/second-currency", summary="Set the second currency and rate (A9)")
def set_second_currency(
    affair_id: UUID,
    body: SecondCurrency,
    ctx: ProjectStaff,
    services: ServicesDep,
    response: Response,
) -> Accepted:
    outcome = services.app.affairs.set_second_currency(
        with_reason(ctx, body), affair_id, body.currency, body.rate
    )
    return accepted(outcome, response, BASE)


@router.put("/{affair_id}/rates/{zone}", summary="Set the conversion rate of a zone (A9)")
def set_zone_rate(
    affair_id: UUID,
    zone: ZoneName,
    body: ZoneRate,
    ctx: ProjectStaff,
    services: ServicesDep,
    response: Response,
) -> Accepted:
    outcome = services.app.affairs.set_rate(with_reason(ctx, body), affair_id, zone, body.rate)
    return accepted(outcome, response, BASE)
