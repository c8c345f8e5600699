"""The quote dashboard by validity bucket over HTTP (V4, Q5).

Buckets are those of `today` (default: the server's date), with the deployment's
`quote_soon_days`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Response
from pydantic import BaseModel

from domain.quote_policy import ValidityBucket
from domain.values import MINOR_UNITS, round_money
from interfaces.http.deps import ServicesDep
from interfaces.http.routes.params import Today
from interfaces.http.routes.views import (
    Limit,
    Offset,
    Position,
    day_of,
    rows_page,
    view_router,
    wait_for,
)
from interfaces.http.schemas import ViewPage
from interfaces.http.security import READERS, reader
from projections.quote_validity import query_validity, query_validity_list

router = view_router()


class ValidityDashboard(BaseModel):
    """Count and gross total per currency of each validity bucket, as of a day."""

    position: int
    today: date
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
) -> ValidityDashboard:
    position = wait_for(services, min_position, response)
    day = day_of(services, today)
    soon = services.app.policies.quote_soon_days
    buckets = []
    for bucket in query_validity(services.views.reader(), day, soon):
        totals = {
            currency: str(round_money(total, currency) if currency in MINOR_UNITS else total)
            for currency, total in sorted(bucket["total_gross"].items())
        }
        buckets.append(
            {"bucket": bucket["bucket"], "count": bucket["count"], "total_gross": totals}
        )
    return ValidityDashboard(position=position, today=day, soon_days=soon, buckets=buckets)


@router.get(
    "/quote-validity/{bucket}",
    summary="The quotes in one validity bucket, soonest validity date first (V4)",
    dependencies=[reader(READERS)],
)
def quote_validity_list_view(
    services: ServicesDep,
    response: Response,
    bucket: ValidityBucket,
    today: Today = None,
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
) -> ViewPage:
    position = wait_for(services, min_position, response)
    day = day_of(services, today)
    soon = services.app.policies.quote_soon_days
    cursor = services.views.reader()
    total, rows = query_validity_list(cursor, day, soon, str(bucket), limit, offset)
    return rows_page(position, total, rows)
