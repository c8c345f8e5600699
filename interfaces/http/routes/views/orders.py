"""The `orders` and `order_lines` views over HTTP (V8, V9), one snapshot per answer, with
their exports (V10)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Path, Query, Response

from interfaces.http.deps import ServicesDep
from interfaces.http.routes.views import (
    AsOf,
    Limit,
    Offset,
    Position,
    ViewQuery,
    answer,
    equal_to,
    query_page,
    sort,
    view_router,
)
from interfaces.http.routes.views.export import export_route
from interfaces.http.schemas import ViewPage
from interfaces.http.security import READERS, reader
from projections.orders import orders_source
from projections.snapshot import table_at

router = view_router()

OrderOrder = Literal[
    "created_at", "updated_at", "ordered_gross", "outstanding", "qty_backordered", "status"
]
Progress = Literal["none", "partial", "full"]
Payment = Literal["none", "partial", "paid"]


def order_filters(
    customer_id: Annotated[str | None, Query(max_length=40)] = None,
    affair_id: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[str | None, Query(max_length=30)] = None,
    payment_status: Payment | None = None,
    delivery_status: Progress | None = None,
    invoicing_status: Progress | None = None,
    order_by: OrderOrder = "created_at",
    descending: bool = False,
    as_of: AsOf = None,
) -> ViewQuery:
    """The orders the client asks for (as they stood at `as_of`)."""
    where = equal_to(
        ("customer_id", customer_id),
        ("affair_id", affair_id),
        ("status", status),
        ("payment_status", payment_status),
        ("delivery_status", delivery_status),
        ("invoicing_status", invoicing_status),
    )
    order = sort(order_by, descending, "order_id")
    # paid, outstanding and payment status count the payments of invoice documents too
    return ViewQuery("orders", orders_source(as_of), where, order)


@router.get(
    "/orders",
    summary="Orders with delivery, invoicing and payment status (V8)",
    dependencies=[reader(READERS)],
)
def orders_view(
    services: ServicesDep,
    response: Response,
    query: Annotated[ViewQuery, Depends(order_filters)],
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
) -> ViewPage:
    with answer(services, min_position, response) as snapshot:
        return query_page(snapshot, query, limit, offset)


export_route(router, "/orders", order_filters, READERS, "the orders")


def line_filters(order_id: Annotated[str, Path(max_length=40)], as_of: AsOf = None) -> ViewQuery:
    """An order's lines (as they stood at `as_of`)."""
    where: list[tuple[str, Any]] = [("order_id = ?", order_id)]
    return ViewQuery("order-lines", table_at("order_lines", as_of), where, "line_id")


@router.get(
    "/orders/{order_id}/lines",
    summary="An order's lines as amended: delivered, returned, invoiced, backorder (V8)",
    dependencies=[reader(READERS)],
)
def order_lines_view(
    services: ServicesDep,
    response: Response,
    query: Annotated[ViewQuery, Depends(line_filters)],
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
) -> ViewPage:
    with answer(services, min_position, response) as snapshot:
        return query_page(snapshot, query, limit, offset)


export_route(router, "/orders/{order_id}/lines", line_filters, READERS, "an order's lines")
