"""Affair commands and reads (A1–A9): stages, budget, actuals, alerts, actions, currencies."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Response, status
from fastapi import Body as BodyParam
from pydantic import BaseModel, Field, model_validator

from application.access import Principal
from application.affairs import BulkAction, BulkItemOutcome, ReassignItem, RecordActionItem
from application.commands import CommandResult
from application.journal import CommandContext
from domain.affair import ActionKind, Affair, AlertPolicy, SaleType
from domain.budget import Baseline, BudgetCategory, RevenueKind
from domain.errors import NotFound
from domain.quote_lines import FieldChange
from domain.stages import Risk, Stage
from interfaces.http.deps import ServicesDep
from interfaces.http.history import AsOf, document_at, history_items
from interfaces.http.problems import ERROR_RESPONSES, Forbidden, status_of
from interfaces.http.routes.quote_schemas import FieldChangeView
from interfaces.http.schemas import Accepted, Amount, Body, HistoryItem, Percent, ShortText, Text
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
MAX_BULK = 500

Code = Annotated[str, Field(min_length=1, max_length=40)]
NonNegative = Annotated[Amount, Field(ge=0)]
Rate = Annotated[Decimal, Field(allow_inf_nan=False, gt=0, max_digits=20, decimal_places=10)]
Hours = Annotated[Decimal, Field(allow_inf_nan=False, gt=0, le=24, max_digits=6)]


class StageIn(BaseModel):
    """One rung of a custom stage ladder (A2); the last rung is the won stage."""

    code: Code
    name: ShortText
    probability: int = Field(ge=0, le=100)

    def value_object(self) -> Stage:
        return Stage(self.code, self.name, self.probability)


class AffairOpen(Body):
    """A new affair for a known customer or a named prospect (A1)."""

    name: ShortText = Field(examples=["Pumping station"])
    customer_id: UUID | None = None
    prospect: ShortText | None = None
    salesperson: ShortText | None = Field(default=None, description="The caller when omitted")
    currency: str = Field(min_length=3, max_length=3, examples=["EUR"])
    expected_amount: NonNegative = Field(examples=["12000"])
    expected_close: date | None = None
    zone: ShortText = ""
    country: ShortText = ""
    sale_type: SaleType
    risk: Risk = Risk.MEDIUM
    competitors: list[ShortText] = Field(default_factory=list, max_length=50)
    start: date | None = None
    end: date | None = None
    alert_policy: AlertPolicy = AlertPolicy.INFORMATIVE
    stages: list[StageIn] | None = Field(default=None, min_length=2, max_length=20)


class OpportunityPatch(Body):
    """Opportunity fields to change (A1); the others stay as they are."""

    name: ShortText | None = None
    customer_id: UUID | None = None
    prospect: ShortText | None = None
    expected_amount: NonNegative | None = None
    expected_close: date | None = None
    zone: ShortText | None = None
    country: ShortText | None = None
    sale_type: SaleType | None = None
    risk: Risk | None = None
    competitors: list[ShortText] | None = Field(default=None, max_length=50)
    start: date | None = None
    end: date | None = None
    alert_policy: AlertPolicy | None = None

    @model_validator(mode="after")
    def _something_changes(self) -> OpportunityPatch:
        if not self.changes():
            raise ValueError("name at least one opportunity field to change")
        return self

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, exclude={"reason"})


class StageMove(Body):
    stage: Code = Field(examples=["E"])


class Reasoned(Body):
    """A command that must say why (lost, reopened, reassigned, baselined)."""

    reason: Text = Field(min_length=1, description="Why, recorded in the journal and the event")


class Reopening(Reasoned):
    stage: Code | None = Field(default=None, description="The stage it was lost from if omitted")


class Reassignment(Reasoned):
    salesperson: ShortText


class BudgetLine(Body):
    amount: NonNegative


class HourlyRateIn(Body):
    employee: ShortText
    rate: NonNegative
    valid_from: date


class TimeEntryIn(Body):
    employee: ShortText
    day: date
    hours: Hours
    hourly_rate: NonNegative | None = Field(
        default=None,
        description="The rate in force if omitted; giving one needs accountant or manager",
    )
    billable: bool = True


class CostIn(Body):
    category: Literal["purchases", "subcontracting", "expenses"]
    amount: NonNegative
    document_ref: ShortText
    document_date: date
    committed: bool = False


class RevenueIn(Body):
    kind: RevenueKind
    amount: NonNegative
    document_ref: ShortText
    document_date: date


class AlertClosing(Body):
    note: Text = ""


class ProgressIn(Body):
    percent: Percent


class ActionIn(Body):
    kind: ActionKind
    subject: ShortText
    assignee: ShortText
    due: date | None = None
    body: Text = ""


class SecondCurrency(Body):
    currency: str = Field(min_length=3, max_length=3, examples=["USD"])
    rate: Rate = Field(description="Units of the second currency per unit of the affair's")


class ZoneRate(Body):
    rate: Rate


class BulkRecordAction(BaseModel):
    type: Literal["record_action"]
    kind: ActionKind
    subject: ShortText
    assignee: ShortText
    due: date | None = None
    body: Text = ""

    def item(self) -> BulkAction:
        return RecordActionItem(self.kind, self.subject, self.assignee, self.due, self.body)


class BulkReassign(BaseModel):
    type: Literal["reassign"]
    salesperson: ShortText

    def item(self) -> BulkAction:
        return ReassignItem(self.salesperson)


class BulkActionIn(Body):
    """The same action on many affairs (A8); reassigning needs a manager and a reason."""

    affair_ids: list[UUID] = Field(min_length=1, max_length=MAX_BULK)
    action: Annotated[BulkRecordAction | BulkReassign, Field(discriminator="type")]


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


# --- views ----------------------------------------------------------------------------


class BudgetRowView(BaseModel):
    category: BudgetCategory
    budget: Decimal
    actual: Decimal
    committed: Decimal
    variance: Decimal
    forecast: Decimal


class BudgetView(BaseModel):
    """Budget versus actual (A7); see `domain.budget` for every definition."""

    progress: Decimal
    rows: list[BudgetRowView]
    forecast_cost: Decimal
    forecast_revenue: Decimal
    forecast_margin: Decimal


class BaselineView(BaseModel):
    number: int
    at: datetime
    reason: str
    amounts: dict[str, Decimal]

    @classmethod
    def of(cls, baseline: Baseline) -> BaselineView:
        return cls(
            number=baseline.number,
            at=baseline.at,
            reason=baseline.reason,
            amounts=baseline.amounts,
        )


class StageEntryView(BaseModel):
    code: str
    entered_at: datetime


class AlertView(BaseModel):
    alert_id: UUID
    kind: str
    raised_at: datetime
    message: str
    document_ref: str
    closed_at: datetime | None
    note: str | None


class ActionView(BaseModel):
    action_id: UUID
    kind: str
    subject: str
    due: date | None
    assignee: str
    body: str
    recorded_at: datetime
    completed_at: datetime | None


class TimeEntryView(BaseModel):
    employee: str
    day: date
    hours: Decimal
    hourly_rate: Decimal
    cost: Decimal
    billable: bool


class CostView(BaseModel):
    category: str
    amount: Decimal
    document_ref: str
    document_date: date
    committed: bool


class CurrencyView(BaseModel):
    currency: str
    default_rate: Decimal
    zone_rates: dict[str, Decimal]
    rate_in_force: Decimal | None
    expected_amount: Decimal | None


class AffairView(BaseModel):
    """An affair as it stands (or stood, at a given version), with its budget report."""

    id: UUID
    version: int
    name: str
    status: str
    stage: str
    stages: list[StageIn]
    probability: int
    stage_history: list[StageEntryView]
    lost_reason: str | None
    customer_id: UUID | None
    prospect: str | None
    salesperson: str
    currency: str
    expected_amount: Decimal
    weighted_amount: Decimal
    expected_close: date | None
    zone: str
    country: str
    sale_type: str
    risk: str
    competitors: list[str]
    start: date | None
    end: date | None
    alert_policy: str
    progress: Decimal
    budget: BudgetView
    baselines: list[BaselineView]
    time_entries: list[TimeEntryView]
    costs: list[CostView]
    committed_costs: list[CostView]
    open_alerts: list[AlertView]
    alerts: list[AlertView]
    actions: list[ActionView]
    second_currency: CurrencyView | None
    opened_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, affair: Affair, weighted: Decimal) -> AffairView:
        report = affair.budget_report()
        return cls(
            id=affair.id,
            version=affair.version,
            name=affair.name,
            status=str(affair.status),
            stage=affair.stage,
            stages=[
                StageIn(code=s.code, name=s.name, probability=s.probability)
                for s in affair.ladder.stages
            ],
            probability=affair.probability,
            stage_history=[
                StageEntryView(code=e.code, entered_at=e.entered_at) for e in affair.stage_history
            ],
            lost_reason=affair.lost_reason,
            customer_id=affair.customer_id,
            prospect=affair.prospect,
            salesperson=affair.salesperson,
            currency=affair.currency,
            expected_amount=affair.expected_amount,
            weighted_amount=weighted,
            expected_close=affair.expected_close,
            zone=affair.zone,
            country=affair.country,
            sale_type=str(affair.sale_type),
            risk=str(affair.risk),
            competitors=list(affair.competitors),
            start=affair.start,
            end=affair.end,
            alert_policy=str(affair.alert_policy),
            progress=affair.progress,
            budget=BudgetView(
                progress=report.progress,
                rows=[BudgetRowView.model_validate(r, from_attributes=True) for r in report.rows],
                forecast_cost=report.forecast_cost,
                forecast_revenue=report.forecast_revenue,
                forecast_margin=report.forecast_margin,
            ),
            baselines=[BaselineView.of(b) for b in affair.baselines.values()],
            time_entries=[
                TimeEntryView.model_validate(t, from_attributes=True) for t in affair.time_entries
            ],
            costs=[_cost(c) for c in affair.costs],
            committed_costs=[_cost(c) for c in affair.committed_costs.values()],
            open_alerts=[_alert(a) for a in affair.open_alerts],
            alerts=[_alert(a) for a in affair.alerts.values()],
            actions=[
                ActionView(
                    action_id=a.action_id,
                    kind=str(a.kind),
                    subject=a.subject,
                    due=a.due,
                    assignee=a.assignee,
                    body=a.body,
                    recorded_at=a.recorded_at,
                    completed_at=a.completed_at,
                )
                for a in affair.actions.values()
            ],
            second_currency=_second_currency(affair),
            opened_at=affair.opened_at,
            updated_at=affair.modified_on,
        )


def _cost(entry: Any) -> CostView:
    return CostView(
        category=str(entry.category),
        amount=entry.amount,
        document_ref=entry.document_ref,
        document_date=entry.document_date,
        committed=entry.committed,
    )


def _alert(alert: Any) -> AlertView:
    return AlertView(
        alert_id=alert.alert_id,
        kind=str(alert.kind),
        raised_at=alert.raised_at,
        message=alert.message,
        document_ref=alert.document_ref,
        closed_at=alert.closed_at,
        note=alert.note,
    )


def _second_currency(affair: Affair) -> CurrencyView | None:
    if affair.second_currency is None or affair.second_rate is None:
        return None
    return CurrencyView(
        currency=affair.second_currency,
        default_rate=affair.second_rate,
        zone_rates=dict(affair.zone_rates),
        rate_in_force=affair.conversion_rate,
        expected_amount=affair.expected_amount_in(affair.second_currency).amount,
    )


def _accepted(outcome: CommandResult, response: Response) -> Accepted:
    response.headers["ETag"] = f'"{outcome.version}"'
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return Accepted.of(outcome, BASE)


def _why(ctx: CommandContext, body: Body | None) -> CommandContext:
    return replace(ctx, reason=None if body is None else body.reason)


OptionalBody = Annotated[Body | None, BodyParam()]
DocumentRef = Annotated[str, Path(min_length=1, max_length=200)]
ZoneName = Annotated[str, Path(min_length=1, max_length=200)]


# --- A1, A2 -----------------------------------------------------------------------------


@router.post("", status_code=status.HTTP_201_CREATED, summary="Open an affair (A1)")
def open_affair(
    body: AffairOpen, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.affairs.open(
        _why(ctx, body),
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
    response.headers["Location"] = f"{BASE}/{outcome.aggregate_id}"
    return _accepted(outcome, response)


@router.patch("/{affair_id}", summary="Update opportunity fields (A1)")
def update_opportunity(
    affair_id: UUID, body: OpportunityPatch, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.affairs.update_opportunity(_why(ctx, body), affair_id, body.changes())
    return _accepted(outcome, response)


@router.post("/{affair_id}/stage", summary="Move the affair to a stage of its ladder (A2)")
def move_to_stage(
    affair_id: UUID, body: StageMove, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.affairs.move_to_stage(_why(ctx, body), affair_id, body.stage)
    return _accepted(outcome, response)


@router.post("/{affair_id}/lose", summary="Mark the affair lost, with a reason (A2)")
def lose_affair(
    affair_id: UUID, body: Reasoned, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    return _accepted(services.app.affairs.lose(_why(ctx, body), affair_id), response)


@router.post("/{affair_id}/reopen", summary="Reopen a lost affair, with a reason (A2)")
def reopen_affair(
    affair_id: UUID, body: Reopening, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.affairs.reopen(_why(ctx, body), affair_id, body.stage)
    return _accepted(outcome, response)


@router.post("/{affair_id}/reassign", summary="Hand the affair to another salesperson (A3)")
def reassign_affair(
    affair_id: UUID, body: Reassignment, ctx: Manager, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.affairs.reassign(_why(ctx, body), affair_id, body.salesperson)
    return _accepted(outcome, response)


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
    outcome = services.app.affairs.set_budget(_why(ctx, body), affair_id, category, body.amount)
    return _accepted(outcome, response)


@router.post(
    "/{affair_id}/budget/baselines",
    status_code=status.HTTP_201_CREATED,
    summary="Freeze the current budget as the next baseline (A4)",
)
def baseline_budget(
    affair_id: UUID, body: Reasoned, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.affairs.baseline(_why(ctx, body), affair_id)
    response.headers["Location"] = (
        f"{BASE}/{affair_id}/budget/baselines/{outcome.result['baseline']}"
    )
    return _accepted(outcome, response)


# --- A5, A6 -----------------------------------------------------------------------------


@router.post("/{affair_id}/hourly-rates", summary="Set an employee's hourly rate (A5)")
def set_employee_rate(
    affair_id: UUID, body: HourlyRateIn, ctx: Costing, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.affairs.set_employee_rate(
        _why(ctx, body),
        affair_id,
        employee=body.employee,
        rate=body.rate,
        valid_from=body.valid_from,
    )
    return _accepted(outcome, response)


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
        _why(ctx, body),
        affair_id,
        employee=body.employee,
        day=body.day,
        hours=body.hours,
        hourly_rate=body.hourly_rate,
        billable=body.billable,
    )
    return _accepted(outcome, response)


@router.post(
    "/{affair_id}/costs",
    status_code=status.HTTP_201_CREATED,
    summary="Record a received or committed cost from a document (A5, A6)",
)
def record_cost(
    affair_id: UUID, body: CostIn, ctx: ProjectStaff, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.affairs.record_cost(
        _why(ctx, body),
        affair_id,
        category=body.category,
        amount=body.amount,
        document_ref=body.document_ref,
        document_date=body.document_date,
        committed=body.committed,
    )
    return _accepted(outcome, response)


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
    outcome = services.app.affairs.receive_committed(_why(ctx, body), affair_id, document_ref)
    return _accepted(outcome, response)


@router.post(
    "/{affair_id}/revenue",
    status_code=status.HTTP_201_CREATED,
    summary="Record revenue ordered or invoiced from a document (A5)",
)
def record_revenue(
    affair_id: UUID, body: RevenueIn, ctx: ProjectStaff, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.affairs.record_revenue(
        _why(ctx, body),
        affair_id,
        kind=body.kind,
        amount=body.amount,
        document_ref=body.document_ref,
        document_date=body.document_date,
    )
    return _accepted(outcome, response)


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
    outcome = services.app.affairs.close_alert(_why(ctx, body), affair_id, alert_id, note)
    return _accepted(outcome, response)


# --- A7, A8 -----------------------------------------------------------------------------


@router.post("/{affair_id}/progress", summary="Report progress, 0–100 percent (A7)")
def report_progress(
    affair_id: UUID, body: ProgressIn, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.affairs.report_progress(_why(ctx, body), affair_id, body.percent)
    return _accepted(outcome, response)


@router.post(
    "/{affair_id}/actions",
    status_code=status.HTTP_201_CREATED,
    summary="Record a task, appointment, note or e-mail (A8)",
)
def record_action(
    affair_id: UUID, body: ActionIn, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.affairs.record_action(
        _why(ctx, body),
        affair_id,
        kind=body.kind,
        subject=body.subject,
        assignee=body.assignee,
        due=body.due,
        body=body.body,
    )
    return _accepted(outcome, response)


@router.post("/{affair_id}/actions/{action_id}/complete", summary="Mark an action done (A8)")
def complete_action(
    affair_id: UUID,
    action_id: UUID,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> Accepted:
    outcome = services.app.affairs.complete_action(_why(ctx, body), affair_id, action_id)
    return _accepted(outcome, response)


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
        _why(ctx, body), affair_id, body.currency, body.rate
    )
    return _accepted(outcome, response)


@router.put("/{affair_id}/rates/{zone}", summary="Set the conversion rate of a zone (A9)")
def set_zone_rate(
    affair_id: UUID,
    zone: ZoneName,
    body: ZoneRate,
    ctx: ProjectStaff,
    services: ServicesDep,
    response: Response,
) -> Accepted:
    outcome = services.app.affairs.set_rate(_why(ctx, body), affair_id, zone, body.rate)
    return _accepted(outcome, response)


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
    items = services.app.affairs.bulk_action(_why(ctx, body), body.affair_ids, body.action.item())
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
    version: Annotated[int | None, Query(ge=1, le=2**31)] = None,
    as_of: AsOf = None,
) -> AffairView:
    commands = services.app.affairs
    affair = document_at(services.app, Affair, affair_id, version, as_of, commands.get)
    response.headers["ETag"] = f'"{affair.version}"'
    return AffairView.of(affair, commands.weighted_amount(affair).amount)


@router.get(
    "/{affair_id}/history",
    summary="Every event of the affair with who, when and why",
    dependencies=[Reader],
)
def affair_history(affair_id: UUID, services: ServicesDep) -> list[HistoryItem]:
    items = history_items(services.app, affair_id)
    if not items or not items[0].type.startswith("Affair."):
        raise NotFound(f"no affair with id {affair_id}")
    return items


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


class BaselineChangeView(BaseModel):
    """A baseline frozen (added) between the two versions, or not yet frozen (removed)."""

    number: int
    kind: Literal["added", "removed"]
    baseline: BaselineView


class AffairDiffView(BaseModel):
    """Changes from one version of an affair to another: the shape of a quote's diff, with
    budget lines (one field per category) and baselines in place of lines (A4, H2)."""

    basis: Literal["version"] = "version"
    from_: int = Field(serialization_alias="from")
    to: int
    fields: list[FieldChangeView]
    budget: list[FieldChangeView]
    baselines: list[BaselineChangeView]


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
