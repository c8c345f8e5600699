"""The `notices` view over HTTP."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query, Response

from interfaces.http.deps import ServicesDep
from interfaces.http.routes.views import (
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
    "/notices",
    summary="Renewals coming due and warranties about to expire (C3, S2)",
    dependencies=[reader(READERS)],
)
def notices_view(
    services: ServicesDep,
    response: Response,
    status: Literal["open", "acknowledged"] | None = None,
    kind: Literal["renewal_due", "warranty_expiring"] | None = None,
    document_id: Annotated[str | None, Query(max_length=40)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
) -> ViewPage:
    position = wait_for(services, min_position, response)
    where = equal_to(("status", status), ("kind", kind), ("document_id", document_id))
    return page(services, "notices", where, "due, notice_id", limit, offset, position)
