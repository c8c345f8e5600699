"""The `contracts` view and recurring revenue over HTTP (V7, C5, V9).

MRR, `renewal_due` and days to renewal are computed for `today`; next year's revenue is
one query equal to the domain's `revenue_between` over the contracts the projector has
folded (`projections.contract_revenue`). With `as_of`
the contracts are those of that time (their history), and `today` defaults to its date:
the answer is the data as it stood then, not today's data seen from another day. Each
answer reads one snapshot, so the MRR and next year's revenue describe the same state.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Response
from pydantic import BaseModel

from interfaces.http.deps import ServicesDep
from interfaces.http.routes.params import Today
from interfaces.http.routes.views import (
    AsOf,
    Limit,
    Offset,
    Position,
    ViewQuery,
    answer,
    day_of,
    equal_to,
    plain,
    query_page,
    view_router,
)
from interfaces.http.routes.views.export import export_route
from interfaces.http.schemas import ViewPage
from interfaces.http.security import READERS, reader
from projections.contracts import recurring_revenue, revenue_next_year, with_today
from projections.snapshot import literal

router = view_router()

ContractOrder = Literal["renewal_date", "next_billing_date", "start_date", "mrr", "status"]
ContractStatus = Literal["active", "suspended", "terminated"]


class RecurringRevenue(BaseModel):
    """Recurring revenue per currency as of a day."""

    position: int
    today: date
    as_of: datetime | None = None
    items: list[dict[str, Any]]


def contracts_filters(
    services: ServicesDep,
    today: Today = None,
    renewals_within_days: Annotated[int | None, Query(ge=0, le=36_500)] = None,
    status: ContractStatus | None = None,
    customer_id: Annotated[str | None, Query(max_length=40)] = None,
    order_by: ContractOrder = "renewal_date",
    descending: bool = False,
    as_of: AsOf = None,
) -> ViewQuery:
    """The contracts the client asks for, with MRR and renewal due on the day asked about."""
    day = day_of(services, today, as_of)
    source = with_today(as_of).replace("$today", literal(day))
    where = equal_to(("status", status), ("customer_id", customer_id))
    if renewals_within_days is not None:
        # `renewal_due` as it will be in N days: Contract.renewal_due(today + N).
        horizon = day + timedelta(days=renewals_within_days)
        where.append(
            ("renewal_date IS NOT NULL AND status <> 'terminated' AND renewal_date <= ?", horizon)
        )
    direction = "DESC" if descending else "ASC"
    order = f"{order_by} {direction} NULLS LAST, contract_id"
    return ViewQuery("contracts", f"({source})", where, order)


@router.get(
    "/contracts",
    summary="Contracts: next billing date, recurring revenue, renewals due (V7)",
    dependencies=[reader(READERS)],
)
def contracts_view(
    services: ServicesDep,
    response: Response,
    query: Annotated[ViewQuery, Depends(contracts_filters)],
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
) -> ViewPage:
    with answer(services, min_position, response) as snapshot:
        return query_page(snapshot, query, limit, offset)


export_route(router, "/contracts", contracts_filters, READERS, "the contracts")


@router.get(
    "/recurring-revenue",
    summary="MRR, ARR and next year's revenue per currency (V7, C5)",
    dependencies=[reader(READERS)],
)
def recurring_revenue_view(
    services: ServicesDep,
    response: Response,
    today: Today = None,
    min_position: Position = None,
    as_of: AsOf = None,
) -> RecurringRevenue:
    day = day_of(services, today, as_of)
    with answer(services, min_position, response) as snapshot:
        monthly = recurring_revenue(snapshot, day, as_of)
        next_year = revenue_next_year(snapshot, day, as_of)
        position = snapshot.position
    items = []
    for currency in sorted(set(monthly) | set(next_year)):
        running = monthly.get(currency, {"contracts": 0, "mrr": 0, "arr": 0})
        row = {
            "currency": currency,
            "contracts": running["contracts"],
            "mrr": running["mrr"],
            "arr": running["arr"],
            "next_year_revenue": next_year.get(currency, 0),
        }
        items.append(plain(row))
    return RecurringRevenue(position=position, today=day, as_of=as_of, items=items)
