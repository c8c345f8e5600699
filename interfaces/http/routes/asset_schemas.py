"""Request and response bodies of the asset routes (S1–S5)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field, model_validator

from application.assets import WarrantyState
from domain.asset import Asset, ServiceCase, ServiceCaseStatus
from domain.warranty import MAX_MONTHS, WarrantyKind, last_day_of
from interfaces.http.routes.invoice_schemas import PaymentTermsIn
from interfaces.http.routes.params import Day
from interfaces.http.schemas import (
    Body,
    MoneyOut,
    NumberOut,
    Percent,
    Quantity,
    ShortText,
    Text,
    UnitPrice,
)

MAX_KEYS = 200
Key = Annotated[str, Field(min_length=1, max_length=100)]
Value = Annotated[str, Field(max_length=500)]
Reason = Annotated[str, Field(min_length=1, max_length=2000)]


class AssetRegistration(Body):
    """An asset installed at a customer's site (S1), serialized or not."""

    customer_id: UUID
    product_ref: ShortText = Field(examples=["CR-200"])
    description: Text = ""
    serial_number: ShortText | None = Field(default=None, examples=["SN-0042"])
    site: ShortText = Field(examples=["Shop, 3 rue des Lilas"])
    configuration: dict[Key, Value] = Field(default_factory=dict, max_length=MAX_KEYS)


class ConfigurationChangeIn(Body):
    """Keys to set, or with null remove (S1); a reason is required."""

    changes: dict[Key, Value | None] = Field(min_length=1, max_length=MAX_KEYS)
    reason: Reason


class WarrantyIn(Body):
    """A warranty from its first day to its last day, both included, or for a number of
    months (S2): 24 months from 2026-01-15 cover up to 2028-01-14 included."""

    start: Day
    end: Day | None = Field(default=None, description="The last day covered, included")
    months: int | None = Field(default=None, ge=1, le=MAX_MONTHS, examples=[24])

    @model_validator(mode="after")
    def end_or_months(self) -> WarrantyIn:
        if (self.end is None) == (self.months is None):
            raise ValueError("give the warranty's last day (`end`) or its length (`months`)")
        return self

    def last_day(self) -> date:
        """The last day covered, included."""
        return self.end if self.end is not None else last_day_of(self.start, self.months or 0)


class ServiceCaseIn(Body):
    """What the customer reports (S3)."""

    problem: Text = Field(examples=["The drawer no longer opens"])


class DiagnosisIn(Body):
    diagnosis: Text


class AdvanceIn(Body):
    """The next step of the case: diagnosis → repair → returned."""

    to: ServiceCaseStatus


class ChecklistPointIn(Body):
    """A point to validate before the asset goes back (S4)."""

    point_id: Key
    label: ShortText


class LabourIn(Body):
    """Hours spent on the case at an hourly rate excl. tax (S3); billable unless the case
    is under warranty when `billable` is omitted."""

    description: ShortText = Field(examples=["Replacement of the drawer motor"])
    hours: Quantity = Field(examples=["1.5"])
    hourly_rate: UnitPrice = Field(examples=["60.00"])
    billable: bool | None = None


class PartIn(Body):
    """A part fitted on the case at a unit price excl. tax (S3); billable unless the case
    is under warranty when `billable` is omitted."""

    description: ShortText = Field(examples=["Drawer motor"])
    quantity: Quantity = Field(examples=["1"])
    unit_price: UnitPrice = Field(examples=["85.00"])
    billable: bool | None = None
    product_ref: ShortText | None = Field(default=None, examples=["MOT-12"])


class ServiceInvoiceIn(Body):
    """The case's invoice: its date (today when omitted), VAT rate and payment terms."""

    issue_date: Day | None = Field(default=None, description="The invoice's date; today if omitted")
    vat_rate: Percent = Field(default=Decimal(20), description="0: zero-rated (Z)")
    payment_terms: PaymentTermsIn | None = Field(
        default=None, description="The invoice's payment terms; on receipt if omitted"
    )


