"""The `orders` and `order_lines` views over HTTP (V8, V9)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Path, Query, Response

from interfaces.http.deps import ServicesDep
from interfaces.http.routes.views import (
    AsOf,
    Limit,
    Offset,
    Position,
    equal_to,
    page,
    sort,
    view_router,
    wait_for,
)
from interfaces.http.schemas import ViewPage
from interfaces.http.security import READERS, reader

router = view_router()

OrderOrder = Literal[
    "created_at", "updated_at", "ordered_gross", "outstanding", "qty_backordered", "status"
]
Progress = Literal["none", "partial", "full"]
Payment = Literal["none", "partial", "paid"]


@router.get(
    "/orders",
    summary="Orders with delivery, invoicing and payment status (V8)",
    dependencies=[reader(READERS)],
)
def orders_view(
    services: ServicesDep,
    response: Response,
    customer_id: Annotated[str | None, Query(max_length=40)] = None,
    affair_id: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[str | None, Query(max_length=30)] = None,
    payment_status: Payment | None = None,
    delivery_status: Progress | None = None,
    invoicing_status: Progress | None = None,
    order_by: OrderOrder = "created_at",
    descending: bool = False,
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
    as_of: AsOf = None,
) -> ViewPage:
    position = wait_for(services, min_position, response)
    where = equal_to(
        ("customer_id", customer_id),
        ("affair_id", affair_id),
        ("status", status),
        ("payment_status", payment_status),
        ("delivery_status", delivery_status),
        ("invoicing_status", invoicing_status),
    )
    order = sort(order_by, descending, "order_id")
    return page(services, "orders", where, order, limit, offset, position, as_of)


@router.get(
    "/orders/{order_id}/lines",
    summary="An order's lines as amended: delivered, returned, invoiced, backorder (V8)",
    dependencies=[reader(READERS)],
)
def order_lines_view(
    services: ServicesDep,
    response: Response,
    order_id: Annotated[str, Path(max_length=40)],
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
) -> ViewPage:
    position = wait_for(services, min_position, response)
    where: list[tuple[str, Any]] = [("order_id = ?", order_id)]
    return page(services, "order_lines", where, "line_id", limit, offset, position)
