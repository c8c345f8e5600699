"""The `audit_log` view over HTTP (H3)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Response

from interfaces.http.deps import ServicesDep
from interfaces.http.routes.params import Since, Until
from interfaces.http.routes.views import (
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
from interfaces.http.security import AUDITORS, reader

router = view_router()


def audit_filters(
    actor: Annotated[str | None, Query(max_length=200)] = None,
    document_id: Annotated[str | None, Query(max_length=40)] = None,
    document_type: Annotated[str | None, Query(max_length=40)] = None,
    event_type: Annotated[str | None, Query(max_length=80)] = None,
    since: Since = None,
    until: Until = None,
) -> ViewQuery:
    """The audit rows the client asks for, in log order."""
    where = equal_to(
        ("actor", actor),
        ("document_id", document_id),
        ("document_type", document_type),
        ("event_type", event_type),
    )
    if since is not None:
        where.append(("recorded_at >= ?", since))
    if until is not None:
        where.append(("recorded_at < ?", until))
    return ViewQuery("audit", "audit_log", where, "position")


@router.get(
    "/audit",
    summary="The audit log: every event with who, when and why (H3)",
    dependencies=[reader(AUDITORS)],
)
def audit_view(
    services: ServicesDep,
    response: Response,
    query: Annotated[ViewQuery, Depends(audit_filters)],
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
) -> ViewPage:
    with answer(services, min_position, response) as snapshot:
        return query_page(snapshot, query, limit, offset)


export_route(router, "/audit", audit_filters, AUDITORS, "the audit log")
