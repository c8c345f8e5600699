"""The budget versus actual view (V5) over HTTP."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Query, Response

from domain.budget import BudgetCategory
from interfaces.http.deps import ServicesDep
from interfaces.http.routes.views import (
    AsOf,
    Limit,
    Offset,
    Position,
    equal_to,
    page,
    view_router,
    wait_for,
)
from interfaces.http.schemas import ViewPage
from interfaces.http.security import READERS, reader

router = view_router()


@router.get(
    "/budget-vs-actual",
    summary="Budget versus actual per affair and category, with baselines and alerts (V5)",
    dependencies=[reader(READERS)],
)
def budget_view(
    services: ServicesDep,
    response: Response,
    affair_id: UUID | None = None,
    category: BudgetCategory | None = None,
    salesperson: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
    as_of: AsOf = None,
) -> ViewPage:
    position = wait_for(services, min_position, response)
    where = equal_to(
        ("affair_id", None if affair_id is None else str(affair_id)),
        ("category", None if category is None else str(category)),
        ("salesperson", salesperson),
    )
    order = "name, affair_id, line"
    return page(services, "budget_vs_actual", where, order, limit, offset, position, as_of)
