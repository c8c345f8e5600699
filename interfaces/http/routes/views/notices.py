"""The `notices` view over HTTP, as it stands or as it stood (V9), with its export (V10).

`kind` is any `NoticeKind`: renewal_due, warranty_expiring, dunning, view_quarantine,
integrity_alert."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Query, Response

from domain.notice import NoticeKind
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
from projections.snapshot import table_at

router = view_router()


def notice_filters(
    status: Literal["open", "acknowledged"] | None = None,
    kind: NoticeKind | None = None,
    document_id: Annotated[str | None, Query(max_length=40)] = None,
    as_of: AsOf = None,
) -> ViewQuery:
    """The notices the client asks for, soonest due first."""
    where = equal_to(
        ("status", status),
        ("kind", None if kind is None else str(kind)),
        ("document_id", document_id),
    )
    return ViewQuery("notices", table_at("notices", as_of), where, "due, notice_id")


@router.get(
    "/notices",
    summary="Notices: renewals due, warranties expiring, dunning levels reached (C3, S2)",
    dependencies=[reader(READERS)],
)
def notices_view(
    services: ServicesDep,
    response: Response,
    query: Annotated[ViewQuery, Depends(notice_filters)],
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
) -> ViewPage:
    with answer(services, min_position, response) as snapshot:
        return query_page(snapshot, query, limit, offset)


export_route(router, "/notices", notice_filters, READERS, "the notices")
