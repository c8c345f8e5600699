"""Pages of what runs after the sale: contracts (recurring revenue, renewals due) and the
installed base (warranties expiring, open service cases); from the JSON views, as of any
day."""

from __future__ import annotations

from typing import get_args

from fastapi import APIRouter
from starlette.responses import Response

from interfaces.console.common import (
    BadFilter,
    as_of_day,
    chart,
    chosen,
    export_link,
    instant,
    page_route,
    view_page,
)
from interfaces.console.rendering import render
from interfaces.console.session import Console
from interfaces.http.routes.views.contracts import ContractStatus
from interfaces.http.routes.views.service import WarrantyStatus

router = APIRouter()

WINDOWS = ("30", "60", "90", "180", "365")
STATUS_NAMES = {
    "active": "Active",
    "expiring_soon": "Expiring soon",
    "expired": "Expired",
    "not_started": "Not started",
    "suspended": "Suspended",
    "terminated": "Terminated",
}


def window(console: Console, name: str, default: str) -> str:
    value = console.request.query_params.get(name) or default
    if value not in WINDOWS:
        raise BadFilter(console.words.gettext("Choose one of the offered numbers of days."))
    return value


@page_route(router, "/contracts")
async def contracts_page(console: Console) -> Response:
    """Recurring revenue per currency, the renewals due, and every contract."""
    day = as_of_day(console)
    as_of = instant(day)
    filters = chosen(console, ("status",))
    days = window(console, "renewals_within_days", "90")
    revenue = await console.client.json("/views/recurring-revenue", {"as_of": as_of})
    renewals, renewals_pager = await view_page(
        console,
        "/views/contracts",
        {"renewals_within_days": days, "as_of": as_of, "order_by": "renewal_date"},
        "rpage",
    )
    contracts, pager = await view_page(
        console, "/views/contracts", {**filters, "as_of": as_of, "order_by": "next_billing_date"}
    )
    words = console.words
    running = revenue["items"]
    context = {
        "title": words.gettext("Contracts"),
        "as_of": day,
        "filters": {**filters, "renewals_within_days": days},
        "windows": WINDOWS,
        "statuses": get_args(ContractStatus),
        "status_names": STATUS_NAMES,
        "revenue": running,
        "day_of_view": revenue["today"],
        "renewals": renewals["items"],
        "renewals_pager": renewals_pager,
        "contracts": contracts["items"],
        "pager": pager,
        "chart": chart(
            "bar",
            [r["currency"] for r in running],
            (words.gettext("MRR"), [r["mrr"] for r in running]),
            (
                words.gettext("Next year's revenue"),
                [r["next_year_revenue"] for r in running],
            ),
        ),
        "export": export_link("contracts", {**filters, "as_of": day}),
    }
    return render(console.request, "contracts.html", context, console)


@page_route(router, "/service")
async def service_page(console: Console) -> Response:
    """Warranties by status, those expiring within a window, and open service cases."""
    day = as_of_day(console)
    as_of = instant(day)
    days = window(console, "expiring_within_days", "90")
    filters = chosen(console, ("status",))
    statuses = get_args(WarrantyStatus)
    counts = {}
    for status in statuses:
        body = await console.client.json(
            "/views/warranty", {"status": status, "as_of": as_of, "limit": 1}
        )
        counts[status] = body["total"]
    warranties, pager = await view_page(
        console,
        "/views/warranty",
        {**filters, "expiring_within_days": days, "as_of": as_of},
        "wpage",
    )
    cases, cases_pager = await view_page(
        console,
        "/views/service-cases",
        {"open_only": "true", "as_of": as_of, "order_by": "opened_at"},
        "cpage",
    )
    words = console.words
    context = {
        "title": words.gettext("Warranties and service"),
        "as_of": day,
        "filters": {**filters, "expiring_within_days": days},
        "windows": WINDOWS,
        "statuses": statuses,
        "status_names": STATUS_NAMES,
        "counts": counts,
        "warranties": warranties["items"],
        "pager": pager,
        "cases": cases["items"],
        "cases_pager": cases_pager,
        "chart": chart(
            "doughnut",
            [words.gettext(STATUS_NAMES[s]) for s in statuses],
            (words.gettext("Warranties"), [counts[s] for s in statuses]),
        ),
        "export": export_link("warranty", {**filters, "expiring_within_days": days, "as_of": day}),
        "export_cases": export_link("service-cases", {"open_only": "true", "as_of": day}),
    }
    return render(console.request, "service.html", context, console)
