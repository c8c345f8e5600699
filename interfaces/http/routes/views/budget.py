"""The budget versus actual view (V5) over HTTP."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query, Response

from domain.budget import BudgetCategory
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
    view_router,
)
from interfaces.http.routes.views.export import export_route
from interfaces.http.schemas import ViewPage
from interfaces.http.security import READERS, reader
from projections.budget import budget_source

router = view_router()


def budget_filters(
    affair_id: UUID | None = None,
    category: BudgetCategory | None = None,
    salesperson: Annotated[str | None, Query(max_length=200)] = None,
    as_of: AsOf = None,
) -> ViewQuery:
    """The budget rows the client asks for (as they stood at `as_of`)."""
    where = equal_to(
        ("affair_id", None if affair_id is None else str(affair_id)),
        ("category", None if category is None else str(category)),
        ("salesperson", salesperson),
    )
    source = budget_source(as_of)
    return ViewQuery("budget-vs-actual", source, where, "name, affair_id, line")


@router.get(
    "/budget-vs-actual",
    summary="Budget versus actual per affair and category, with baselines and alerts (V5)",
    dependencies=[reader(READERS)],
)
def budget_view(
    services: ServicesDep,
    response: Response,
    query: Annotated[ViewQuery, Depends(budget_filters)],
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
) -> ViewPage:
    with answer(services, min_position, response) as snapshot:
        return query_page(snapshot, query, limit, offset)


export_route(router, "/budget-vs-actual", budget_filters, READERS, "budget versus actual")
