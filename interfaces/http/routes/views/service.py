"""The `warranty` and `service_cases` views over HTTP (V6, V9), with their exports (V10).

Warranty status and days remaining are computed for `today` (default: as_of's date, else
the server's date), with the deployment's `warranty_soon_days`; with `as_of`, of the
warranties and cases as they stood then.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Query, Response

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
    query_page,
    sort,
    view_router,
)
from interfaces.http.routes.views.export import export_route
from interfaces.http.schemas import ViewPage
from interfaces.http.security import READERS, reader
from projections.snapshot import literal, table_at
from projections.warranty import with_status

router = view_router()

WarrantyStatus = Literal["active", "expiring_soon", "expired", "not_started"]
CaseStatus = Literal["intake", "diagnosis", "repair", "returned"]
CaseOrder = Literal["opened_at", "returned_at", "status"]
Id = Annotated[str | None, Query(max_length=40)]


def warranty_filters(
    services: ServicesDep,
    today: Today = None,
    status: WarrantyStatus | None = None,
    expiring_within_days: Annotated[int | None, Query(ge=0, le=36_500)] = None,
    customer_id: Id = None,
    as_of: AsOf = None,
) -> ViewQuery:
    """Warranties with their status and days remaining on the day asked about."""
    day = day_of(services, today, as_of)
    soon = services.app.policies.warranty_soon_days
    source = with_status(as_of).replace("$today", literal(day)).replace("$soon", literal(soon))
    where = equal_to(("status", status), ("customer_id", customer_id))
    if expiring_within_days is not None:
        # In force on `today` and ending within the next N days (N included).
        where.append(
            (
                "status IN ('active', 'expiring_soon') AND days_remaining <= ?",
                expiring_within_days,
            )
        )
    return ViewQuery("warranty", f"({source})", where, "end_date, asset_id, kind")


@router.get(
    "/warranty",
    summary="Warranties by status as of a day, expiring soon, open service cases (V6)",
    dependencies=[reader(READERS)],
)
def warranty_view(
    services: ServicesDep,
    response: Response,
    query: Annotated[ViewQuery, Depends(warranty_filters)],
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
) -> ViewPage:
    with answer(services, min_position, response) as snapshot:
        return query_page(snapshot, query, limit, offset)


export_route(router, "/warranty", warranty_filters, READERS, "the warranties")


def case_filters(
    status: CaseStatus | None = None,
    open_only: bool = False,
    under_warranty: bool | None = None,
    asset_id: Id = None,
    customer_id: Id = None,
    order_by: CaseOrder = "opened_at",
    descending: bool = False,
    as_of: AsOf = None,
) -> ViewQuery:
    """The service cases the client asks for (as they stood at `as_of`)."""
    where = equal_to(
        ("status", status),
        ("under_warranty", under_warranty),
        ("asset_id", asset_id),
        ("customer_id", customer_id),
    )
    if open_only:
        where.append(("status <> ?", "returned"))
    order = sort(order_by, descending, "case_id", nulls_last=True)
    return ViewQuery("service-cases", table_at("service_cases", as_of), where, order)


@router.get(
    "/service-cases",
    summary="Service cases with their warranty and checklist progress (V6, S3, S4)",
    dependencies=[reader(READERS)],
)
def service_cases_view(
    services: ServicesDep,
    response: Response,
    query: Annotated[ViewQuery, Depends(case_filters)],
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
) -> ViewPage:
    with answer(services, min_position, response) as snapshot:
        return query_page(snapshot, query, limit, offset)


export_route(router, "/service-cases", case_filters, READERS, "the service cases")
