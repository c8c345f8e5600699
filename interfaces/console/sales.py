"""Pages of the sales side: the pipeline as a funnel, the forecast against what was won,
and the quotes by validity bucket; each from the JSON views, as of any day."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from interfaces.console.common import (
    BadFilter,
    as_of_day,
    chart,
    chosen,
    export_link,
    instant,
    month_start,
    page_route,
    today,
    view_page,
)
from interfaces.console.rendering import render
from interfaces.console.session import Console

router = APIRouter()

PIPELINE_FILTERS = ("salesperson", "zone", "sale_type")
LADDER = ("P", "E", "M", "B", "A")
STAGE_NAMES = {
    "P": "Prospection",
    "E": "Evaluation",
    "M": "Maturation",
    "B": "Budgeting",
    "A": "Purchase",
    "quote": "Quotes outside affairs",
}
SALE_TYPES = {
    "product": "Product or software",
    "maintenance_contract": "Maintenance contract",
    "study": "Study",
    "training": "Training",
}
BUCKETS = ("expires_soon", "pending", "expires_later", "expired", "signed")
BUCKET_NAMES = {
    "signed": "Signed",
    "pending": "Pending (no validity date or past it, not expired yet)",
    "expires_soon": "Expires in less than 10 days",
    "expires_later": "Expires in 10 days or more",
    "expired": "Expired",
}


def stage_order(stage: str) -> tuple[int, str]:
    """The default ladder first (P-E-M-B-A), then other stages, quotes last."""
    if stage in LADDER:
        return (LADDER.index(stage), stage)
    return (len(LADDER) + (1 if stage == "quote" else 0), stage)


async def options(console: Console, column: str, as_of: str | None) -> list[str]:
    """The values a pipeline filter can take: the groups the pipeline has on that day."""
    body = await console.client.json("/views/pipeline/totals", {"group_by": column, "as_of": as_of})
    return sorted({str(row[column]) for row in body["items"] if row.get(column)})


def funnel(items: list[dict[str, Any]], words: Any) -> dict[str, Any]:
    """The funnel chart's data: amount and weighted amount per stage, in the base currency."""
    currency = items[0]["base_currency"] if items else "EUR"
    rows = sorted(
        (r for r in items if r["base_currency"] == currency), key=lambda r: stage_order(r["stage"])
    )
    labels = [words.gettext(STAGE_NAMES.get(r["stage"], r["stage"])) for r in rows]
    return {
        "type": "bar",
        "horizontal": True,
        "currency": currency,
        "labels": labels,
        "datasets": [
            {"label": words.gettext("Amount"), "data": [r["amount_base"] for r in rows]},
            {"label": words.gettext("Weighted"), "data": [r["weighted_base"] for r in rows]},
        ],
    }


@page_route(router, "/pipeline")
async def pipeline_page(console: Console) -> Response:
    """Open affairs and quotes per stage, filtered by salesperson, zone and sale type."""
    day = as_of_day(console)
    as_of = instant(day)
    filters = chosen(console, PIPELINE_FILTERS)
    params = {**filters, "as_of": as_of}
    totals = await console.client.json("/views/pipeline/totals", {**params, "group_by": "stage"})
    stages = sorted(totals["items"], key=lambda r: stage_order(r["stage"]))
    ordered = {**params, "order_by": "weighted_amount", "descending": "true"}
    rows, pager = await view_page(console, "/views/pipeline", ordered)
    choices = {name: await options(console, name, as_of) for name in PIPELINE_FILTERS}
    context = {
        "title": console.words.gettext("Pipeline"),
        "as_of": day,
        "filters": filters,
        "choices": choices,
        "stages": stages,
        "stage_names": STAGE_NAMES,
        "sale_types": SALE_TYPES,
        "chart": funnel(totals["items"], console.words),
        "rows": rows["items"],
        "pager": pager,
        "position": rows["position"],
        "export": export_link("pipeline", {**filters, "as_of": day}),
    }
    return render(console.request, "pipeline.html", context, console)


def monthly(items: list[dict[str, Any]]) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for row in items:
        sums[row["month"]] += Decimal(row["weighted_base"])
    return sums


