"""Request bodies of the order routes (O1–O8, Q9); the answers are in `order_views`."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field, model_validator

from application.order_catalogue import ProductLineRequest
from application.order_documents import InvoiceTerms
from domain.order import (
    InvoicePolicy,
    OrderLine,
)
from domain.quote_lines import OVERRIDABLE
from domain.values import DiscountMode
from interfaces.http.routes.invoice_schemas import PaymentTermsIn
from interfaces.http.routes.params import Day
from interfaces.http.routes.quote_schemas import DiscountIn
from interfaces.http.schemas import (
    Body,
    Percent,
    PositiveAmount,
    PositivePercent,
    Quantity,
    ShortText,
    Text,
    UnitPrice,
)

LineId = Annotated[str, Field(min_length=1, max_length=40)]
DocumentId = Annotated[str, Field(min_length=1, max_length=40)]
Quantities = Annotated[dict[LineId, Quantity], Field(min_length=1, max_length=500)]


class OrderLineIn(BaseModel):
    """An order line; its id is `L<n>` by position when none is given.

    Typed by hand it needs a description, a unit price and a VAT rate. With `product` (a
    catalogue reference) the description, unit, price, VAT and cost come from the
    catalogue on the order's day for its customer (P4); any of them given here is taken
    instead and recorded on the line as given by hand. A kit adds its components' lines
    after its own (`<line id>.1`, `<line id>.2` …)."""

    model_config = {"extra": "forbid"}

    line_id: LineId | None = None
    product: ShortText | None = Field(
        default=None, min_length=1, examples=["CR-200"], description="A catalogue reference"
    )
    description: Text | None = Field(default=None, min_length=1, examples=["Cash register"])
    quantity: Quantity = Field(examples=["3"])
    unit_price: UnitPrice | None = Field(default=None, examples=["450.00"])
    vat_rate: Percent | None = Field(default=None, examples=["20"])
    unit: ShortText | None = Field(
        default=None, description="Default: the product's unit, or `unit` for a line by hand"
    )
    product_ref: ShortText | None = None
    discount: DiscountIn | None = None
    unit_cost: UnitPrice | None = None

    @model_validator(mode="after")
    def _by_hand_or_from_catalogue(self) -> OrderLineIn:
        if self.product is not None:
            if self.product_ref is not None:
                raise ValueError("a line from the catalogue takes its product_ref from it")
        elif self.description is None or self.unit_price is None or self.vat_rate is None:
            raise ValueError("a line without a product needs description, unit_price, vat_rate")
        return self

    def value_object(self, default_id: str) -> OrderLine | ProductLineRequest:
        line_id = self.line_id or default_id
        discount = None if self.discount is None else self.discount.value_object()
        if self.product is not None:
            overrides = self.model_dump(exclude_unset=True, include=set(BY_HAND))
            if "discount" in overrides:
                overrides["discount"] = discount
            return ProductLineRequest(line_id, self.product, self.quantity, self.unit, overrides)
        assert self.description is not None
        assert self.unit_price is not None
        assert self.vat_rate is not None
        return OrderLine(
            line_id=line_id,
            description=self.description,
            quantity=self.quantity,
            unit_price=self.unit_price,
            vat_rate=self.vat_rate,
            unit=self.unit or "unit",
            product_ref=self.product_ref,
            discount=discount,
            unit_cost=self.unit_cost,
        )


# What a line from the catalogue may be given by hand (its unit is asked for, not overridden)
BY_HAND = tuple(name for name in OVERRIDABLE if name != "unit")


class OrderIn(Body):
    """An order entered directly for a known customer (O1)."""

    customer_id: UUID
    currency: str = Field(min_length=3, max_length=3, examples=["EUR"])
    lines: list[OrderLineIn] = Field(min_length=1, max_length=500)
    affair_id: UUID | None = None
    invoice_policy: InvoicePolicy = InvoicePolicy.ORDERED
    discounts: list[Percent] = Field(default=[], max_length=10)
    discount_mode: DiscountMode = DiscountMode.CASCADING


class ConvertIn(Body):
    """Convert an accepted quote (Q9): all lines or some; a prospect's quote names its customer."""

    line_ids: list[LineId] | None = Field(default=None, min_length=1, max_length=500)
    customer_id: UUID | None = None


