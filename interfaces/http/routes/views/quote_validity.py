"""The quote dashboard by validity bucket over HTTP (V4, Q5, V9).

Buckets are those of `today` (default: as_of's date, else the server's date), with the
deployment's `quote_soon_days`; with `as_of`, of the quotes as they stood then.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, Response
from pydantic import BaseModel

from domain.quote_policy import ValidityBucket
from domain.values import MINOR_UNITS, round_money
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
    query_page,
    view_router,
)
from interfaces.http.routes.views.export import export_route
from interfaces.http.schemas import ViewPage
from interfaces.http.security import READERS, reader
from projections.quote_validity import bucketed, query_validity
from projections.snapshot import literal

router = view_router()


class ValidityDashboard(BaseModel):
    """Count and gross total per currency of each validity bucket, as of a day."""

    position: int
    today: date
    as_of: datetime | None = None
    soon_days: int
    buckets: list[dict[str, Any]]


@router.get(
    "/quote-validity",
    summary="Quotes per validity bucket: count and total incl. tax (V4)",
    dependencies=[reader(READERS)],
)
def quote_validity_view(
    services: ServicesDep,
    response: Response,
    today: Today = None,
    min_position: Position = None,
    as_of: AsOf = None,
) -> ValidityDashboard:
    day = day_of(services, today, as_of)
    soon = services.app.policies.quote_soon_days
    buckets = []
    with answer(services, min_position, response) as snapshot:
        found = query_validity(snapshot, day, soon, as_of)
        position = snapshot.position
    for bucket in found:
        totals = {
            currency: str(round_money(total, currency) if currency in MINOR_UNITS else total)
            for currency, total in sorted(bucket["total_gross"].items())
        }
        buckets.append(
            {"bucket": bucket["bucket"], "count": bucket["count"], "total_gross": totals}
        )
    return ValidityDashboard(
        position=position, today=day, as_of=as_of, soon_days=soon, buckets=buckets
    )


def bucket_filters(
    services: ServicesDep, bucket: ValidityBucket, today: Today = None, as_of: AsOf = None
) -> ViewQuery:
    """The quotes in one bucket on the day asked about, soonest validity date first."""
    day = day_of(services, today, as_of)
    soon = services.app.policies.quote_soon_days
    source = bucketed(as_of).replace("$today", literal(day)).replace("$soon", literal(soon))
    where = [("bucket = ?", str(bucket))]
    return ViewQuery(f"quotes-{bucket}", f"({source})", where, "valid_until NULLS LAST, quote_id")


@router.get(
    "/quote-validity/{bucket}",
    summary="The quotes in one validity bucket, soonest validity date first (V4)",
    dependencies=[reader(READERS)],
)
def quote_validity_list_view(
    services: ServicesDep,
    response: Response,
    query: Annotated[ViewQuery, Depends(bucket_filters)],
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
) -> ViewPage:
    with answer(services, min_position, response) as snapshot:
        return query_page(snapshot, query, limit, offset)


export_route(router, "/quote-validity/{bucket}", bucket_filters, READERS, "a validity bucket")
