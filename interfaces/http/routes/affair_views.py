"""Response bodies of the affair routes (A1–A9): the affair with its budget versus actual,
baselines, alerts, actions and diffs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from domain.affair import Affair
from domain.budget import Baseline, BudgetCategory, RevenueKind
from interfaces.http.diffs import Change
from interfaces.http.routes.affair_schemas import StageIn
from interfaces.http.routes.quote_schemas import FieldChangeView
from interfaces.http.schemas import InCurrency, MoneyOut, NumberOut


class BudgetRowView(BaseModel):
    category: BudgetCategory
    budget: MoneyOut
    actual: MoneyOut
    committed: MoneyOut
    variance: MoneyOut
    forecast: MoneyOut


class BudgetView(BaseModel):
    """Budget versus actual (A7); see `domain.budget` for every definition."""

    progress: NumberOut
    rows: list[BudgetRowView]
    forecast_cost: MoneyOut
    forecast_revenue: MoneyOut
    forecast_margin: MoneyOut


class BaselineView(BaseModel):
    number: int
    at: datetime
    reason: str
    amounts: dict[str, MoneyOut]

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
    hours: NumberOut
    billable_hours: NumberOut
    non_billable_hours: NumberOut
    cost: MoneyOut


class ActualsView(BaseModel):
    """How many entries make the actuals, and the hours logged (A5).

    Each entry is a row of `GET /views/affair-entries?affair_id=…`."""

    time_entries: int
    costs: int = Field(description="Received costs, a committed one once it is received")
    committed_costs: int = Field(description="Committed costs not yet received")
    revenue_entries: int
    revenue_ordered: MoneyOut = Field(description="From the orders linked to the affair")
    revenue_invoiced: MoneyOut = Field(description="Invoices less credit notes")
    invoiced_entries: int = Field(description="Time entries and costs invoiced (issue 14)")
    hours: NumberOut
    billable_hours: NumberOut
    non_billable_hours: NumberOut
    labour: list[LabourView] = Field(description="Per employee, by name")

    @classmethod
    def of(cls, affair: Affair) -> ActualsView:
        return cls(
            time_entries=affair.time_entry_count,
            costs=affair.cost_count,
            committed_costs=len(affair.committed_costs),
            revenue_entries=affair.revenue_entry_count,
            revenue_ordered=affair.revenue[RevenueKind.ORDERED],
            revenue_invoiced=affair.revenue[RevenueKind.INVOICED],
            invoiced_entries=len(affair.invoiced_entries),
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
    amount: MoneyOut
    document_ref: str
    document_date: date
    committed: bool


class CurrencyView(BaseModel):
    currency: str
    default_rate: NumberOut
    zone_rates: dict[str, NumberOut]
    rate_in_force: NumberOut | None
    expected_amount: MoneyOut | None


class AffairView(InCurrency):
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
    expected_amount: MoneyOut
    weighted_amount: MoneyOut
    expected_close: date | None
    zone: str
    country: str
    sale_type: str
    risk: str
    competitors: list[str]
    start: date | None
    end: date | None
    alert_policy: str
    progress: NumberOut
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
    from_version: int = 0
    to_version: int = 0
    changes: list[Change] = Field(
        default_factory=list, description="Every change, in the one diff format of all documents"
    )
