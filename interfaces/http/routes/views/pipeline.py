"""The pipeline (V1), forecast (V2), KPIs (V3) and forecast accuracy (V9) over HTTP."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query, Response

from domain.errors import InvalidInput
from interfaces.http.deps import ServicesDep
from interfaces.http.routes.params import (
    MAX_MONTHS,
    MONTH_RULE,
    Day,
    Instant,
    Month,
    Since,
    Until,
    first_day,
    months_between,
)
from interfaces.http.routes.views import (
    AsOf,
    Limit,
    Offset,
    Position,
    equal_to,
    page,
    plain,
    sort,
    view_router,
    wait_for,
)
from interfaces.http.schemas import ViewPage, json_safe
from interfaces.http.security import READERS, reader
from projections import stages

router = view_router()

PipelineOrder = Literal[
    "expected_close",
    "amount",
    "amount_base",
    "weighted_amount",
    "weighted_base",
    "probability",
    "stage",
    "salesperson",
    "name",
    "updated_at",
]
Kind = Literal["affair", "quote"]
FromMonth = Annotated[Month, Query(description=f"The first month, included; {MONTH_RULE}")]
ToMonth = Annotated[
    Month,
    Query(
        description=(
            f"The last month, included; {MONTH_RULE}; at most {MAX_MONTHS} months from from_month"
        )
    ),
]
Name = Annotated[str | None, Query(max_length=200)]
# Amounts in the base currency are rounded to it, not to the row's own currency.
_BASE_COLUMNS = ("amount_base", "weighted_base")


@router.get(
    "/pipeline",
    summary="Open affairs and open quotes outside affairs, with weighted amounts (V1)",
    dependencies=[reader(READERS)],
)
def pipeline_view(
    services: ServicesDep,
    response: Response,
    salesperson: Name = None,
    zone: Name = None,
    country: Name = None,
    sale_type: Annotated[str | None, Query(max_length=40)] = None,
    stage: Annotated[str | None, Query(max_length=40)] = None,
    kind: Kind | None = None,
    order_by: PipelineOrder = "expected_close",
    descending: bool = False,
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
    as_of: AsOf = None,
) -> ViewPage:
    position = wait_for(services, min_position, response)
    where = equal_to(
        ("salesperson", salesperson),
        ("zone", zone),
        ("country", country),
        ("sale_type", sale_type),
        ("stage", stage),
        ("kind", kind),
    )
    order = sort(order_by, descending, "document_id", nulls_last=True)
    return page(services, "pipeline", where, order, limit, offset, position, as_of, _plain)


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    base = {name: row.pop(name) for name in _BASE_COLUMNS}
    in_base = plain({**base, "currency": row["base_currency"]})
    return {**plain(row), **{name: in_base[name] for name in _BASE_COLUMNS}}


@router.get(
    "/forecast",
    summary="Weighted expected revenue per month, salesperson and zone (V2)",
    dependencies=[reader(READERS)],
)
def forecast_view(
    services: ServicesDep,
    response: Response,
    from_month: FromMonth,
    to_month: ToMonth,
    salesperson: Name = None,
    zone: Name = None,
    min_position: Position = None,
) -> dict[str, Any]:
    position = wait_for(services, min_position, response)
    start, end = first_day(from_month), first_day(to_month)
    if end < start:
        raise InvalidInput(f"to_month {to_month} comes before from_month {from_month}")
    if months_between(start, end) > MAX_MONTHS:
        raise InvalidInput(
            f"from_month {from_month} to to_month {to_month} spans more than {MAX_MONTHS} months"
        )
    rows = stages.forecast(services.views.reader(), start, end, salesperson, zone)
    items = [{**row, "month": row["month"].strftime("%Y-%m")} for row in rows]
    return {"position": position, "items": json_safe(items)}


@router.get(
    "/kpis",
    summary="Win rate, conversion per stage, time in stage and average deal size (V3)",
    dependencies=[reader(READERS)],
)
def kpis_view(
    services: ServicesDep,
    response: Response,
    since: Since = None,
    until: Until = None,
    min_position: Position = None,
) -> dict[str, Any]:
    position = wait_for(services, min_position, response)
    kpis = stages.kpis(services.views.reader(), since, until)
    return {"position": position, **json_safe(kpis)}


@router.get(
    "/forecast-accuracy",
    summary="The weighted forecast as it stood at a time versus what was won (V9)",
    dependencies=[reader(READERS)],
)
def forecast_accuracy_view(
    services: ServicesDep,
    response: Response,
    at: Instant,
    period_start: Day,
    period_end: Day,
    min_position: Position = None,
) -> dict[str, Any]:
    position = wait_for(services, min_position, response)
    if period_end <= period_start:
        raise InvalidInput(f"period_end {period_end} must come after period_start {period_start}")
    result = stages.forecast_accuracy(services.views.reader(), at, period_start, period_end)
    return {"position": position, **json_safe(result)}
