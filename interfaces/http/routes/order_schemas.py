"""Request and response bodies of the order routes (O1–O8, Q9)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field, model_validator

from domain.order import (
    AddLine,
    ChangeLine,
    InvoicePolicy,
    LineChange,
    Order,
    OrderLine,
)
from domain.values import DiscountMode, line_net
from interfaces.http.routes.quote_schemas import DiscountIn
from interfaces.http.schemas import (
    Amount,
    Body,
    Percent,
    ShortText,
    Text,
)

LineId = Annotated[str, Field(min_length=1, max_length=40)]
DocumentId = Annotated[str, Field(min_length=1, max_length=40)]
Quantity = Annotated[Decimal, Field(allow_inf_nan=False, max_digits=20, decimal_places=6, gt=0)]
Quantities = Annotated[dict[LineId, Quantity], Field(min_length=1, max_length=500)]


class OrderLineIn(BaseModel):
    """An order line; its id is `L<n>` by position when none is given."""

    model_config = {"extra": "forbid"}

    line_id: LineId | None = None
    description: Text = Field(min_length=1, examples=["Cash register"])
    quantity: Quantity = Field(examples=["3"])
    unit_price: Amount = Field(ge=0, examples=["450.00"])
    vat_rate: Percent = Field(examples=["20"])
    unit: ShortText = "unit"
    product_ref: ShortText | None = None
    discount: DiscountIn | None = None
    unit_cost: Amount | None = Field(default=None, ge=0)

    def value_object(self, default_id: str) -> OrderLine:
        return OrderLine(
            line_id=self.line_id or default_id,
            description=self.description,
            quantity=self.quantity,
            unit_price=self.unit_price,
            vat_rate=self.vat_rate,
            unit=self.unit,
            product_ref=self.product_ref,
            discount=None if self.discount is None else self.discount.value_object(),
            unit_cost=self.unit_cost,
        )


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
    """Quantities delivered per line (O3)."""

    delivery_id: DocumentId | None = None
    quantities: Quantities


class NonConformityIn(BaseModel):
    model_config = {"extra": "forbid"}

    description: Text = Field(min_length=1)
    cause: Text = ""
    action: Text = ""


class ReturnIn(Body):
    """Goods sent back per line, with the non-conformity record (O7)."""

    return_id: DocumentId | None = None
    quantities: Quantities
    non_conformity: NonConformityIn


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
    unit_price: Amount | None = Field(default=None, ge=0)

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


class InvoiceIn(Body):
    """Quantities to invoice per line (O5); the number is the next of the year."""

    quantities: Quantities


class DepositIn(Body):
    """A deposit invoice of a percentage or an amount incl. tax of the order (O5)."""

    percent: Percent | None = Field(default=None, gt=0)
    amount: Amount | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _one_of(self) -> DepositIn:
        if (self.percent is None) == (self.amount is None):
            raise ValueError("give either a percent or an amount")
        return self


class CreditNoteIn(Body):
    """A credit note against an invoice, by quantities per line or an amount incl. tax."""

    invoice_number: DocumentId
    quantities: Quantities | None = None
    amount: Amount | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _one_of(self) -> CreditNoteIn:
        if (self.quantities is None) == (self.amount is None):
            raise ValueError("give either quantities or an amount")
        return self


class PaymentIn(Body):
    """A payment received against an invoice (O6)."""

    invoice_number: DocumentId
    amount: Amount = Field(gt=0, examples=["120.00"])
    method: ShortText = Field(default="transfer", min_length=1)


class LineSnapshot(BaseModel):
    line_id: str
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    vat_rate: Decimal
    discount: DiscountIn | None
    product_ref: str | None
    unit_cost: Decimal | None
    net: Decimal


class OrderLineView(LineSnapshot):
    delivered: Decimal
    returned: Decimal
    backorder: Decimal
    invoiced: Decimal
    invoiceable: Decimal
    affair_id: UUID | None


class InvoiceView(BaseModel):
    number: str
    kind: str
    at: datetime
    quantities: dict[str, Decimal]
    net: Decimal
    vat: Decimal
    gross: Decimal
    deposit_deducted: Decimal
    credited: Decimal
    to_pay: Decimal
    paid: Decimal
    due: Decimal
    payment_status: str


class CreditNoteView(BaseModel):
    number: str
    invoice_number: str
    at: datetime
    quantities: dict[str, Decimal]
    net: Decimal
    vat: Decimal
    gross: Decimal


class DeliveryView(BaseModel):
    delivery_id: str
    at: datetime
    quantities: dict[str, Decimal]


class ReturnView(BaseModel):
    return_id: str
    at: datetime
    quantities: dict[str, Decimal]
    non_conformity: NonConformityIn


class PaymentView(BaseModel):
    invoice_number: str
    at: datetime
    amount: Decimal
    method: str


class OverrideView(BaseModel):
    manager: str
    reason: str


class OrderTotalsView(BaseModel):
    net: Decimal
    vat: Decimal
    gross: Decimal


def _line_fields(order: Order, line: OrderLine) -> dict[str, object]:
    return {
        "line_id": line.line_id,
        "description": line.description,
        "quantity": line.quantity,
        "unit": line.unit,
        "unit_price": line.unit_price,
        "vat_rate": line.vat_rate,
        "discount": None
        if line.discount is None
        else DiscountIn(kind=line.discount.kind, value=line.discount.value),
        "product_ref": line.product_ref,
        "unit_cost": line.unit_cost,
        "net": line_net(line.priced(), order.currency),
    }


def line_snapshot(order: Order, line: OrderLine | None) -> LineSnapshot | None:
    return None if line is None else LineSnapshot.model_validate(_line_fields(order, line))


def line_view(order: Order, line: OrderLine) -> OrderLineView:
    i = line.line_id
    return OrderLineView.model_validate(
        {
            **_line_fields(order, line),
            "delivered": order.delivered.get(i, Decimal(0)),
            "returned": order.returned.get(i, Decimal(0)),
            "backorder": line.quantity - order.net_delivered(i),
            "invoiced": order.net_invoiced(i),
            "invoiceable": order.invoiceable(i),
            "affair_id": order.affair_of(i),
        }
    )


def invoice_view(order: Order, number: str) -> InvoiceView:
    invoice = order.invoices[number]
    return InvoiceView(
        number=number,
        kind=str(invoice.kind),
        at=invoice.at,
        quantities={i: line.quantity for i, line in invoice.lines.items()},
        net=invoice.amounts.net,
        vat=invoice.amounts.vat,
        gross=invoice.amounts.gross,
        deposit_deducted=invoice.deposit_deducted,
        credited=order.credited_amounts(number).gross,
        to_pay=order.to_pay(number),
        paid=order.paid(number),
        due=order.due(number),
        payment_status=str(order.invoice_payment_status(number)),
    )


def change_view(order: Order, change: LineChange) -> dict[str, object]:
    if isinstance(change, AddLine):
        snapshot = line_snapshot(order, change.line)
        assert snapshot is not None
        return {"op": "add", "line": snapshot.model_dump(mode="json")}
    if isinstance(change, ChangeLine):
        return {
            "op": "change",
            "line_id": change.line_id,
            "quantity": None if change.quantity is None else str(change.quantity),
            "unit_price": None if change.unit_price is None else str(change.unit_price),
        }
    return {"op": "remove", "line_id": change.line_id}


class LineDiff(BaseModel):
    """One line that differs between two versions: added, removed or changed."""

    line_id: str
    change: Literal["added", "removed", "changed"]
    before: LineSnapshot | None
    after: LineSnapshot | None


class OrderDiff(BaseModel):
    from_version: int
    to_version: int
    lines: list[LineDiff]
