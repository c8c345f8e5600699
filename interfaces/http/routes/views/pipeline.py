"""The pipeline (V1) with totals per group, forecast (V2), KPIs and quote conversion (V3)
and forecast accuracy (V9) over HTTP; each answer from one snapshot, and as of any time."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Response

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
    ViewQuery,
    answer,
    equal_to,
    plain,
    query_page,
    sort,
    view_router,
)
from interfaces.http.routes.views.export import export_route
from interfaces.http.schemas import ViewPage, json_safe
from interfaces.http.security import READERS, reader
from projections import pipeline_reports, stages
from projections.snapshot import table_at

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


Group = Literal["salesperson", "zone", "country", "sale_type", "stage", "kind"]
Groups = Annotated[
    list[Group] | None,
    Query(description="Group by these columns (repeat the parameter for several)"),
]


def pipeline_filters(
    salesperson: Name = None,
    zone: Name = None,
    country: Name = None,
    sale_type: Annotated[str | None, Query(max_length=40)] = None,
    stage: Annotated[str | None, Query(max_length=40)] = None,
    kind: Kind | None = None,
    order_by: PipelineOrder = "expected_close",
    descending: bool = False,
    as_of: AsOf = None,
) -> ViewQuery:
    """The pipeline's rows the client asks for (as they stood at `as_of`)."""
    where = equal_to(
        ("salesperson", salesperson),
        ("zone", zone),
        ("country", country),
        ("sale_type", sale_type),
        ("stage", stage),
        ("kind", kind),
    )
    order = sort(order_by, descending, "document_id", nulls_last=True)
    return ViewQuery("pipeline", table_at("pipeline", as_of), where, order, _plain)


@router.get(
    "/pipeline",
    summary="Open affairs and open quotes outside affairs, with weighted amounts (V1)",
    dependencies=[reader(READERS)],
)
def pipeline_view(
    services: ServicesDep,
    response: Response,
    query: Annotated[ViewQuery, Depends(pipeline_filters)],
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
) -> ViewPage:
    with answer(services, min_position, response) as snapshot:
        return query_page(snapshot, query, limit, offset)


export_route(router, "/pipeline", pipeline_filters, READERS, "the pipeline")


@router.get(
    "/pipeline/totals",
    summary="The pipeline's documents and amounts per stage, salesperson … (V1)",
    dependencies=[reader(READERS)],
)
def pipeline_totals_view(
    services: ServicesDep,
    response: Response,
    group_by: Groups = None,
    salesperson: Name = None,
    zone: Name = None,
    country: Name = None,
    sale_type: Annotated[str | None, Query(max_length=40)] = None,
    stage: Annotated[str | None, Query(max_length=40)] = None,
    kind: Kind | None = None,
    min_position: Position = None,
    as_of: AsOf = None,
) -> dict[str, Any]:
    """Per group (stage by default): documents, Σ amount and Σ weighted amount in the
    base currency; rows that cannot be converted are counted in `unconverted`."""
    filters = {
        "salesperson": salesperson,
        "zone": zone,
        "country": country,
        "sale_type": sale_type,
        "stage": stage,
        "kind": kind,
    }
    groups = list(group_by or ["stage"])
    with answer(services, min_position, response) as snapshot:
        rows = pipeline_reports.pipeline_totals(snapshot, groups, filters, as_of)
        return {"position": snapshot.position, "group_by": groups, "items": json_safe(rows)}


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
    sale_type: Annotated[str | None, Query(max_length=40)] = None,
    country: Name = None,
    group_by: Groups = None,
    min_position: Position = None,
    as_of: AsOf = None,
) -> dict[str, Any]:
    """Per month and group (salesperson and zone by default; sale type, country …)."""
    start, end = first_day(from_month), first_day(to_month)
    if end < start:
        raise InvalidInput(f"to_month {to_month} comes before from_month {from_month}")
    if months_between(start, end) > MAX_MONTHS:
        raise InvalidInput(
            f"from_month {from_month} to to_month {to_month} spans more than {MAX_MONTHS} months"
        )
    groups = list(group_by or pipeline_reports.DEFAULT_FORECAST_GROUPS)
    with answer(services, min_position, response) as snapshot:
        rows = pipeline_reports.forecast(
            snapshot,
            start,
            end,
            salesperson,
            zone,
            sale_type=sale_type,
            country=country,
            group_by=groups,
            as_of=as_of,
        )
        items = [{**row, "month": row["month"].strftime("%Y-%m")} for row in rows]
        return {"position": snapshot.position, "group_by": groups, "items": json_safe(items)}


@router.get(
    "/kpis",
    summary="Win rate, conversion per stage, time in stage, deal size, quote conversion (V3)",
    dependencies=[reader(READERS)],
)
def kpis_view(
    services: ServicesDep,
    response: Response,
    since: Since = None,
    until: Until = None,
    min_position: Position = None,
    as_of: AsOf = None,
) -> dict[str, Any]:
    """`quote_conversion`: signed (accepted or converted) ÷ decided quotes (signed,
    declined, expired or abandoned) drafted in [since, until), overall and per salesperson."""
    currency = services.views.reporting_currency
    with answer(services, min_position, response) as snapshot:
        kpis = stages.kpis(snapshot, since, until, as_of=as_of, base_currency=currency)
        quotes = pipeline_reports.quote_conversion(snapshot, since, until, as_of)
        return {
            "position": snapshot.position,
            **json_safe(kpis),
            "quote_conversion": json_safe(quotes),
        }


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
    if period_end <= period_start:
        raise InvalidInput(f"period_end {period_end} must come after period_start {period_start}")
    currency = services.views.reporting_currency
    with answer(services, min_position, response) as snapshot:
        result = stages.forecast_accuracy(snapshot, at, period_start, period_end, currency)
        return {"position": snapshot.position, **json_safe(result)}
