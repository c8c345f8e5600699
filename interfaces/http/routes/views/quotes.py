"""The `quotes` view over HTTP."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query, Response

from interfaces.http.deps import ServicesDep
from interfaces.http.routes.views import (
    AsOf,
    Limit,
    Offset,
    Position,
    page,
    view_router,
    wait_for,
)
from interfaces.http.schemas import ViewPage
from interfaces.http.security import READERS, reader

router = view_router()

QuoteOrder = Literal["drafted_at", "updated_at", "total_gross", "valid_until", "status"]


@router.get("/quotes", summary="Quotes with status and totals", dependencies=[reader(READERS)])
def quotes_view(
    services: ServicesDep,
    response: Response,
    status: Annotated[str | None, Query(max_length=20)] = None,
    customer_id: Annotated[str | None, Query(max_length=40)] = None,
    salesperson: Annotated[str | None, Query(max_length=200)] = None,
    order_by: QuoteOrder = "drafted_at",
    descending: bool = False,
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
    as_of: AsOf = None,
) -> ViewPage:
    position = wait_for(services, min_position, response)
    where: list[tuple[str, Any]] = []
    if status is not None:
        where.append(("status = ?", status))
    if customer_id is not None:
        where.append(("customer_id = ?", customer_id))
    if salesperson is not None:
        where.append(("salesperson = ?", salesperson))
    order = f"{order_by} {'DESC' if descending else 'ASC'}, quote_id"
    return page(services, "quotes", where, order, limit, offset, position, as_of)
