"""The `affair_entries` view over HTTP (A5): each time entry, cost and revenue of affairs,
as recorded until now or until `as_of` (V9), with its export (V10)."""

from __future__ import annotations

from typing import Annotated, Literal
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
    sort,
    view_router,
)
from interfaces.http.routes.views.export import export_route
from interfaces.http.schemas import ViewPage
from interfaces.http.security import READERS, reader
from projections.schema import utc_naive

router = view_router()

EntryKind = Literal["time", "cost", "committed_cost", "committed_cost_received", "revenue"]
EntryOrder = Literal["position", "day", "amount", "hours"]

# A receipt names only its document: its date, amount and category are those of the
# latest commitment of that document on the affair before it. Amounts are shown in the
# affair's currency, which never changes and is on its budget rows.
ENTRIES = """(
    SELECT e.* REPLACE (
        coalesce(e.day, c.day) AS day,
        coalesce(e.amount, c.amount) AS amount,
        coalesce(e.category, c.category) AS category
    ), a.currency
    FROM affair_entries e
    ASOF LEFT JOIN (
        SELECT affair_id, document_ref, position, day, amount, category
        FROM affair_entries WHERE kind = 'committed_cost'
    ) c ON e.affair_id = c.affair_id AND e.document_ref = c.document_ref
        AND e.position > c.position
    LEFT JOIN (
        SELECT affair_id, any_value(currency) AS currency FROM budget_vs_actual GROUP BY affair_id
    ) a ON a.affair_id = e.affair_id
) AS entries"""


def entry_filters(
    affair_id: UUID | None = None,
    kind: EntryKind | None = None,
    employee: Annotated[str | None, Query(max_length=200)] = None,
    category: BudgetCategory | None = None,
    document_ref: Annotated[str | None, Query(max_length=200)] = None,
    billable: bool | None = None,
    order_by: EntryOrder = "position",
    descending: bool = False,
    as_of: AsOf = None,
) -> ViewQuery:
    """The entries the client asks for; with `as_of`, those recorded by then."""
    where = equal_to(
        ("affair_id", None if affair_id is None else str(affair_id)),
        ("kind", kind),
        ("employee", employee),
        ("category", None if category is None else str(category)),
        ("document_ref", document_ref),
        ("billable", billable),
    )
    if as_of is not None:
        where.append(("recorded_at <= ?", utc_naive(as_of)))
    order = sort(order_by, descending, "position", nulls_last=True)
    return ViewQuery("affair-entries", ENTRIES, where, order)


@router.get(
    "/affair-entries",
    summary="Each time entry, cost, receipt of a committed cost and revenue of affairs (A5)",
    dependencies=[reader(READERS)],
)
def affair_entries_view(
    services: ServicesDep,
    response: Response,
    query: Annotated[ViewQuery, Depends(entry_filters)],
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
) -> ViewPage:
    with answer(services, min_position, response) as snapshot:
        return query_page(snapshot, query, limit, offset)


export_route(router, "/affair-entries", entry_filters, READERS, "the affairs' entries")
