"""Affair commands and reads (A1–A9): stages, budget, actuals, alerts, actions, currencies."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Response, status
from fastapi import Body as BodyParam
from pydantic import BaseModel

from application.access import Principal
from application.affairs import BulkItemOutcome
from application.journal import CommandContext
from domain.affair import Affair
from domain.budget import BudgetCategory
from domain.quote_lines import FieldChange
from interfaces.http.deps import ServicesDep
from interfaces.http.history import AsOf, Version, document_history, read_document
from interfaces.http.problems import ERROR_RESPONSES, Forbidden, status_of
from interfaces.http.responses import OptionalBody, accepted, created, with_reason
from interfaces.http.routes.affair_schemas import (
    ActionIn,
    AffairDiffView,
    AffairOpen,
    AffairView,
    AlertClosing,
    BaselineChangeView,
    BaselineView,
    BudgetLine,
    BulkActionIn,
    BulkReassign,
    CostIn,
    HourlyRateIn,
    OpportunityPatch,
    ProgressIn,
    Reasoned,
    Reassignment,
    Reopening,
    RevenueIn,
    SecondCurrency,
    StageMove,
    TimeEntryIn,
    ZoneRate,
)
from interfaces.http.routes.quote_schemas import FieldChangeView
from interfaces.http.schemas import Accepted, HistoryItem
from interfaces.http.security import (
    BILLING,
    MANAGERS,
    READERS,
    SELLERS,
    authenticated,
    command,
    reader,
)

router = APIRouter(prefix="/affairs", tags=["affairs"], responses=ERROR_RESPONSES)

# Costs, revenue and currencies come from purchase and sales documents: accountants too.
PROJECT = SELLERS | BILLING

Seller = Annotated[CommandContext, command(SELLERS)]
Manager = Annotated[CommandContext, command(MANAGERS)]
ProjectStaff = Annotated[CommandContext, command(PROJECT)]
Costing = Annotated[CommandContext, command(BILLING)]
Reader = reader(READERS)

BASE = "/affairs"
DocumentRef = Annotated[str, Path(min_length=1, max_length=200)]
ZoneName = Annotated[str, Path(min_length=1, max_length=200)]


# The bulk answer's models stay here: their OpenAPI names are qualified by this module,
# as the quotes' bulk answer has models of the same names.
class BulkItemView(BaseModel):
    affair_id: UUID
    ok: bool
    version: int | None = None
    position: int | None = None
    result: dict[str, str] = {}
    status: int | None = None
    error: str | None = None
    detail: str | None = None

    @classmethod
    def of(cls, item: BulkItemOutcome) -> BulkItemView:
        if item.error is None:
            return cls(
                affair_id=item.affair_id,
                ok=True,
                version=item.version,
                position=item.position,
                result=item.result,
            )
        return cls(
            affair_id=item.affair_id,
            ok=False,
            status=status_of(item.error),
            error=item.error.code,
            detail=str(item.error),
        )


class BulkResult(BaseModel):
    """Per-affair outcomes: each one recorded whole or refused whole (a 207-style body)."""

    succeeded: int
    failed: int
    position: int | None
    items: list[BulkItemView]


# --- A1, A2 -----------------------------------------------------------------------------


@router.post("", status_code=status.HTTP_201_CREATED, summary="Open an affair (A1)")
def open_affair(
    body: AffairOpen, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.affairs.open(
        with_reason(ctx, body),
        name=body.name,
        customer_id=body.customer_id,
        prospect=body.prospect,
        salesperson=body.salesperson or ctx.actor,
        currency=body.currency,
        expected_amount=body.expected_amount,
        expected_close=body.expected_close,
        zone=body.zone,
        country=body.country,
        sale_type=body.sale_type,
        risk=body.risk,
        competitors=body.competitors,
        start=body.start,
        end=body.end,
        alert_policy=body.alert_policy,
        stages=None if body.stages is None else [s.value_object() for s in body.stages],
    )
    return created(outcome, response, BASE)


@router.patch("/{affair_id}", summary="Update opportunity fields (A1)")
def update_opportunity(
    affair_id: UUID, body: OpportunityPatch, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.affairs.update_opportunity(
        with_reason(ctx, body), affair_id, body.changes()
    )
    return accepted(outcome, response, BASE)


@router.post("/{affair_id}/stage", summary="Move the affair to a stage of its ladder (A2)")
def move_to_stage(
    affair_id: UUID, body: StageMove, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.affairs.move_to_stage(with_reason(ctx, body), affair_id, body.stage)
    return accepted(outcome, response, BASE)


@router.post("/{affair_id}/lose", summary="Mark the affair lost, with a reason (A2)")
def lose_affair(
    affair_id: UUID, body: Reasoned, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    return accepted(services.app.affairs.lose(with_reason(ctx, body), affair_id), response, BASE)


@router.post("/{affair_id}/reopen", summary="Reopen a lost affair, with a reason (A2)")
def reopen_affair(
    affair_id: UUID, body: Reopening, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.affairs.reopen(with_reason(ctx, body), affair_id, body.stage)
    return accepted(outcome, response, BASE)


@router.post("/{affair_id}/reassign", summary="Hand the affair to another salesperson (A3)")
def reassign_affair(
    affair_id: UUID, body: Reassignment, ctx: Manager, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.affairs.reassign(with_reason(ctx, body), affair_id, body.salesperson)
    return accepted(outcome, response, BASE)


# --- A4 ---------------------------------------------------------------------------------


@router.put("/{affair_id}/budget/{category}", summary="Set a budget line (A4)")
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
) -> Accepted:
    outcome = services.app.affairs.baseline(with_reason(ctx, body), affair_id)
    response.headers["Location"] = (
        f"{BASE}/{affair_id}/budget/baselines/{outcome.result['baseline']}"
    )
    return accepted(outcome, response, BASE)


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
) -> Accepted:
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
    return accepted(outcome, response, BASE)


@router.post(
    "/{affair_id}/costs",
    status_code=status.HTTP_201_CREATED,
    summary="Record a received or committed cost from a document (A5, A6)",
)
def record_cost(
    affair_id: UUID, body: CostIn, ctx: ProjectStaff, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.affairs.record_cost(
        with_reason(ctx, body),
        affair_id,
        category=body.category,
        amount=body.amount,
        document_ref=body.document_ref,
        document_date=body.document_date,
        committed=body.committed,
    )
    return accepted(outcome, response, BASE)


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
) -> Accepted:
    outcome = services.app.affairs.receive_committed(
        with_reason(ctx, body), affair_id, document_ref
    )
    return accepted(outcome, response, BASE)


@router.post(
    "/{affair_id}/revenue",
    status_code=status.HTTP_201_CREATED,
    summary="Record revenue ordered or invoiced from a document (A5)",
)
def record_revenue(
    affair_id: UUID, body: RevenueIn, ctx: ProjectStaff, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.affairs.record_revenue(
        with_reason(ctx, body),
        affair_id,
        kind=body.kind,
        amount=body.amount,
        document_ref=body.document_ref,
        document_date=body.document_date,
    )
    return accepted(outcome, response, BASE)


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


# --- A7, A8 -----------------------------------------------------------------------------


@router.post("/{affair_id}/progress", summary="Report progress, 0–100 percent (A7)")
def report_progress(
    affair_id: UUID, body: ProgressIn, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.affairs.report_progress(with_reason(ctx, body), affair_id, body.percent)
    return accepted(outcome, response, BASE)


@router.post(
    "/{affair_id}/actions",
    status_code=status.HTTP_201_CREATED,
    summary="Record a task, appointment, note or e-mail (A8)",
)
def record_action(
    affair_id: UUID, body: ActionIn, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.affairs.record_action(
        with_reason(ctx, body),
        affair_id,
        kind=body.kind,
        subject=body.subject,
        assignee=body.assignee,
        due=body.due,
        body=body.body,
    )
    return accepted(outcome, response, BASE)


@router.post("/{affair_id}/actions/{action_id}/complete", summary="Mark an action done (A8)")
def complete_action(
    affair_id: UUID,
    action_id: UUID,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> Accepted:
    outcome = services.app.affairs.complete_action(with_reason(ctx, body), affair_id, action_id)
    return accepted(outcome, response, BASE)


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


# --- bulk actions (A8) -----------------------------------------------------------------


@router.post(
    "/bulk-actions",
    summary="Apply one action to many affairs, each recorded or refused whole (A8)",
)
def bulk_action(
    body: BulkActionIn,
    ctx: Seller,
    principal: Annotated[Principal, Depends(authenticated)],
    services: ServicesDep,
) -> BulkResult:
    if isinstance(body.action, BulkReassign) and not principal.has_any(MANAGERS):
        raise Forbidden("reassigning affairs needs the manager role")
    items = services.app.affairs.bulk_action(
        with_reason(ctx, body), body.affair_ids, body.action.item()
    )
    views = [BulkItemView.of(item) for item in items]
    positions = [v.position for v in views if v.position is not None]
    return BulkResult(
        succeeded=sum(v.ok for v in views),
        failed=sum(not v.ok for v in views),
        position=max(positions, default=None),
        items=views,
    )


# --- reads ------------------------------------------------------------------------------


@router.get(
    "/{affair_id}",
    summary="The affair with its budget versus actual: now, at a version or as of a time",
    dependencies=[Reader],
)
def get_affair(
    affair_id: UUID,
    services: ServicesDep,
    response: Response,
    version: Version = None,
    as_of: AsOf = None,
) -> AffairView:
    commands = services.app.affairs
    affair = read_document(services.app, Affair, affair_id, version, as_of, commands.get, response)
    return AffairView.of(affair, commands.weighted_amount(affair).amount)


@router.get(
    "/{affair_id}/history",
    summary="Every event of the affair with who, when and why",
    dependencies=[Reader],
)
def affair_history(affair_id: UUID, services: ServicesDep) -> list[HistoryItem]:
    return document_history(services.app, affair_id, "Affair")


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


# The affair's own fields a version diff compares (A1, A2, A3, A7); budget lines and
# baselines (A4) are compared on their own.
AFFAIR_FIELDS: tuple[str, ...] = (
    "name",
    "status",
    "stage",
    "probability",
    "lost_reason",
    "customer_id",
    "prospect",
    "salesperson",
    "currency",
    "expected_amount",
    "expected_close",
    "zone",
    "country",
    "sale_type",
    "risk",
    "competitors",
    "start",
    "end",
    "alert_policy",
    "progress",
)


def _changes(pairs: list[tuple[str, Any, Any]]) -> list[FieldChangeView]:
    return [FieldChangeView.of(FieldChange(n, b, a)) for n, b, a in pairs if b != a]


@router.get(
    "/{affair_id}/diff",
    summary="Opportunity fields, budget lines and baselines between two versions (A4, H2)",
    dependencies=[Reader],
)
def affair_diff(
    affair_id: UUID,
    services: ServicesDep,
    from_: Annotated[int, Query(alias="from", ge=1, le=2**31)],
    to: Annotated[int, Query(ge=1, le=2**31)],
) -> AffairDiffView:
    commands = services.app.affairs
    before, after = commands.get(affair_id, from_), commands.get(affair_id, to)
    fields = [(n, getattr(before, n), getattr(after, n)) for n in AFFAIR_FIELDS]
    budget = [(str(c), before.budget.get(c), after.budget.get(c)) for c in BudgetCategory]
    baselines = [
        BaselineChangeView(number=b.number, kind=kind, baseline=BaselineView.of(b))
        for kind, mine, other in (
            ("added", after.baselines, before.baselines),
            ("removed", before.baselines, after.baselines),
        )
        for number, b in mine.items()
        if number not in other
    ]
    return AffairDiffView(
        from_=from_,
        to=to,
        fields=_changes(fields),
        budget=_changes(budget),
        baselines=sorted(baselines, key=lambda c: c.number),
    )
