"""The `contracts` view and recurring revenue over HTTP (V7, C5).

MRR, `renewal_due` and days to renewal are computed for `today` (default: the
server's date); next year's revenue is the domain's `revenue_between` over the
contracts the projector has folded.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Query, Response
from pydantic import BaseModel

from interfaces.http.deps import ServicesDep
from interfaces.http.routes.params import Today
from interfaces.http.routes.views import (
    Limit,
    Offset,
    Position,
    day_of,
    plain,
    rows_page,
    view_router,
    wait_for,
)
from interfaces.http.schemas import ViewPage
from interfaces.http.security import READERS, reader
from projections.contracts import (
    count_contracts,
    query_contracts,
    recurring_revenue,
    revenue_next_year,
)

router = view_router()

ContractOrder = Literal["renewal_date", "next_billing_date", "start_date", "mrr", "status"]
ContractStatus = Literal["active", "suspended", "terminated"]


class RecurringRevenue(BaseModel):
    """Recurring revenue per currency as of a day."""

    position: int
    today: date
    items: list[dict[str, Any]]


@router.get(
    "/contracts",
    summary="Contracts: next billing date, recurring revenue, renewals due (V7)",
    dependencies=[reader(READERS)],
)
def contracts_view(
    services: ServicesDep,
    response: Response,
    today: Today = None,
    renewals_within_days: Annotated[int | None, Query(ge=0, le=36_500)] = None,
    status: ContractStatus | None = None,
    customer_id: Annotated[str | None, Query(max_length=40)] = None,
    order_by: ContractOrder = "renewal_date",
    descending: bool = False,
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
) -> ViewPage:
    position = wait_for(services, min_position, response)
    day = day_of(services, today)
    cursor = services.views.reader()
    rows = query_contracts(
        cursor,
        day,
        renewals_within_days,
        status,
        customer_id,
        order_by=order_by,
        descending=descending,
        limit=limit,
        offset=offset,
    )
    total = count_contracts(cursor, day, renewals_within_days, status, customer_id)
    return rows_page(position, total, rows)


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
) -> RecurringRevenue:
    position = wait_for(services, min_position, response)
    day = day_of(services, today)
    cursor = services.views.reader()
    monthly = recurring_revenue(cursor, day)
    next_year = revenue_next_year(cursor, day, services.app.mapper.transcoder)
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
    return RecurringRevenue(position=position, today=day, items=items)
