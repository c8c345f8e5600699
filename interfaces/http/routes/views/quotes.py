"""The `quotes` view over HTTP."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query, Response

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
    where = equal_to(("status", status), ("customer_id", customer_id), ("salesperson", salesperson))
    order = sort(order_by, descending, "quote_id")
    return page(services, "quotes", where, order, limit, offset, position, as_of)