@page_route(router, "/forecast")
async def forecast_page(console: Console) -> Response:
    """The weighted forecast per month against what was won, and how right it was."""
    day = as_of_day(console)
    now = today(console)
    filters = chosen(console, PIPELINE_FILTERS)
    first, last = month_start(now, -5), month_start(now, 6)
    body = await console.client.json(
        "/views/forecast",
        {
            **filters,
            "from_month": first.strftime("%Y-%m"),
            "to_month": last.strftime("%Y-%m"),
            "group_by": "stage",
            "as_of": instant(day),
        },
    )
    months = [month_start(first, i) for i in range(12)]
    forecast = monthly(body["items"])
    accuracy = [await accuracy_of(console, m, filters.get("salesperson")) for m in months[:6]]
    won = {row["month"]: row["won"] for row in accuracy}
    words = console.words
    labels = [words.month(m) for m in months]
    keys = [m.strftime("%Y-%m") for m in months]
    context = {
        "title": words.gettext("Forecast"),
        "as_of": day,
        "filters": filters,
        "choices": {n: await options(console, n, instant(day)) for n in PIPELINE_FILTERS},
        "sale_types": SALE_TYPES,
        "months": list(zip(keys, labels, strict=True)),
        "forecast": forecast,
        "won": won,
        "accuracy": accuracy,
        "chart": chart(
            "bar",
            labels,
            (words.gettext("Weighted forecast"), [str(forecast.get(k, 0)) for k in keys]),
            (words.gettext("Won"), [won.get(k) for k in keys], "line"),
            currency="EUR",
        ),
        "accuracy_chart": chart(
            "line",
            labels[:6],
            (
                words.gettext("Forecast at the start of the month"),
                [r["forecast"] for r in accuracy],
            ),
            (words.gettext("Won in the month"), [a["won"] for a in accuracy]),
            currency="EUR",
        ),
        "export": export_link("pipeline", {**filters, "as_of": day}),
    }
    return render(console.request, "forecast.html", context, console)


async def accuracy_of(console: Console, month: date, salesperson: str | None) -> dict[str, Any]:
    """What was forecast for `month` at its start against what was won in it."""
    end = month_start(month, 1)
    body = await console.client.json(
        "/views/forecast-accuracy",
        {
            "at": f"{month.isoformat()}T00:00:00Z",
            "period_start": month.isoformat(),
            "period_end": end.isoformat(),
        },
    )
    if salesperson:
        mine = [r for r in body["salespeople"] if r["salesperson"] == salesperson]
        body = {**body, **(mine[0] if mine else {"forecast": "0.00", "won": "0.00", "ratio": None})}
    return {
        "month": month.strftime("%Y-%m"),
        "forecast": body["forecast"],
        "won": body["won"],
        "ratio": body["ratio"],
    }


@page_route(router, "/quotes")
async def quotes_page(console: Console) -> Response:
    """Quotes per validity bucket (count and total incl. tax) and the quotes in one."""
    day = as_of_day(console)
    as_of = instant(day)
    body = await console.client.json("/views/quote-validity", {"as_of": as_of})
    buckets = {b["bucket"]: b for b in body["buckets"]}
    asked = console.request.query_params.get("bucket") or None
    if asked is not None and asked not in buckets:
        raise BadFilter(console.words.gettext("No such validity bucket."))
    bucket = asked or next((b for b in BUCKETS if buckets.get(b, {}).get("count")), BUCKETS[0])
    rows, pager = await view_page(console, f"/views/quote-validity/{bucket}", {"as_of": as_of})
    words = console.words
    ordered = [buckets[b] for b in BUCKETS if b in buckets]
    context = {
        "title": words.gettext("Quotes by validity"),
        "as_of": day,
        "filters": {"bucket": bucket},
        "bucket": bucket,
        "buckets": ordered,
        "bucket_names": BUCKET_NAMES,
        "day_of_view": body["today"],
        "rows": rows["items"],
        "pager": pager,
        "chart": chart(
            "bar",
            [words.gettext(BUCKET_NAMES[b["bucket"]]) for b in ordered],
            (words.gettext("Quotes"), [b["count"] for b in ordered]),
        ),
        "export": export_link(f"quote-validity/{bucket}", {"as_of": day}),
    }
    return render(console.request, "quotes.html", context, console)