class ServiceLabourView(BaseModel):
    description: str
    hours: NumberOut
    hourly_rate: NumberOut
    billable: bool


class ServicePartView(BaseModel):
    description: str
    quantity: NumberOut
    unit_price: MoneyOut
    billable: bool
    product_ref: str | None


class ConfigurationChangeView(BaseModel):
    key: str
    before: str | None
    after: str | None


class ConfigurationRevisionView(BaseModel):
    number: int
    at: datetime
    reason: str
    changes: list[ConfigurationChangeView]


class WarrantyView(BaseModel):
    """A warranty with its status and the days it has left, as of today."""

    kind: WarrantyKind
    start: date
    end: date
    end_included: bool = Field(default=True, description="The last day is covered")
    status: str
    days_remaining: int

    @classmethod
    def of(cls, state: WarrantyState) -> WarrantyView:
        return cls(
            kind=state.kind,
            start=state.start,
            end=state.end,
            status=str(state.status),
            days_remaining=state.days_remaining,
        )


class ChecklistPointView(BaseModel):
    point_id: str
    label: str
    checked: bool
    checked_by: str | None
    checked_at: datetime | None


class ServiceCaseView(BaseModel):
    case_id: UUID
    problem: str
    opened_at: datetime
    under_warranty: bool
    warranty_kind: WarrantyKind | None
    status: str
    diagnosis: str | None
    checklist: list[ChecklistPointView]
    checklist_complete: bool
    returned_at: datetime | None
    labour: list[ServiceLabourView] = []
    parts: list[ServicePartView] = []
    invoice_id: UUID | None = None
    invoice_number: str | None = None

    @classmethod
    def of(cls, case: ServiceCase) -> ServiceCaseView:
        return cls(
            case_id=case.case_id,
            problem=case.problem,
            opened_at=case.opened_at,
            under_warranty=case.under_warranty,
            warranty_kind=case.warranty_kind,
            status=str(case.status),
            diagnosis=case.diagnosis,
            checklist=[
                ChecklistPointView(
                    point_id=p.point_id,
                    label=p.label,
                    checked=p.checked,
                    checked_by=p.checked_by,
                    checked_at=p.checked_at,
                )
                for p in case.checklist
            ],
            checklist_complete=case.checklist_complete,
            returned_at=case.returned_at,
            labour=[ServiceLabourView(**vars(item)) for item in case.labour],
            parts=[ServicePartView(**vars(item)) for item in case.parts],
            invoice_id=case.invoice_id,
            invoice_number=case.invoice_number,
        )


class AssetView(BaseModel):
    """An asset as it stands (or stood, at a given version), warranties as of today."""

    id: UUID
    version: int
    customer_id: UUID
    product_ref: str
    description: str
    serial_number: str | None
    site: str
    configuration: dict[str, str]
    initial_configuration: dict[str, str]
    configuration_history: list[ConfigurationRevisionView]
    as_of: date
    warranties: list[WarrantyView]
    contract_id: UUID | None
    service_cases: list[ServiceCaseView]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, asset: Asset, warranties: list[WarrantyState], today: date) -> AssetView:
        return cls(
            id=asset.id,
            version=asset.version,
            customer_id=asset.customer_id,
            product_ref=asset.product_ref,
            description=asset.description,
            serial_number=asset.serial_number,
            site=asset.site,
            configuration=dict(asset.configuration),
            initial_configuration=dict(asset.initial_configuration),
            configuration_history=[
                ConfigurationRevisionView(
                    number=r.number,
                    at=r.at,
                    reason=r.reason,
                    changes=[
                        ConfigurationChangeView(key=c.key, before=c.before, after=c.after)
                        for c in r.changes
                    ],
                )
                for r in asset.configuration_history
            ],
            as_of=today,
            warranties=[WarrantyView.of(w) for w in warranties],
            contract_id=asset.contract_id,
            service_cases=[
                ServiceCaseView.of(c)
                for c in sorted(asset.service_cases.values(), key=lambda c: c.opened_at)
            ],
            created_at=asset.created_on,
            updated_at=asset.modified_on,
        )
