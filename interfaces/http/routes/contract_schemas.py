"""Request and response bodies of the contract routes (C1–C5)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field

from application.contracts import AmendmentChange
from domain.contract import ContractKind, ContractLine
from domain.periods import Frequency
from interfaces.http.diffs import Change
from interfaces.http.results import BillResult
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

MAX_LINES = 200
MAX_PERIOD = 100_000
Reason = Annotated[str, Field(min_length=1, max_length=2000)]
# Contract dates stay within a plausible range so every period has a calendar date.


class ContractLineIn(BaseModel):
    """What is billed each period."""

    description: Text = Field(examples=["Maintenance of the cash registers"])
    quantity: Quantity = Field(examples=["2"])
    unit_price: UnitPrice = Field(examples=["49.99"])
    vat_rate: Percent = Field(examples=["20"])

    def value_object(self) -> ContractLine:
        return ContractLine(self.description, self.quantity, self.unit_price, self.vat_rate)


Lines = Annotated[list[ContractLineIn], Field(min_length=1, max_length=MAX_LINES)]


class ContractSign(Body):
    """A recurring contract (C1), a maintenance one covering assets (C2)."""

    customer_id: UUID
    currency: str = Field(min_length=3, max_length=3, examples=["EUR"])
    lines: Lines
    frequency: Frequency = Field(examples=["month"])
    start: Day = Field(examples=["2027-01-31"])
    end: Day | None = Field(default=None, description="The term's last day, inclusive")
    notice_days: int = Field(default=30, ge=0, le=3660)
    kind: ContractKind = ContractKind.SERVICE
    covered_asset_ids: list[UUID] = Field(default_factory=list, max_length=MAX_LINES)


class BillIn(Body):
    """The period to bill, from 0 (the one starting on the contract's start); its invoice
    is issued in the same command, dated `issue_date` (today when omitted)."""

    period_index: int = Field(ge=0, le=MAX_PERIOD)
    invoice_ref: ShortText | None = Field(
        default=None, description="Your own reference for the period, kept on its record"
    )
    issue_date: Day | None = Field(default=None, description="The invoice's date; today if omitted")
    payment_terms: PaymentTermsIn | None = Field(
        default=None, description="The invoice's payment terms; on receipt if omitted"
    )


class RenewalIn(Body):
    """A new term ending on `new_end` (inclusive)."""

    new_end: Day


class TerminationIn(Body):
    """`effective` is the first day the contract no longer runs; a reason is required."""

    effective: Day
    reason: Reason


class SuspensionIn(Body):
    """Why billing stops until the contract resumes."""

    reason: Reason


class ContractLineView(BaseModel):
    description: str
    quantity: NumberOut
    unit_price: MoneyOut
    vat_rate: NumberOut


class RenewalView(BaseModel):
    number: int
    previous_end: date
    new_end: date
    reason: str
    at: datetime


class SuspensionView(BaseModel):
    start: date
    end: date | None
    reason: str


class BilledPeriodView(BaseModel):
    period_index: int
    period_start: date
    period_end: date
    net: MoneyOut
    vat: MoneyOut
    gross: MoneyOut
    billed_at: datetime
    invoice_ref: str | None
    invoice_id: UUID | None = None
    invoice_number: str | None = None


class NextPeriodView(BaseModel):
    """The next period to bill, with what it will bill under the lines now recorded."""

    period_index: int
    period_start: date
    period_end: date
    due: bool
    net: MoneyOut
    vat: MoneyOut
    gross: MoneyOut


class AmendmentChangeView(BaseModel):
    """An amendment between two versions: the lines in force on its date before and after."""

    version: int
    number: int
    effective: date
    reason: str
    lines_before: list[ContractLineView]
    lines_after: list[ContractLineView]

    @classmethod
    def of(cls, change: AmendmentChange) -> AmendmentChangeView:
        return cls(
            version=change.version,
            number=change.number,
            effective=change.effective,
            reason=change.reason,
            lines_before=line_views(change.lines_before),
            lines_after=line_views(change.lines_after),
        )


class ContractDiff(BaseModel):
    from_version: int
    to_version: int
    amendments: list[AmendmentChangeView]
    changes: list[Change] = Field(
        default_factory=list, description="Every change, in the one diff format of all documents"
    )


class BilledNow(BaseModel):
    """One period billed by a bill-due run."""

    period_index: int
    version: int
    position: int | None
    result: BillResult


class BillDueResult(BaseModel):
    """What a bill-due run billed: one command per period, none when nothing was due.

    `position` is always one the client can wait on (`?min_position=`): the last
    period's, or when nothing was billed the log's position as the run found it."""

    id: UUID
    as_of: date
    billed: list[BilledNow]
    nothing_billed: bool = Field(description="True when no period was due and not billed")
    position: int
    links: dict[str, str]


def line_views(lines: list[ContractLine]) -> list[ContractLineView]:
    return [
        ContractLineView(
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            vat_rate=line.vat_rate,
        )
        for line in lines
    ]
