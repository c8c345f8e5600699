"""The `invoices` and `receivables` views over HTTP (I5, V9).

Overdue is relative to a day the client states (`on`; default: as_of's date, else the
server's date): each invoice row says whether it is overdue that day and by how many
days, and `status=overdue` selects those. Both views read their history with `as_of`:
the invoices as they stood, the balance as the data stood then, aged on `on`. Each
answer reads one snapshot of the views; the invoices export with the same filters.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Response
from pydantic import BaseModel

from interfaces.http.deps import ServicesDep
from interfaces.http.routes.params import DAY_RULE, Day
from interfaces.http.routes.views import (
    AsOf,
    Limit,
    Offset,
    Position,
    ViewQuery,
    answer,
    day_of,
    equal_to,
    plain,
    query_page,
    sort,
    view_router,
)
from interfaces.http.routes.views.export import export_route
from interfaces.http.schemas import ViewPage
from interfaces.http.security import READERS, reader
from projections.invoices import dated
from projections.receivables import aged_balance, count_balances, totals_per_currency

router = view_router()

InvoiceOrder = Literal["issue_date", "due_date", "number", "gross", "amount_due", "drafted_at"]
InvoiceState = Literal["draft", "issued", "unpaid", "partly_paid", "paid", "overdue"]
Kind = Literal["invoice", "credit_note"]
Series = Literal["INV", "CN"]

On = Annotated[
    Day | None,
    Query(
        description="The day overdue is judged on (default: as_of's date, else the "
        f"server's date); {DAY_RULE}"
    ),
]
CustomerId = Annotated[str | None, Query(max_length=40)]
Currency = Annotated[str | None, Query(min_length=3, max_length=3)]
From = Annotated[Day | None, Query(description=f"On or after this day; {DAY_RULE}")]
To = Annotated[Day | None, Query(description=f"On or before this day; {DAY_RULE}")]


def _state(status: InvoiceState | None) -> list[tuple[str, Any]]:
    """The document's status, its payment status, or overdue on the day asked about."""
    if status is None:
        return []
    if status in ("draft", "issued"):
        return [("status = ?", status)]
    if status == "overdue":
        return [("overdue = ?", True)]
    return [("payment_status = ?", status)]


def _range(column: str, start: date | None, end: date | None) -> list[tuple[str, Any]]:
    where: list[tuple[str, Any]] = []
    if start is not None:
        where.append((f"{column} >= ?", start))
    if end is not None:
        where.append((f"{column} <= ?", end))
    return where


def invoice_filters(
    services: ServicesDep,
    on: On = None,
    customer_id: CustomerId = None,
    currency: Currency = None,
    series: Series | None = None,
    kind: Kind | None = None,
    status: Annotated[
        InvoiceState | None,
        Query(
            description="draft or issued; unpaid, partly_paid or paid (issued invoices); "
            "overdue: issued, something still due, past its due date on `on`"
        ),
    ] = None,
    issued_from: From = None,
    issued_to: To = None,
    due_from: From = None,
    due_to: To = None,
    order_by: InvoiceOrder = "issue_date",
    descending: bool = False,
    as_of: AsOf = None,
) -> ViewQuery:
    """The invoice documents the client asks for (as they stood at `as_of`), with
    `overdue` and `days_overdue` on the day asked about."""
    where = equal_to(
        ("customer_id", customer_id),
        ("currency", currency),
        ("series", series),
        ("kind", kind),
    )
    where += _state(status)
    where += _range("issue_date", issued_from, issued_to)
    where += _range("due_date", due_from, due_to)
    order = sort(order_by, descending, "invoice_id", nulls_last=True)
    source = dated(day_of(services, on, as_of), as_of)
    return ViewQuery("invoices", source, where, order)


@router.get(
    "/invoices",
    summary="Invoices and credit notes: amounts, payment status, overdue on a day (I5)",
    dependencies=[reader(READERS)],
)
def invoices_view(
    services: ServicesDep,
    response: Response,
    query: Annotated[ViewQuery, Depends(invoice_filters)],
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
) -> ViewPage:
    with answer(services, min_position, response) as snapshot:
        return query_page(snapshot, query, limit, offset)


export_route(router, "/invoices", invoice_filters, READERS, "the invoices and credit notes")


class Receivables(BaseModel):
    """The aged balance per customer and currency on a day, and its totals per currency."""

    position: int
    on: date
    as_of: datetime | None
    total: int
    items: list[dict[str, Any]]
    totals: list[dict[str, Any]]


@router.get(
    "/receivables",
    summary="Aged balance per customer and currency on a day: not due, 1–30 … over 90 (I5)",
    dependencies=[reader(READERS)],
)
def receivables_view(
    services: ServicesDep,
    response: Response,
    on: On = None,
    customer_id: CustomerId = None,
    currency: Currency = None,
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
    as_of: AsOf = None,
) -> Receivables:
    day = day_of(services, on, as_of)
    chosen: dict[str, Any] = {"as_of": as_of, "customer_id": customer_id, "currency": currency}
    with answer(services, min_position, response) as snapshot:
        rows = aged_balance(snapshot, day, limit=limit, offset=offset, **chosen)
        total = count_balances(snapshot, day, **chosen)
        totals = totals_per_currency(snapshot, day, **chosen)
        position = snapshot.position
    return Receivables(
        position=position,
        on=day,
        as_of=as_of,
        total=total,
        items=[plain(r) for r in rows],
        totals=[plain(r) for r in totals],
    )
