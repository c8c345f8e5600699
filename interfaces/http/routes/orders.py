"""Order commands and reads (O1–O8) and the conversion of a quote into an order (Q9)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Response, status
from fastapi import Body as BodyParam
from pydantic import BaseModel, Field, model_validator

from application.access import Principal
from application.commands import CommandResult
from application.journal import CommandContext
from domain.errors import NotFound
from domain.order import (
    AddLine,
    ChangeLine,
    InvoicePolicy,
    LineChange,
    NonConformity,
    Order,
    OrderLine,
    RemoveLine,
)
from domain.values import DiscountMode, line_net
from interfaces.http.deps import ServicesDep
from interfaces.http.history import AsOf, document_at, history_items
from interfaces.http.problems import ERROR_RESPONSES, Forbidden
from interfaces.http.routes.quotes import DiscountIn
from interfaces.http.schemas import (
    Accepted,
    Amount,
    Body,
    HistoryItem,
    Percent,
    ShortText,
    Text,
)
from interfaces.http.security import (
    BILLING,
    MANAGERS,
    READERS,
    SELLERS,
    authenticated,
    command,
    reader,
)

router = APIRouter(tags=["orders"], responses=ERROR_RESPONSES)

Seller = Annotated[CommandContext, command(SELLERS)]
Closer = Annotated[CommandContext, command(SELLERS | BILLING)]
Biller = Annotated[CommandContext, command(BILLING)]
Caller = Annotated[Principal, Depends(authenticated)]
Reader = reader(READERS)

BASE = "/orders"

LineId = Annotated[str, Field(min_length=1, max_length=40)]
DocumentId = Annotated[str, Field(min_length=1, max_length=40)]
Quantity = Annotated[Decimal, Field(allow_inf_nan=False, max_digits=20, decimal_places=6, gt=0)]
Quantities = Annotated[dict[LineId, Quantity], Field(min_length=1, max_length=500)]


# ---- request bodies -------------------------------------------------------------------


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


class AmendmentIn(Body):
    """A numbered amendment (O4): its reason is required; changes apply in order."""

    changes: list[ChangeIn] = Field(min_length=1, max_length=200)

    def value_objects(self) -> list[LineChange]:
        result: list[LineChange] = []
        for change in self.changes:
            if isinstance(change, AddLineIn):
                result.append(AddLine(change.line.value_object("")))
            elif isinstance(change, ChangeLineIn):
                result.append(ChangeLine(change.line_id, change.quantity, change.unit_price))
            else:
                result.append(RemoveLine(change.line_id))
        return result


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


class AffairIn(Body):
    """Assign the whole order, or one line, to an affair (O8)."""

    affair_id: UUID
    line_id: LineId | None = None


# ---- views ----------------------------------------------------------------------------


class OrderLineView(BaseModel):
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


class AmendmentView(BaseModel):
    number: int
    at: datetime
    reason: str
    changes: list[dict[str, object]]


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


class OrderView(BaseModel):
    """An order as it stands (or stood, at a given version), with its progress per line."""

    id: UUID
    version: int
    status: str
    customer_id: UUID
    currency: str
    quote_id: UUID | None
    affair_id: UUID | None
    invoice_policy: str
    discounts: list[Decimal]
    discount_mode: str
    lines: list[OrderLineView]
    backorders: dict[str, Decimal]
    totals: OrderTotalsView
    payment_status: str
    deposit_balance: Decimal
    invoices: list[InvoiceView]
    credit_notes: list[CreditNoteView]
    deliveries: list[DeliveryView]
    returns: list[ReturnView]
    amendments: list[AmendmentView]
    payments: list[PaymentView]
    credit_override: OverrideView | None
    cancel_reason: str | None
    created_at: datetime
    confirmed_at: datetime | None
    updated_at: datetime

    @classmethod
    def of(cls, order: Order) -> OrderView:
        totals = order.totals()
        backorder = order.backorder()
        return cls(
            id=order.id,
            version=order.version,
            status=str(order.status),
            customer_id=order.customer_id,
            currency=order.currency,
            quote_id=order.quote_id,
            affair_id=order.affair_id,
            invoice_policy=str(order.invoice_policy),
            discounts=order.discounts,
            discount_mode=str(order.discount_mode),
            lines=[_line_view(order, line) for line in order.lines.values()],
            backorders={i: q for i, q in backorder.items() if q > 0},
            totals=OrderTotalsView(net=totals.net, vat=totals.vat, gross=totals.gross),
            payment_status=str(order.payment_status()),
            deposit_balance=order.deposit_balance(),
            invoices=[_invoice_view(order, number) for number in order.invoices],
            credit_notes=[
                CreditNoteView(
                    number=n.number,
                    invoice_number=n.invoice_number,
                    at=n.at,
                    quantities=n.quantities,
                    net=n.amounts.net,
                    vat=n.amounts.vat,
                    gross=n.amounts.gross,
                )
                for n in order.credit_notes.values()
            ],
            deliveries=[
                DeliveryView(delivery_id=d.delivery_id, at=d.at, quantities=d.quantities)
                for d in order.deliveries
            ],
            returns=[
                ReturnView(
                    return_id=r.return_id,
                    at=r.at,
                    quantities=r.quantities,
                    non_conformity=NonConformityIn(
                        description=r.non_conformity.description,
                        cause=r.non_conformity.cause,
                        action=r.non_conformity.action,
                    ),
                )
                for r in order.returns
            ],
            amendments=[
                AmendmentView(
                    number=a.number,
                    at=a.at,
                    reason=a.reason,
                    changes=[_change_view(order, c) for c in a.changes],
                )
                for a in order.amendments
            ],
            payments=[
                PaymentView(
                    invoice_number=p.invoice_number, at=p.at, amount=p.amount, method=p.method
                )
                for p in order.payments
            ],
            credit_override=None
            if order.credit_override is None
            else OverrideView(
                manager=order.credit_override.manager, reason=order.credit_override.reason
            ),
            cancel_reason=order.cancel_reason,
            created_at=order.created_at,
            confirmed_at=order.confirmed_at,
            updated_at=order.modified_on,
        )


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


def _snapshot(order: Order, line: OrderLine | None) -> LineSnapshot | None:
    return None if line is None else LineSnapshot.model_validate(_line_fields(order, line))


def _line_view(order: Order, line: OrderLine) -> OrderLineView:
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


def _invoice_view(order: Order, number: str) -> InvoiceView:
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


def _change_view(order: Order, change: LineChange) -> dict[str, object]:
    if isinstance(change, AddLine):
        snapshot = _snapshot(order, change.line)
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


# ---- commands -------------------------------------------------------------------------


def _accepted(outcome: CommandResult, response: Response) -> Accepted:
    response.headers["ETag"] = f'"{outcome.version}"'
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return Accepted.of(outcome, BASE)


OptionalBody = Annotated[Body | None, BodyParam()]
OptionalConfirm = Annotated[ConfirmIn | None, BodyParam()]
OrderId = Annotated[UUID, Path()]


def _reason(body: Body | None) -> str | None:
    return None if body is None else body.reason


@router.post(BASE, status_code=status.HTTP_201_CREATED, summary="Enter an order directly (O1)")
def create_order(body: OrderIn, ctx: Seller, services: ServicesDep, response: Response) -> Accepted:
    outcome = services.app.orders.create(
        replace(ctx, reason=body.reason),
        customer_id=body.customer_id,
        currency=body.currency,
        lines=[line.value_object(f"L{n}") for n, line in enumerate(body.lines, start=1)],
        affair_id=body.affair_id,
        invoice_policy=body.invoice_policy,
        discounts=body.discounts,
        discount_mode=body.discount_mode,
    )
    response.headers["Location"] = f"{BASE}/{outcome.aggregate_id}"
    return _accepted(outcome, response)


@router.post(
    "/quotes/{quote_id}/convert",
    status_code=status.HTTP_201_CREATED,
    summary="Convert an accepted quote into an order (Q9)",
)
def convert_quote(
    quote_id: UUID,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
    body: Annotated[ConvertIn | None, BodyParam()] = None,
) -> Accepted:
    body = body or ConvertIn()
    outcome = services.app.orders.convert_quote(
        replace(ctx, reason=body.reason), quote_id, body.line_ids, body.customer_id
    )
    response.headers["Location"] = f"{BASE}/{outcome.aggregate_id}"
    return _accepted(outcome, response)


@router.post(f"{BASE}/{{order_id}}/confirm", summary="Confirm after the credit check (O2)")
def confirm_order(
    order_id: OrderId,
    ctx: Seller,
    caller: Caller,
    services: ServicesDep,
    response: Response,
    body: OptionalConfirm = None,
) -> Accepted:
    override = None if body is None else body.override
    if override is not None and not caller.has_any(MANAGERS):
        raise Forbidden("only a manager may override the credit check")
    outcome = services.app.orders.confirm(
        replace(ctx, reason=_reason(body)),
        order_id,
        override_reason=None if override is None else override.reason,
    )
    return _accepted(outcome, response)


@router.post(f"{BASE}/{{order_id}}/cancel", summary="Cancel, with a reason (O1)")
def cancel_order(
    order_id: OrderId,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> Accepted:
    outcome = services.app.orders.cancel(replace(ctx, reason=_reason(body)), order_id)
    return _accepted(outcome, response)


@router.post(f"{BASE}/{{order_id}}/close", summary="Close a delivered, invoiced order (O1)")
def close_order(
    order_id: OrderId,
    ctx: Closer,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> Accepted:
    outcome = services.app.orders.close(replace(ctx, reason=_reason(body)), order_id)
    return _accepted(outcome, response)


@router.post(
    f"{BASE}/{{order_id}}/deliveries",
    status_code=status.HTTP_201_CREATED,
    summary="Record a delivery (O3)",
)
def record_delivery(
    order_id: OrderId, body: DeliveryIn, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.orders.record_delivery(
        replace(ctx, reason=body.reason), order_id, body.quantities, body.delivery_id
    )
    return _accepted(outcome, response)


@router.post(
    f"{BASE}/{{order_id}}/returns",
    status_code=status.HTTP_201_CREATED,
    summary="Record a return with its non-conformity (O7)",
)
def record_return(
    order_id: OrderId, body: ReturnIn, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    nc = body.non_conformity
    outcome = services.app.orders.record_return(
        replace(ctx, reason=body.reason),
        order_id,
        body.quantities,
        NonConformity(nc.description, nc.cause, nc.action),
        body.return_id,
    )
    return _accepted(outcome, response)


@router.post(
    f"{BASE}/{{order_id}}/amendments",
    status_code=status.HTTP_201_CREATED,
    summary="Amend a confirmed order, with a reason (O4)",
)
def amend_order(
    order_id: OrderId, body: AmendmentIn, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.orders.amend(
        replace(ctx, reason=body.reason), order_id, body.value_objects()
    )
    return _accepted(outcome, response)


@router.post(
    f"{BASE}/{{order_id}}/invoices",
    status_code=status.HTTP_201_CREATED,
    summary="Invoice quantities per line (O5)",
)
def invoice_order(
    order_id: OrderId, body: InvoiceIn, ctx: Biller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.orders.invoice(
        replace(ctx, reason=body.reason), order_id, body.quantities
    )
    return _accepted(outcome, response)


@router.post(
    f"{BASE}/{{order_id}}/deposit-invoices",
    status_code=status.HTTP_201_CREATED,
    summary="Issue a deposit invoice (O5)",
)
def deposit_invoice(
    order_id: OrderId, body: DepositIn, ctx: Biller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.orders.deposit_invoice(
        replace(ctx, reason=body.reason), order_id, percent=body.percent, amount=body.amount
    )
    return _accepted(outcome, response)


@router.post(
    f"{BASE}/{{order_id}}/credit-notes",
    status_code=status.HTTP_201_CREATED,
    summary="Issue a credit note against an invoice (O5)",
)
def credit_note(
    order_id: OrderId, body: CreditNoteIn, ctx: Biller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.orders.credit_note(
        replace(ctx, reason=body.reason),
        order_id,
        body.invoice_number,
        quantities=body.quantities,
        amount=body.amount,
    )
    return _accepted(outcome, response)


@router.post(
    f"{BASE}/{{order_id}}/payments",
    status_code=status.HTTP_201_CREATED,
    summary="Record a payment against an invoice (O6)",
)
def record_payment(
    order_id: OrderId, body: PaymentIn, ctx: Biller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.orders.record_payment(
        replace(ctx, reason=body.reason), order_id, body.invoice_number, body.amount, body.method
    )
    return _accepted(outcome, response)


@router.post(f"{BASE}/{{order_id}}/affair", summary="Assign the order or a line to an affair (O8)")
def assign_to_affair(
    order_id: OrderId, body: AffairIn, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.orders.assign_to_affair(
        replace(ctx, reason=body.reason), order_id, body.affair_id, body.line_id
    )
    return _accepted(outcome, response)


# ---- reads ----------------------------------------------------------------------------


@router.get(
    f"{BASE}/{{order_id}}",
    summary="The order from the event store: now, at a version, or as of a recorded time",
    dependencies=[Reader],
)
def get_order(
    order_id: OrderId,
    services: ServicesDep,
    response: Response,
    version: Annotated[int | None, Query(ge=1, le=2**31)] = None,
    as_of: AsOf = None,
) -> OrderView:
    order = document_at(services.app, Order, order_id, version, as_of, services.app.orders.get)
    response.headers["ETag"] = f'"{order.version}"'
    return OrderView.of(order)


@router.get(
    f"{BASE}/{{order_id}}/history",
    summary="Every event of the order with who, when and why",
    dependencies=[Reader],
)
def order_history(order_id: OrderId, services: ServicesDep) -> list[HistoryItem]:
    items = history_items(services.app, order_id)
    if not items or not items[0].type.startswith("Order."):
        raise NotFound(f"no order with id {order_id}")
    return items


@router.get(
    f"{BASE}/{{order_id}}/diff",
    summary="The lines that differ between two versions of the order (O4, H2)",
    dependencies=[Reader],
)
def order_diff(
    order_id: OrderId,
    services: ServicesDep,
    from_version: Annotated[int, Query(alias="from", ge=1, le=2**31)],
    to_version: Annotated[int, Query(alias="to", ge=1, le=2**31)],
) -> OrderDiff:
    changes = services.app.orders.diff(order_id, from_version, to_version)
    order = services.app.orders.get(order_id, to_version)
    lines = [
        LineDiff(
            line_id=line_id,
            change="added" if old is None else "removed" if new is None else "changed",
            before=_snapshot(order, old),
            after=_snapshot(order, new),
        )
        for line_id, (old, new) in changes.items()
    ]
    return OrderDiff(from_version=from_version, to_version=to_version, lines=lines)
