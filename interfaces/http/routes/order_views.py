"""Response bodies of the order routes (O1–O8): lines with their progress, invoices,
credit notes, deliveries, returns, payments and diffs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from domain.invoice import Invoice
from domain.invoice_states import PaymentStatus as DocumentPayment
from domain.invoicing import PaymentStatus
from domain.order import (
    AddLine,
    ChangeLine,
    LineChange,
    Order,
    OrderLine,
    RepriceLine,
)
from domain.values import line_net
from interfaces.http.diffs import Change
from interfaces.http.routes.order_schemas import NonConformityIn
from interfaces.http.routes.quote_schemas import DiscountIn, LineSourceView
from interfaces.http.schemas import MoneyOut, NumberOut


class LineSnapshot(BaseModel):
    line_id: str
    description: str
    quantity: NumberOut
    unit: str
    unit_price: MoneyOut
    vat_rate: NumberOut
    discount: DiscountIn | None
    product_ref: str | None
    unit_cost: MoneyOut | None
    net: MoneyOut
    source: LineSourceView | None = Field(
        default=None, description="The catalogue's product, rule and fields given by hand (P4)"
    )


class OrderLineView(LineSnapshot):
    delivered: NumberOut
    returned: NumberOut
    backorder: NumberOut
    invoiced: NumberOut
    invoiceable: NumberOut
    affair_id: UUID | None


class InvoiceView(BaseModel):
    number: str
    kind: str
    at: datetime
    invoice_id: UUID | None = Field(
        default=None, description="The invoice document (GET /invoices/{id}); none before"
    )
    issue_date: date | None = None
    quantities: dict[str, NumberOut]
    net: MoneyOut
    vat: MoneyOut
    gross: MoneyOut
    deposit_deducted: MoneyOut
    credited: MoneyOut
    to_pay: MoneyOut
    paid: MoneyOut
    due: MoneyOut
    payment_status: str


class CreditNoteView(BaseModel):
    number: str
    invoice_number: str
    at: datetime
    quantities: dict[str, NumberOut]
    net: MoneyOut
    vat: MoneyOut
    gross: MoneyOut


class DeliveryView(BaseModel):
    delivery_id: str
    at: datetime
    delivered_on: date
    quantities: dict[str, NumberOut]


class ReturnView(BaseModel):
    return_id: str
    at: datetime
    returned_on: date
    quantities: dict[str, NumberOut]
    non_conformity: NonConformityIn


class PaymentView(BaseModel):
    invoice_number: str
    at: datetime
    amount: MoneyOut
    method: str


class OverrideView(BaseModel):
    manager: str
    reason: str


class OrderTotalsView(BaseModel):
    net: MoneyOut
    vat: MoneyOut
    gross: MoneyOut


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
        "source": None if line.catalogue is None else LineSourceView.of(line.catalogue),
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


# The order's words for a document's payment status.
PAYMENT_STATUS = {
    DocumentPayment.UNPAID: PaymentStatus.NONE,
    DocumentPayment.PARTLY_PAID: PaymentStatus.PARTIAL,
    DocumentPayment.PAID: PaymentStatus.PAID,
}


def invoice_view(order: Order, number: str, document: Invoice | None = None) -> InvoiceView:
    """An invoice of the order; a document's payments come from the document."""
    invoice = order.invoices[number]
    ref = order.documents.get(number)
    if document is not None:
        status = document.payment_status
        paid = document.amount_paid
        return InvoiceView(
            number=number,
            kind=str(invoice.kind),
            at=invoice.at,
            invoice_id=document.id,
            issue_date=document.issue_date,
            quantities={i: line.quantity for i, line in invoice.lines.items()},
            net=invoice.amounts.net,
            vat=invoice.amounts.vat,
            gross=invoice.amounts.gross,
            deposit_deducted=invoice.deposit_deducted,
            credited=order.credited_amounts(number).gross,
            to_pay=order.to_pay(number),
            paid=paid,
            due=document.amount_due,
            payment_status=str(PaymentStatus.NONE if status is None else PAYMENT_STATUS[status]),
        )
    return InvoiceView(
        number=number,
        kind=str(invoice.kind),
        at=invoice.at,
        invoice_id=None if ref is None else ref.invoice_id,
        issue_date=None if ref is None else ref.issue_date,
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
    if isinstance(change, RepriceLine):
        discount = change.discount
        return {
            "op": "reprice",
            "line_id": change.line_id,
            "quantity": str(change.quantity),
            "unit_price": str(change.unit_price),
            "discount": None
            if discount is None
            else {"kind": str(discount.kind), "value": str(discount.value)},
            "source": LineSourceView.of(change.source).model_dump(mode="json"),
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
    changes: list[Change] = Field(
        default_factory=list, description="Every change, in the one diff format of all documents"
    )
