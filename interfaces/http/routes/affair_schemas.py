"""Request and response bodies of the affair routes (A1–A9)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field, model_validator

from application.affairs import BulkAction, ReassignItem, RecordActionItem
from domain.affair import ActionKind, Affair, AlertPolicy, SaleType
from domain.budget import Baseline, BudgetCategory, RevenueKind
from domain.stages import Risk, Stage
from interfaces.http.routes.quote_schemas import FieldChangeView
from interfaces.http.schemas import Amount, Body, Percent, ShortText, Text

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


class LabourView(BaseModel):
    """An employee's time on the affair."""

    employee: str
    entries: int
    hours: Decimal
    billable_hours: Decimal
    non_billable_hours: Decimal
    cost: Decimal


class ActualsView(BaseModel):
    """How many entries make the actuals, and the hours logged (A5).

    Each entry is a row of `GET /views/affair-entries?affair_id=…`."""

    time_entries: int
    costs: int = Field(description="Received costs, a committed one once it is received")
    committed_costs: int = Field(description="Committed costs not yet received")
    revenue_entries: int
    hours: Decimal
    billable_hours: Decimal
    non_billable_hours: Decimal
    labour: list[LabourView] = Field(description="Per employee, by name")

    @classmethod
    def of(cls, affair: Affair) -> ActualsView:
        return cls(
            time_entries=affair.time_entry_count,
            costs=affair.cost_count,
            committed_costs=len(affair.committed_costs),
            revenue_entries=affair.revenue_entry_count,
            hours=_hours(affair.hours),
            billable_hours=_hours(affair.billable_hours),
            non_billable_hours=_hours(affair.non_billable_hours),
            labour=[
                LabourView(
                    employee=employee,
                    entries=s.entries,
                    hours=_hours(s.hours),
                    billable_hours=_hours(s.billable_hours),
                    non_billable_hours=_hours(s.non_billable_hours),
                    cost=s.cost,
                )
                for employee, s in sorted(affair.labour.items())
            ],
        )


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
    actuals: ActualsView
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
            actuals=ActualsView.of(affair),
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


def _hours(value: Decimal) -> Decimal:
    """Hours without trailing zeros, never in exponent form: 3.0 → 3, 1E+1 → 10."""
    return Decimal(format(value.normalize(), "f"))


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
