"""Order reads: the order now, at a version or as of a time, with its progress per line;
its history; the lines that differ between two versions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from application.app import Comptoir
from domain.invoice import Invoice
from domain.invoicing import PaymentStatus, payment_status
from domain.order import Order
from interfaces.http.deps import ServicesDep
from interfaces.http.diffs import diff_of
from interfaces.http.history import AsOf, Version, document_history, read_document
from interfaces.http.problems import ERROR_RESPONSES
from interfaces.http.routes.order_schemas import NonConformityIn
from interfaces.http.routes.order_views import (
    CreditNoteView,
    DeliveryView,
    InvoiceView,
    LineDiff,
    OrderDiff,
    OrderLineView,
    OrderTotalsView,
    OverrideView,
    PaymentView,
    ReturnView,
    change_view,
    invoice_view,
    line_snapshot,
    line_view,
)
from interfaces.http.routes.orders import BASE, AmendmentView, OrderId, Reader
from interfaces.http.schemas import HistoryItem, InCurrency, MoneyOut, NumberOut

router = APIRouter(tags=["orders"], responses=ERROR_RESPONSES)


class OrderView(InCurrency):
    """An order as it stands (or stood, at a given version), with its progress per line."""

    id: UUID
    version: int
    status: str
    customer_id: UUID
    currency: str
    quote_id: UUID | None
    affair_id: UUID | None
    invoice_policy: str
    discounts: list[NumberOut]
    discount_mode: str
    lines: list[OrderLineView]
    backorders: dict[str, NumberOut]
    totals: OrderTotalsView
    payment_status: str
    deposit_balance: MoneyOut
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
    def of(cls, order: Order, documents: Mapping[str, Invoice] | None = None) -> OrderView:
        """The order, with the payments of its invoice documents (`documents`, by number)."""
        documents = documents or {}
        invoices = [invoice_view(order, n, documents.get(n)) for n in order.invoices]
        to_pay = sum((i.to_pay for i in invoices), Decimal(0))
        paid = sum((i.paid for i in invoices), Decimal(0))
        status = payment_status(to_pay, paid) if invoices else PaymentStatus.NONE
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
            payment_status=str(status),
            deposit_balance=order.deposit_balance(),
            invoices=invoices,
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
                DeliveryView(
                    delivery_id=d.delivery_id,
                    at=d.at,
                    delivered_on=order.delivered_on(d.delivery_id),
                    quantities=d.quantities,
                )
                for d in order.deliveries
            ],
            returns=[
                ReturnView(
                    return_id=r.return_id,
                    at=r.at,
                    returned_on=order.returned_on(r.return_id),
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
    return OrderView.of(order, documents_of(services.app, order))


def documents_of(app: Comptoir, order: Order) -> dict[str, Invoice]:
    """The invoice documents of the order's invoices, by number, as they stand now."""
    return {n: app.invoices.get(ref.invoice_id) for n, ref in order.documents.items()}


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
    app, first = services.app, services.app.orders.get(order_id, from_version)
    before, after = (OrderView.of(o, documents_of(app, o)) for o in (first, order))
    every = diff_of(before, after, from_version, to_version).changes
    return OrderDiff(from_version=from_version, to_version=to_version, lines=lines, changes=every)
