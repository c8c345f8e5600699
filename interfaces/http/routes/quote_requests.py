"""Request bodies of the quote routes (Q1–Q11); the responses are in `quote_schemas`."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, model_validator

from domain.values import DiscountMode
from interfaces.http.routes.params import Day
from interfaces.http.routes.quote_schemas import (
    DiscountIn,
)
from interfaces.http.schemas import (
    Body,
    Percent,
    Quantity,
    ShortText,
    Text,
    UnitPrice,
)

BULK_LIMIT = 500
LineId = Annotated[str, Field(min_length=1, max_length=20)]


class QuoteDraft(Body):
    """A new quote for a known customer or a named prospect (Q1)."""

    currency: str = Field(min_length=3, max_length=3, examples=["EUR"])
    customer_id: UUID | None = None
    prospect: ShortText | None = Field(default=None, examples=["Boulangerie Martin"])
    valid_until: Day | None = Field(default=None, examples=["2026-12-31"])
    salesperson: ShortText | None = None
    title: ShortText = ""


class LineIn(Body):
    """A quote line (Q2): free text or a product reference, with price and VAT."""

    description: Text = Field(examples=["Installation of the cash register"])
    quantity: Quantity = Field(examples=["3"])
    unit_price: UnitPrice = Field(examples=["19.99"])
    vat_rate: Percent = Field(examples=["20"])
    unit: ShortText = "unit"
    product_ref: ShortText | None = None
    discount: DiscountIn | None = None
    unit_cost: UnitPrice | None = None


class LinePatch(Body):
    """Fields of a line to change; the others stay as they are."""

    description: Text | None = None
    quantity: Quantity | None = None
    unit_price: UnitPrice | None = None
    vat_rate: Percent | None = None
    unit: ShortText | None = None
    product_ref: ShortText | None = None
    discount: DiscountIn | None = None
    unit_cost: UnitPrice | None = None

    @model_validator(mode="after")
    def _something_changes(self) -> LinePatch:
        if not self.changes():
            raise ValueError("name at least one field of the line to change")
        return self

    def changes(self) -> dict[str, object]:
        changed = self.model_dump(exclude_unset=True, exclude={"reason"})
        if "discount" in changed:
            changed["discount"] = None if self.discount is None else self.discount.value_object()
        return changed


class ApprovalIn(Body):
    """A manager's approval of the current revision; the reason is required (Q7)."""

    reason: Text = Field(min_length=1, examples=["strategic customer, margin agreed"])


class DiscountsIn(Body):
    """The document discounts, in percent, applied in cascade or summed (Q3)."""

    percents: list[Percent] = Field(max_length=10, examples=[["10", "5"]])
    mode: DiscountMode = DiscountMode.CASCADING


class ValidityIn(Body):
    """The new validity date of a draft; null removes it (Q5)."""

    valid_until: Day | None = Field(examples=["2026-12-31"])


class RevisionIn(Body):
    """Why a sent or expired quote is revised (Q6)."""

    reason: Text = Field(min_length=1, examples=["customer asked for 5 more units"])


class ReminderIn(Body):
    """A reminder sent to the customer about a sent or expired quote (Q11)."""

    channel: ShortText = Field(min_length=1, examples=["email"])
    note: Text = ""


class CopyIn(Body):
    """A new draft copied from this quote: all lines, or the chosen ones (Q10)."""

    line_ids: list[LineId] | None = Field(default=None, min_length=1, max_length=BULK_LIMIT)
    valid_until: Day | None = None


QuoteIds = Annotated[
    list[UUID],
    Field(min_length=1, max_length=BULK_LIMIT, json_schema_extra={"uniqueItems": True}),
]


class BulkIn(Body):
    """Quotes to act on, each once (at most 500)."""

    quote_ids: QuoteIds

    @model_validator(mode="after")
    def _each_once(self) -> BulkIn:
        if len(set(self.quote_ids)) != len(self.quote_ids):
            raise ValueError("name each quote once")
        return self


class BulkRemindersIn(BulkIn):
    """One reminder per quote, on the same channel with the same note (Q11)."""

    channel: ShortText = Field(min_length=1, examples=["email"])
    note: Text = ""


class BulkReminder(BulkRemindersIn):
    action: Literal["reminder"]


class BulkAttach(BulkIn):
    action: Literal["attach_to_affair"]
    affair_id: UUID


class BulkAbandon(BulkIn):
    action: Literal["abandon"]


BulkActionIn = Annotated[BulkReminder | BulkAttach | BulkAbandon, Field(discriminator="action")]