class OverrideIn(BaseModel):
    """A manager's decision to confirm over the credit limit, and why."""

    model_config = {"extra": "forbid"}

    reason: Text = Field(min_length=1, examples=["long-standing customer, paid on time"])


class ConfirmIn(Body):
    """Confirm the order (O2); `override` (managers only) passes a refused credit check."""

    override: OverrideIn | None = None


class DeliveryIn(Body):
    """Quantities delivered per line (O3), on `delivered_on` (today when absent; never
    after today, never before the order's confirmation day)."""

    delivery_id: DocumentId | None = None
    quantities: Quantities
    delivered_on: Day | None = Field(default=None, examples=["2026-11-02"])


class NonConformityIn(BaseModel):
    model_config = {"extra": "forbid"}

    description: Text = Field(min_length=1)
    cause: Text = ""
    action: Text = ""


class ReturnIn(Body):
    """Goods sent back per line, with the non-conformity record (O7), on `returned_on`
    (today when absent; never after today, never before the order's confirmation day)."""

    return_id: DocumentId | None = None
    quantities: Quantities
    non_conformity: NonConformityIn
    returned_on: Day | None = Field(default=None, examples=["2026-11-02"])


class AddLineIn(BaseModel):
    model_config = {"extra": "forbid"}

    op: Literal["add"]
    line: OrderLineIn

    @model_validator(mode="after")
    def _named(self) -> AddLineIn:
        if self.line.line_id is None:
            raise ValueError("a line added by an amendment needs a line_id")
        return self


class ChangeLineIn(BaseModel):
    model_config = {"extra": "forbid"}

    op: Literal["change"]
    line_id: LineId
    quantity: Quantity | None = None
    unit_price: UnitPrice | None = None

    @model_validator(mode="after")
    def _something_changes(self) -> ChangeLineIn:
        if self.quantity is None and self.unit_price is None:
            raise ValueError("a line change needs a new quantity or unit price")
        return self


class RemoveLineIn(BaseModel):
    model_config = {"extra": "forbid"}

    op: Literal["remove"]
    line_id: LineId


ChangeIn = Annotated[AddLineIn | ChangeLineIn | RemoveLineIn, Field(discriminator="op")]


class IssueTermsIn(Body):
    """What an order invoice states besides its lines: the issue date (today when absent;
    never after today nor before the series' last), payment terms (on receipt when
    absent) and the customer's order reference."""

    issue_date: Day | None = Field(default=None, examples=["2026-11-02"])
    payment_terms: PaymentTermsIn | None = None
    order_reference: ShortText | None = Field(default=None, examples=["PO-2026-118"])

    def terms(self, today: date) -> InvoiceTerms:
        terms = (self.payment_terms or PaymentTermsIn()).value_object()
        return InvoiceTerms(self.issue_date or today, terms, self.order_reference)


class InvoiceIn(IssueTermsIn):
    """Quantities to invoice per line (O5): an invoice document under the next number of
    the issue date's year, deducting what the order's deposits have left."""

    quantities: Quantities


class DepositIn(IssueTermsIn):
    """A deposit invoice of a percentage or an amount incl. tax of the order (O5)."""

    percent: PositivePercent | None = None
    amount: PositiveAmount | None = None

    @model_validator(mode="after")
    def _one_of(self) -> DepositIn:
        if (self.percent is None) == (self.amount is None):
            raise ValueError("give either a percent or an amount")
        return self


class CreditNoteIn(Body):
    """A credit note against an invoice, by quantities per line or an amount incl. tax;
    on an invoice document, issued on `issue_date` (today when absent)."""

    invoice_number: DocumentId
    issue_date: Day | None = Field(default=None, examples=["2026-11-02"])
    quantities: Quantities | None = None
    amount: PositiveAmount | None = None

    @model_validator(mode="after")
    def _one_of(self) -> CreditNoteIn:
        if (self.quantities is None) == (self.amount is None):
            raise ValueError("give either quantities or an amount")
        return self


class PaymentIn(Body):
    """A payment received against an invoice (O6); for an invoice document, a payment
    (`/payments`) of that invoice on `value_date` (today when absent)."""

    invoice_number: DocumentId
    value_date: Day | None = Field(default=None, examples=["2026-11-02"])
    amount: PositiveAmount = Field(examples=["120.00"])
    method: ShortText = Field(default="transfer", min_length=1)
