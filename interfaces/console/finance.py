"""Pages of the money side: budget against actual per affair, and the orders with the
receivables' aged balance; each from the JSON views, as of any day."""

from __future__ import annotations

from typing import Any, get_args

from fastapi import APIRouter
from starlette.responses import Response

from interfaces.console.common import (
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
from interfaces.http.routes.views.orders import Payment, Progress

router = APIRouter()

CATEGORIES = ("labour", "purchases", "subcontracting", "expenses", "sales")
CATEGORY_NAMES = {
    "labour": "Labour",
    "purchases": "Purchases",
    "subcontracting": "Subcontracting",
    "expenses": "Expenses",
    "sales": "Sales",
}
AFFAIRS_PER_PAGE = 5
AGES = ("not_due", "days_1_30", "days_31_60", "days_61_90", "over_90")
AGE_NAMES = {
    "not_due": "Not due",
    "days_1_30": "1–30 days",
    "days_31_60": "31–60 days",
    "days_61_90": "61–90 days",
    "over_90": "Over 90 days",
}


def affairs_of(rows: list[dict[str, Any]], words: Any) -> list[dict[str, Any]]:
    """The view's rows (one per affair and category) gathered per affair, with a chart."""
    _ = words.gettext
    affairs: dict[str, dict[str, Any]] = {}
    for row in rows:
        affair = affairs.setdefault(row["affair_id"], {**row, "lines": []})
        affair["lines"].append(row)
    for affair in affairs.values():
        lines = affair["lines"]
        categories = [_(CATEGORY_NAMES.get(r["category"], r["category"])) for r in lines]
        affair["chart"] = chart(
            "bar",
            categories,
            (_("Budget"), [r["budget"] for r in lines]),
            (_("Actual"), [r["actual"] for r in lines]),
            (_("Committed"), [r["committed"] for r in lines]),
            (_("Forecast at completion"), [r["forecast"] for r in lines]),
            currency=affair["currency"],
        )
        affair["over"] = [r["category"] for r in lines if _over(r)]
        figures = ("budget", "actual", "committed", "forecast")
        affair["empty"] = all(float(r[f]) == 0 for r in lines for f in figures)
    return list(affairs.values())


def _over(row: dict[str, Any]) -> bool:
    """A cost category whose forecast at completion exceeds its budget."""
    if row["category"] == "sales":
        return False
    return float(row["forecast"]) > float(row["budget"]) > 0 or (
        float(row["budget"]) == 0 and float(row["actual"]) > 0
    )


@page_route(router, "/budget")
async def budget_page(console: Console) -> Response:
    """Budget, actual, committed and forecast per category of each affair, with alerts."""
    day = as_of_day(console)
    filters = chosen(console, ("salesperson", "affair_id"))
    rows, pager = await view_page(
        console,
        "/views/budget-vs-actual",
        {**filters, "as_of": instant(day)},
        rows=AFFAIRS_PER_PAGE * len(CATEGORIES),
    )
    context = {
        "title": console.words.gettext("Budget against actual"),
        "as_of": day,
        "filters": filters,
        "affairs": affairs_of(rows["items"], console.words),
        "category_names": CATEGORY_NAMES,
        "pager": pager,
        "export": export_link("budget-vs-actual", {**filters, "as_of": day}),
    }
    return render(console.request, "budget.html", context, console)


@page_route(router, "/orders")
async def orders_page(console: Console) -> Response:
    """Orders with their delivery, invoicing and payment status; the aged receivables."""
    day = as_of_day(console)
    as_of = instant(day)
    filters = chosen(console, ("delivery_status", "invoicing_status", "payment_status"))
    orders, pager = await view_page(
        console,
        "/views/orders",
        {**filters, "as_of": as_of, "order_by": "created_at", "descending": "true"},
    )
    aged, aged_pager = await view_page(console, "/views/receivables", {"as_of": as_of}, "rpage")
    words = console.words
    customers = aged["items"]
    context = {
        "title": words.gettext("Orders and receivables"),
        "as_of": day,
        "filters": filters,
        "progress": get_args(Progress),
        "payments": get_args(Payment),
        "orders": orders["items"],
        "pager": pager,
        "aged": aged,
        "aged_pager": aged_pager,
        "ages": AGES,
        "age_names": AGE_NAMES,
        "chart": chart(
            "bar",
            [f"{c['customer_name'] or c['customer_id']} ({c['currency']})" for c in customers],
            *[(words.gettext(AGE_NAMES[age]), [c[age] for c in customers]) for age in AGES],
            stacked=True,
            horizontal=True,
            currency=customers[0]["currency"] if customers else "EUR",
        ),
        "export": export_link("orders", {**filters, "as_of": day}),
        "export_invoices": export_link("invoices", {"as_of": day}),
    }
    return render(console.request, "orders.html", context, console)
