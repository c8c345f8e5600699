"""The `warranty` and `service_cases` views over HTTP (V6).

Warranty status and days remaining are computed for `today` (default: the server's
date), with the deployment's `warranty_soon_days`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query, Response

from interfaces.http.deps import ServicesDep
from interfaces.http.routes.params import Today
from interfaces.http.routes.views import (
    Limit,
    Offset,
    Position,
    day_of,
    equal_to,
    page,
    rows_page,
    sort,
    view_router,
    wait_for,
)
from interfaces.http.schemas import ViewPage
from interfaces.http.security import READERS, reader
from projections.warranty import count_warranty, query_warranty

router = view_router()

WarrantyStatus = Literal["active", "expiring_soon", "expired", "not_started"]
CaseStatus = Literal["intake", "diagnosis", "repair", "returned"]
CaseOrder = Literal["opened_at", "returned_at", "status"]


@router.get(
    "/warranty",
    summary="Warranties by status as of a day, expiring soon, open service cases (V6)",
    dependencies=[reader(READERS)],
)
def warranty_view(
    services: ServicesDep,
    response: Response,
    today: Today = None,
    status: WarrantyStatus | None = None,
    expiring_within_days: Annotated[int | None, Query(ge=0, le=36_500)] = None,
    customer_id: Annotated[str | None, Query(max_length=40)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
) -> ViewPage:
    position = wait_for(services, min_position, response)
    day = day_of(services, today)
    soon = services.app.policies.warranty_soon_days
    cursor = services.views.reader()
    filters: dict[str, Any] = {
        "status": status,
        "expiring_within_days": expiring_within_days,
        "customer_id": customer_id,
        "soon_days": soon,
    }
    rows = query_warranty(cursor, day, **filters, limit=limit, offset=offset)
    total = count_warranty(cursor, day, **filters)
    return rows_page(position, total, rows)


@router.get(
    "/service-cases",
    summary="Service cases with their warranty and checklist progress (V6, S3, S4)",
    dependencies=[reader(READERS)],
)
def service_cases_view(
    services: ServicesDep,
    response: Response,
    status: CaseStatus | None = None,
    open_only: bool = False,
    under_warranty: bool | None = None,
    asset_id: Annotated[str | None, Query(max_length=40)] = None,
    customer_id: Annotated[str | None, Query(max_length=40)] = None,
    order_by: CaseOrder = "opened_at",
    descending: bool = False,
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
) -> ViewPage:
    position = wait_for(services, min_position, response)
    where = equal_to(
        ("status", status),
        ("under_warranty", under_warranty),
        ("asset_id", asset_id),
        ("customer_id", customer_id),
    )
    if open_only:
        where.append(("status <> ?", "returned"))
    order = sort(order_by, descending, "case_id", nulls_last=True)
    return page(services, "service_cases", where, order, limit, offset, position)
