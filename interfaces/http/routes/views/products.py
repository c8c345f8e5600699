"""The `products` and `price_history` views over HTTP (P1, P2)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Query, Response

from interfaces.http.deps import ServicesDep
from interfaces.http.routes.params import DAY_RULE, Day
from interfaces.http.routes.views import (
    AsOf,
    Limit,
    Offset,
    Position,
    ViewQuery,
    answer,
    day_of,
    equal_to,
    query_page,
    sort,
    view_router,
)
from interfaces.http.routes.views.export import export_route
from interfaces.http.schemas import ViewPage
from interfaces.http.security import ADMINS, READERS, reader
from projections.price_history import history_on
from projections.products import products_on
from projections.snapshot import table_at

router = view_router()
CATALOGUE_READERS = READERS | ADMINS
ProductOrder = Literal["reference", "name", "family", "status", "cost"]
OnDay = Annotated[
    Day | None, Query(description=f"Prices in force on this day (default today); {DAY_RULE}")
]


def product_filters(
    services: ServicesDep,
    search: Annotated[str | None, Query(max_length=200, description="In reference or name")] = None,
    family: Annotated[str | None, Query(max_length=200)] = None,
    status: Annotated[Literal["active", "discontinued"] | None, Query()] = None,
    kind: Annotated[Literal["goods", "service", "kit"] | None, Query()] = None,
    on: OnDay = None,
    order_by: ProductOrder = "reference",
    descending: bool = False,
    as_of: AsOf = None,
) -> ViewQuery:
    """Products (as they stood at `as_of`) with each list's price for them on `on`."""
    where = equal_to(("status", status), ("kind", kind))
    if family is not None:
        where.append(("lower(family) = lower(?)", family))
    if search is not None:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(("(reference || ' ' || name) ILIKE ? ESCAPE '\\'", pattern))
    day = day_of(services, on, as_of)
    source = products_on(table_at("products", as_of), day)
    return ViewQuery("products", source, where, sort(order_by, descending, "reference"))


@router.get(
    "/products",
    summary="Products: search, family, status, and the price each list gives (P1)",
    dependencies=[reader(CATALOGUE_READERS)],
)
def products_view(
    services: ServicesDep,
    response: Response,
    query: Annotated[ViewQuery, Depends(product_filters)],
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
) -> ViewPage:
    with answer(services, min_position, response) as snapshot:
        return query_page(snapshot, query, limit, offset)


def price_history_filters(
    product: Annotated[str | None, Query(max_length=64, description="A reference")] = None,
    price_list: Annotated[str | None, Query(max_length=64, description="A list's code")] = None,
    on: Annotated[
        Day | None, Query(description=f"Only the prices in force on this day; {DAY_RULE}")
    ] = None,
) -> ViewQuery:
    """Every price a product had (its own rules and its family's) per list, or on a day."""
    where = []
    if product is not None:
        key = product.casefold()
        # the product's own rules and its family's (one parameter: the reference)
        mine = (
            "rule_key IN (SELECT unnest(['product:' || x.k, 'family:' || (SELECT family_key "
            "FROM products WHERE reference_key = x.k)]) FROM (SELECT CAST(? AS VARCHAR) AS k) x)"
        )
        where.append((mine, key))
    if price_list is not None:
        where.append(("lower(price_list_code) = lower(?)", price_list))
    order = "price_list_code, rule_key, effective_from, min_quantity"
    return ViewQuery("price-history", history_on(on), where, order)


@router.get(
    "/price-history",
    summary="Every price a product had per list, or those in force on a day (P2)",
    dependencies=[reader(CATALOGUE_READERS)],
)
def price_history_view(
    services: ServicesDep,
    response: Response,
    query: Annotated[ViewQuery, Depends(price_history_filters)],
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
) -> ViewPage:
    with answer(services, min_position, response) as snapshot:
        return query_page(snapshot, query, limit, offset)


export_route(router, "/products", product_filters, CATALOGUE_READERS, "the products")
export_route(router, "/price-history", price_history_filters, CATALOGUE_READERS, "price history")
