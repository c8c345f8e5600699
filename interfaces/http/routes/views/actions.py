"""The affairs' actions as an agenda over HTTP (A8): by assignee, due date and status, as it
stands or as it stood (V9), with its export (V10).

`status` is that of `today` (default: as_of's date, else the server's date): `done`,
`overdue` (not done, due before that day) or `open`; several may be asked for
(`status=open&status=overdue`: what is left to do). `due_from` and `due_to` bound the due
date, both included; an action without a due date is outside any such range. The
agenda comes soonest due first, undated actions last.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import Depends, Query, Response

from domain.affair_fields import ActionKind
from interfaces.http.deps import ServicesDep
from interfaces.http.routes.params import Day, Today
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
from projections.actions import actions_source

router = view_router()

ActionStatus = Literal["open", "overdue", "done"]
ActionOrder = Literal["due", "recorded_at", "completed_at"]
Text = Annotated[str | None, Query(min_length=1, max_length=200)]


def action_filters(
    services: ServicesDep,
    assignee: Text = None,
    status: Annotated[list[ActionStatus] | None, Query(max_length=3)] = None,
    due_from: Annotated[Day | None, Query(description="Due on or after this day")] = None,
    due_to: Annotated[Day | None, Query(description="Due on or before this day")] = None,
    kind: ActionKind | None = None,
    affair_id: UUID | None = None,
    customer_id: UUID | None = None,
    salesperson: Text = None,
    today: Today = None,
    order_by: ActionOrder = "due",
    descending: bool = False,
    as_of: AsOf = None,
) -> ViewQuery:
    """The actions the client asks for, with their status on the day asked about."""
    day = day_of(services, today, as_of)
    where: list[tuple[str, Any]] = equal_to(
        ("assignee", assignee),
        ("kind", None if kind is None else str(kind)),
        ("affair_id", None if affair_id is None else str(affair_id)),
        ("customer_id", None if customer_id is None else str(customer_id)),
        ("salesperson", salesperson),
    )
    if status:
        where.append(("list_contains(?, status)", sorted(set(status))))
    if due_from is not None:
        where.append(("due >= ?", due_from))
    if due_to is not None:
        where.append(("due <= ?", due_to))
    order = sort(order_by, descending, "recorded_at, action_id", nulls_last=True)
    return ViewQuery("actions", actions_source(day, as_of), where, order)


@router.get(
    "/actions",
    summary="The affairs' actions as an agenda: by assignee, due date, status (A8)",
    description=__doc__,
    dependencies=[reader(READERS)],
)
def actions_view(
    services: ServicesDep,
    response: Response,
    query: Annotated[ViewQuery, Depends(action_filters)],
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
) -> ViewPage:
    with answer(services, min_position, response) as snapshot:
        return query_page(snapshot, query, limit, offset)


export_route(router, "/actions", action_filters, READERS, "the actions")
