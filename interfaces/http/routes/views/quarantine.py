"""Quarantined documents over HTTP: what the read side stopped folding, for admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Response

from interfaces.http.deps import ServicesDep
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
from interfaces.http.security import ADMINS, reader

router = view_router()

# Each quarantined document with how many of its later events were skipped since.
_WITH_SKIPPED = (
    "(SELECT q.*, (SELECT count(*) FROM quarantine_skipped s "
    "WHERE s.document_id = q.document_id) AS skipped_events FROM quarantine q)"
)


def quarantine_filters(
    document_id: Annotated[str | None, Query(max_length=40)] = None,
) -> ViewQuery:
    """The quarantined documents, in log order."""
    return ViewQuery(
        "quarantine", _WITH_SKIPPED, equal_to(("document_id", document_id)), "position"
    )


@router.get(
    "/quarantine",
    summary="Documents the views stopped folding at an event that fails, for admins",
    description=(
        "One row per quarantined document: the log position, version and type of the "
        "event its fold failed at, the error, and how many of its later events were "
        "skipped. Its view rows stay as they stood before that event; every other "
        "document moves on. A rebuild quarantines the same documents."
    ),
    dependencies=[reader(ADMINS)],
)
def quarantine_view(
    services: ServicesDep,
    response: Response,
    query: Annotated[ViewQuery, Depends(quarantine_filters)],
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
) -> ViewPage:
    with answer(services, min_position, response) as snapshot:
        return query_page(snapshot, query, limit, offset)


export_route(router, "/quarantine", quarantine_filters, ADMINS, "the quarantined documents")
