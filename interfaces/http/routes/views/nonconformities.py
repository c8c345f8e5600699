"""Non-conformities over HTTP (O7): goods returned on orders with what was wrong, why and
what is done, by customer, order, affair, product and day, as they stand or as they stood
(V9), with their export (V10).

One row per return and line returned (see `projections.nonconformities`); `returned_from`
and `returned_to` bound the day of the return (UTC), both included. Newest first unless
asked otherwise.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import Depends, Query, Response

from interfaces.http.deps import ServicesDep
from interfaces.http.routes.params import Day
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

NonConformityOrder = Literal["returned_at", "product_ref", "quantity"]
Text = Annotated[str | None, Query(min_length=1, max_length=200)]


def nonconformity_filters(
    customer_id: UUID | None = None,
    order_id: UUID | None = None,
    affair_id: UUID | None = None,
    product_ref: Text = None,
    returned_from: Annotated[Day | None, Query(description="Returned on or after")] = None,
    returned_to: Annotated[Day | None, Query(description="Returned on or before")] = None,
    order_by: NonConformityOrder = "returned_at",
    descending: bool = True,
    as_of: AsOf = None,
) -> ViewQuery:
    """The returned lines the client asks for (as they stood at `as_of`)."""
    where: list[tuple[str, Any]] = equal_to(
        ("customer_id", None if customer_id is None else str(customer_id)),
        ("order_id", None if order_id is None else str(order_id)),
        ("affair_id", None if affair_id is None else str(affair_id)),
        ("product_ref", product_ref),
    )
    if returned_from is not None:
        where.append(("CAST(returned_at AS DATE) >= ?", returned_from))
    if returned_to is not None:
        where.append(("CAST(returned_at AS DATE) <= ?", returned_to))
    order = sort(order_by, descending, "order_id, return_id, line_id", nulls_last=True)
    source = table_at("nonconformities", as_of)
    return ViewQuery("non-conformities", source, where, order)


@router.get(
    "/non-conformities",
    summary="Goods returned with their non-conformity record, by customer, product, day (O7)",
    description=__doc__,
    dependencies=[reader(READERS)],
)
def nonconformities_view(
    services: ServicesDep,
    response: Response,
    query: Annotated[ViewQuery, Depends(nonconformity_filters)],
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
) -> ViewPage:
    with answer(services, min_position, response) as snapshot:
        return query_page(snapshot, query, limit, offset)


export_route(router, "/non-conformities", nonconformity_filters, READERS, "the non-conformities")
