"""Order commands and reads (O1–O8) and the conversion of a quote into an order (Q9)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Response, status
from fastapi import Body as BodyParam
from pydantic import BaseModel, Field

from application.access import Principal
from application.journal import CommandContext
from domain.order import (
    AddLine,
    ChangeLine,
    LineChange,
    NonConformity,
    Order,
    RemoveLine,
)
from interfaces.http.deps import ServicesDep
from interfaces.http.history import AsOf, Version, document_history, read_document
from interfaces.http.problems import ERROR_RESPONSES, Forbidden
from interfaces.http.responses import OptionalBody, accepted, created, with_reason
from interfaces.http.routes.order_schemas import (
    AddLineIn,
    ChangeIn,
    ChangeLineIn,
    ConfirmIn,
    ConvertIn,
    CreditNoteIn,
    CreditNoteView,
    DeliveryIn,
    DeliveryView,
    DepositIn,
    InvoiceIn,
    InvoiceView,
    LineDiff,
    LineId,
    NonConformityIn,
    OrderDiff,
    OrderIn,
    OrderLineView,
    OrderTotalsView,
    OverrideView,
    PaymentIn,
    PaymentView,
    ReturnIn,
    ReturnView,
    change_view,
    invoice_view,
    line_snapshot,
    line_view,
)
from interfaces.http.schemas import (
    Accepted,
    Body,
    HistoryItem,
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


# ---- bodies -----------------------------------------------------------------------------
# These stay here, the others are in `order_schemas`: their OpenAPI names are qualified
# by this module, as the contracts' and quotes' routes have models of the same names.


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


class AffairIn(Body):
    """Assign the whole order, or one line, to an affair (O8)."""

    affair_id: UUID
    line_id: LineId | None = None


class AmendmentView(BaseModel):
    number: int
    at: datetime
    reason: str
    changes: list[dict[str, object]]


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
            lines=[line_view(order, line) for line in order.lines.values()],
            backorders={i: q for i, q in backorder.items() if q > 0},
            totals=OrderTotalsView(net=totals.net, vat=totals.vat, gross=totals.gross),
            payment_status=str(order.payment_status()),
            deposit_balance=order.deposit_balance(),
            invoices=[invoice_view(order, number) for number in order.invoices],
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
                    changes=[change_view(order, c) for c in a.changes],
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


# ---- commands -------------------------------------------------------------------------


OptionalConfirm = Annotated[ConfirmIn | None, BodyParam()]
OrderId = Annotated[UUID, Path()]


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
    return created(outcome, response, BASE)


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
    return created(outcome, response, BASE)


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
        with_reason(ctx, body),
        order_id,
        override_reason=None if override is None else override.reason,
    )
    return accepted(outcome, response, BASE)


@router.post(f"{BASE}/{{order_id}}/cancel", summary="Cancel, with a reason (O1)")
def cancel_order(
    order_id: OrderId,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> Accepted:
    outcome = services.app.orders.cancel(with_reason(ctx, body), order_id)
    return accepted(outcome, response, BASE)


@router.post(f"{BASE}/{{order_id}}/close", summary="Close a delivered, invoiced order (O1)")
def close_order(
    order_id: OrderId,
    ctx: Closer,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> Accepted:
    outcome = services.app.orders.close(with_reason(ctx, body), order_id)
    return accepted(outcome, response, BASE)


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
    return accepted(outcome, response, BASE)


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
    return accepted(outcome, response, BASE)


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
    return accepted(outcome, response, BASE)


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
    return accepted(outcome, response, BASE)


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
    return accepted(outcome, response, BASE)


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
    return accepted(outcome, response, BASE)


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
    return accepted(outcome, response, BASE)


@router.post(f"{BASE}/{{order_id}}/affair", summary="Assign the order or a line to an affair (O8)")
def assign_to_affair(
    order_id: OrderId, body: AffairIn, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.orders.assign_to_affair(
        replace(ctx, reason=body.reason), order_id, body.affair_id, body.line_id
    )
    return accepted(outcome, response, BASE)


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
    version: Version = None,
    as_of: AsOf = None,
) -> OrderView:
    order = read_document(
        services.app, Order, order_id, version, as_of, services.app.orders.get, response
    )
    return OrderView.of(order)


@router.get(
    f"{BASE}/{{order_id}}/history",
    summary="Every event of the order with who, when and why",
    dependencies=[Reader],
)
def order_history(order_id: OrderId, services: ServicesDep) -> list[HistoryItem]:
    return document_history(services.app, order_id, "Order")


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
            before=line_snapshot(order, old),
            after=line_snapshot(order, new),
        )
        for line_id, (old, new) in changes.items()
    ]
    return OrderDiff(from_version=from_version, to_version=to_version, lines=lines)
