"""The `quotes` view over HTTP."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Query, Response

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
from projections.snapshot import table_at

router = view_router()

QuoteOrder = Literal["drafted_at", "updated_at", "total_gross", "valid_until", "status"]


def quote_filters(
    status: Annotated[str | None, Query(max_length=20)] = None,
    customer_id: Annotated[str | None, Query(max_length=40)] = None,
    salesperson: Annotated[str | None, Query(max_length=200)] = None,
    order_by: QuoteOrder = "drafted_at",
    descending: bool = False,
    as_of: AsOf = None,
) -> ViewQuery:
    """The quotes the client asks for (as they stood at `as_of`)."""
    where = equal_to(("status", status), ("customer_id", customer_id), ("salesperson", salesperson))
    order = sort(order_by, descending, "quote_id")
    return ViewQuery("quotes", table_at("quotes", as_of), where, order)


@router.get("/quotes", summary="Quotes with status and totals", dependencies=[reader(READERS)])
def quotes_view(
    services: ServicesDep,
    response: Response,
    query: Annotated[ViewQuery, Depends(quote_filters)],
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
) -> ViewPage:
    with answer(services, min_position, response) as snapshot:
        return query_page(snapshot, query, limit, offset)


export_route(router, "/quotes", quote_filters, READERS, "the quotes")
