"""Request bodies of the affair routes (A1–A9); the answers are in `affair_views`."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field, model_validator

from application.affairs import BulkAction, ReassignItem, RecordActionItem
from domain.affair import ActionKind, AlertPolicy, SaleType
from domain.affair_invoicing import SalePrices
from domain.budget import RevenueKind
from domain.stages import Risk, Stage
from interfaces.http.routes.invoice_schemas import PaymentTermsIn
from interfaces.http.routes.params import Day
from interfaces.http.schemas import (
    STRICT,
    Amount,
    Body,
    ExchangeRate,
    Percent,
    ShortText,
    Text,
    UnitPrice,
    decimal_schema,
)

MAX_BULK = 500

Code = Annotated[str, Field(min_length=1, max_length=40)]
NonNegative = Amount
Rate = ExchangeRate
Hours = Annotated[
    Decimal,
    STRICT,
    Field(allow_inf_nan=False, gt=0, le=24, decimal_places=6),
    decimal_schema(
        Decimal(24),
        6,
        positive=True,
        pattern=r"^(?=[0-9.]*[1-9])0*(?:(?:1?[0-9]|2[0-3])(?:\.[0-9]{1,6}0*)?|24(?:\.0+)?)$",
    ),
]


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
    expected_close: Day | None = None
    zone: ShortText = ""
    country: ShortText = ""
    sale_type: SaleType
    risk: Risk = Risk.MEDIUM
    competitors: list[ShortText] = Field(default_factory=list, max_length=50)
    start: Day | None = None
    end: Day | None = None
    alert_policy: AlertPolicy = AlertPolicy.INFORMATIVE
    stages: list[StageIn] | None = Field(default=None, min_length=2, max_length=20)


class OpportunityPatch(Body):
    """Opportunity fields to change (A1); the others stay as they are."""

    name: ShortText | None = None
    customer_id: UUID | None = None
    prospect: ShortText | None = None
    expected_amount: NonNegative | None = None
    expected_close: Day | None = None
    zone: ShortText | None = None
    country: ShortText | None = None
    sale_type: SaleType | None = None
    risk: Risk | None = None
    competitors: list[ShortText] | None = Field(default=None, max_length=50)
    start: Day | None = None
    end: Day | None = None
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
    rate: UnitPrice
    valid_from: Day


class TimeEntryIn(Body):
    employee: ShortText
    day: Day
    hours: Hours
    hourly_rate: UnitPrice | None = Field(
        default=None,
        description="The rate in force if omitted; giving one needs accountant or manager",
    )
    billable: bool = True


class CostIn(Body):
    category: Literal["purchases", "subcontracting", "expenses"]
    amount: NonNegative
    document_ref: ShortText
    document_date: Day
    committed: bool = False


class RevenueIn(Body):
    kind: RevenueKind
    amount: NonNegative
    document_ref: ShortText
    document_date: Day


class EntriesInvoiceIn(Body):
    """Chosen billable time entries and costs to invoice (time and materials, A5).

    An entry's id is the `version` the `affair-entries` view lists for it. Entries carry
    costs, not sale prices: time is invoiced in hours at the sale rate stated here for
    its employee (required for each), a cost at its amount plus the markup percent
    stated for its category (none: at cost). A committed cost is invoiced through the
    entry of its receipt."""

    entry_ids: list[Annotated[int, Field(ge=1, le=2**31)]] = Field(
        min_length=1, max_length=1000, examples=[[3, 4, 7]]
    )
    hourly_rates: dict[ShortText, UnitPrice] = Field(
        default_factory=dict, max_length=500, examples=[{"Alice Martin": "95.00"}]
    )
    markups: dict[Literal["purchases", "subcontracting", "expenses"], Percent] = Field(
        default_factory=dict, examples=[{"purchases": "10"}]
    )
    vat_rate: Percent = Field(default=Decimal(20), description="0: zero-rated (Z)")
    issue_date: Day | None = Field(default=None, description="The invoice's date; today if omitted")
    payment_terms: PaymentTermsIn | None = Field(
        default=None, description="The invoice's payment terms; on receipt if omitted"
    )

    def prices(self) -> SalePrices:
        markups = {str(category): markup for category, markup in self.markups.items()}
        return SalePrices(dict(self.hourly_rates), markups, self.vat_rate)


class AlertClosing(Body):
    note: Text = ""


class ProgressIn(Body):
    percent: Percent


class ActionIn(Body):
    kind: ActionKind
    subject: ShortText
    assignee: ShortText
    due: Day | None = None
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
    due: Day | None = None
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
