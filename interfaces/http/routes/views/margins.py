"""The margins view over HTTP (P4, Q8; PEMBA: margin per product type): quote and order
lines grouped by product or by product family, per kind of document and currency, with
their net, cost, margin and margin rate, for a period of document days, as of any time,
and exported like every view (V10).

A line without a known cost (none on the line, none for its product on the document's
day) counts in `net` and `uncosted_lines` but not in the margin: `margin` is
`costed_net − cost`, and `margin_rate` is `margin / costed_net × 100`. Quotes declined or
abandoned and cancelled orders are left out unless `status` asks for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

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
    equal_to,
    query_page,
    view_router,
)
from interfaces.http.routes.views.export import export_route
from interfaces.http.schemas import ViewPage
from interfaces.http.security import READERS, reader
from projections.margins import margin_lines

router = view_router()

By = Literal["product", "family"]
MarginOrder = Literal["margin", "margin_rate", "net", "cost", "key"]
LOST = ("declined", "abandoned", "cancelled")
# What each grouping shows as its key column, and the line column it groups on.
KEYS: dict[str, tuple[str, str]] = {
    "product": ("product", "product_key"),
    "family": ("family", "lower(family)"),
}


@dataclass(frozen=True)
class MarginQuery(ViewQuery):
    """The filtered lines of `source` summed per document kind, currency and `by`."""

    by: By = "product"

    def sql(self, ordered: bool = True) -> tuple[str, list[Any]]:
        clauses = " AND ".join(sql for sql, _ in self.where) or "TRUE"
        params = [value for _, value in self.where]
        name, key = KEYS[self.by]
        shown = "min(product_ref)" if self.by == "product" else "min(family)"
        known = "line_cost IS NOT NULL"
        costed = f"sum(net) FILTER (WHERE {known})"
        grouped = f"""SELECT document, currency, {shown} AS {name}, count(*) AS lines,
                sum(net) AS net, coalesce({costed}, 0) AS costed_net,
                coalesce(sum(line_cost), 0) AS cost,
                coalesce({costed}, 0) - coalesce(sum(line_cost), 0) AS margin,
                CASE WHEN coalesce({costed}, 0) = 0 THEN NULL ELSE CAST(round(
                    ({costed} - sum(line_cost)) / {costed} * 100, 2) AS DECIMAL(18, 2))
                END AS margin_rate,
                count(*) FILTER (WHERE NOT ({known})) AS uncosted_lines
            FROM {self.source} WHERE {clauses} GROUP BY document, currency, {key}"""
        sql = f"SELECT * FROM ({grouped})"
        return (f"{sql} ORDER BY {self.order}" if ordered else sql), params


def margin_filters(
    by: Annotated[
        By, Query(description="Group the lines by product (the default) or by product family")
    ] = "product",
    document: Annotated[Literal["quote", "order"] | None, Query()] = None,
    start: Annotated[
        Day | None, Query(alias="from", description=f"First document day; {DAY_RULE}")
    ] = None,
    end: Annotated[Day | None, Query(alias="to", description=f"Last document day; {DAY_RULE}")] = (
        None
    ),
    status: Annotated[
        str | None, Query(max_length=30, description="Only the documents in this status")
    ] = None,
    customer_id: Annotated[str | None, Query(max_length=40)] = None,
    currency: Annotated[str | None, Query(min_length=3, max_length=3)] = None,
    product: Annotated[str | None, Query(max_length=64, description="A reference")] = None,
    family: Annotated[str | None, Query(max_length=200)] = None,
    order_by: MarginOrder = "margin",
    descending: bool = True,
    as_of: AsOf = None,
) -> ViewQuery:
    """Margins of the lines the client asks for (as they stood at `as_of`)."""
    where = equal_to(
        ("document", document),
        ("status", status),
        ("customer_id", customer_id),
        ("currency", None if currency is None else currency.upper()),
        ("product_key", None if product is None else product.casefold()),
    )
    if status is None:
        where.append(("NOT list_contains(?, status)", list(LOST)))
    if family is not None:
        where.append(("lower(family) = lower(?)", family))
    where += _days(start, end)
    column = KEYS[by][0] if order_by == "key" else order_by
    direction = "DESC" if descending else "ASC"
    order = f"{column} {direction} NULLS LAST, document, currency, {KEYS[by][0]} NULLS LAST"
    return MarginQuery("margins", margin_lines(as_of), where, order, by=by)


def _days(start: date | None, end: date | None) -> list[tuple[str, Any]]:
    days: list[tuple[str, Any]] = []
    if start is not None:
        days.append(("day >= ?", start))
    if end is not None:
        days.append(("day <= ?", end))
    return days


@router.get(
    "/margins",
    summary="Margins per product or product family over quote and order lines (P4, Q8)",
    dependencies=[reader(READERS)],
)
def margins_view(
    services: ServicesDep,
    response: Response,
    query: Annotated[ViewQuery, Depends(margin_filters)],
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
) -> ViewPage:
    with answer(services, min_position, response) as snapshot:
        return query_page(snapshot, query, limit, offset)


export_route(router, "/margins", margin_filters, READERS, "the margins")
