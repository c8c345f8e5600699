"""Pricing (P3) and the catalogue's register: simulate a basket without writing, put a
customer in a pricing group, and import products and price lists from a file (P5)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal, TypeVar
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from adapters.bulk.catalogue_file import Problems, read_catalogue
from application.catalogue_import import CatalogueImport
from application.journal import CommandContext
from application.pricing import BasketItem, Pricing
from domain.values import Discount, DiscountKind, PricedLine, line_net
from interfaces.http.deps import ServicesDep
from interfaces.http.problems import ERROR_RESPONSES
from interfaces.http.responses import accepted
from interfaces.http.results import CatalogueImported, GroupSet
from interfaces.http.routes.catalogue_schemas import (
    GroupIn,
    PricedItemView,
    PriceSourceView,
    SimulationIn,
    SimulationView,
)
from interfaces.http.routes.params import DAY_RULE, Day
from interfaces.http.routes.products import CATALOGUE_WRITERS, Writer
from interfaces.http.schemas import CommandAnswer, Text
from interfaces.http.security import ADMINS, SELLERS, command

T = TypeVar("T")
router = APIRouter(tags=["catalogue"], responses=ERROR_RESPONSES)
SIMULATORS = SELLERS | ADMINS
Simulator = Annotated[CommandContext, command(SIMULATORS)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

assert CATALOGUE_WRITERS  # the import is a catalogue write


@router.post("/pricing/simulate", summary="Price a basket for a customer on a day (P3)")
def simulate(body: SimulationIn, ctx: Simulator, services: ServicesDep) -> SimulationView:
    """Each item says its price, discount and the rule that gave them, or why it has
    none (its own `error`); nothing is recorded."""
    pricing = Pricing(services.app.catalogue)
    on = body.on or ctx.at.date()
    priced = pricing.context(
        on=on, currency=body.currency, customer_id=body.customer_id, group=body.group
    )
    items = [BasketItem(i.reference, i.quantity, i.unit) for i in body.items]
    views = []
    total = Decimal(0)
    for item in pricing.simulate(priced, items):
        view = PricedItemView(
            reference=item.item.reference, quantity=item.item.quantity, unit=item.item.unit
        )
        if item.error is not None:
            view.error = {"type": f"/problems/{item.error.code}", "detail": str(item.error)}
        elif item.price is not None and item.product is not None:
            found = item.price
            discount: Discount | None = found.discount
            net = line_net(
                PricedLine(item.item.quantity, found.unit_price, item.product.vat_rate, discount),
                body.currency,
            )
            total += net
            view.unit = item.item.unit or item.product.unit
            view.unit_price, view.unit_cost, view.net = found.unit_price, found.unit_cost, net
            view.vat_rate = item.product.vat_rate
            is_percent = discount is not None and discount.kind == DiscountKind.PERCENT
            view.discount_percent = discount.value if is_percent and discount else None
            view.source = PriceSourceView.of(found.source)
        views.append(view)
    return SimulationView(
        currency=body.currency,
        on=on,
        customer_id=body.customer_id,
        group=priced.group,
        items=views,
        net=total,
        simulated_at=ctx.at,
    )


@router.put("/pricing/groups/{customer_id}", summary="Put a customer in a pricing group")
def set_pricing_group(
    customer_id: UUID, body: GroupIn, ctx: Writer, services: ServicesDep, response: Response
) -> CommandAnswer[GroupSet]:
    outcome = services.app.catalogue.set_group(
        replace(ctx, reason=body.reason), customer_id, body.group
    )
    return accepted(outcome, response, "/catalogue", GroupSet)


@router.post(
    "/catalogue/import",
    summary="Import products and price lists from a CSV or XLSX file, all or nothing (P5)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                XLSX: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def import_catalogue(
    request: Request,
    ctx: Writer,
    services: ServicesDep,
    response: Response,
    sheet: Annotated[
        Literal["products", "prices"] | None,
        Query(description="What a CSV file holds; an XLSX file has sheets of these names"),
    ] = None,
    effective: Annotated[
        Day | None,
        Query(
            description=f"Amendments of known lists apply from this day (default today); {DAY_RULE}"
        ),
    ] = None,
    reason: Annotated[Text | None, Query(description="Why, recorded in the journal")] = None,
) -> CommandAnswer[CatalogueImported]:
    """The file's bytes are the body (`text/csv` or the XLSX media type). Every error is
    a row of the 422 problem's `errors`: sheet, row, column and message; nothing of a
    file with an error is recorded. The file is one command in the journal."""
    data = await request.body()
    kind = request.headers.get("content-type", "")
    problems = Problems()
    file = read_catalogue(
        data, "upload.xlsx" if kind.startswith(XLSX) else "upload.csv", sheet, problems
    )
    day: date = effective or ctx.at.date()
    importer = CatalogueImport(services.app.catalogue)
    outcome = await _in_thread(
        lambda: importer.run(replace(ctx, reason=reason), file, problems, day)
    )
    return accepted(outcome, response, "/catalogue", CatalogueImported)


async def _in_thread(call: Callable[[], T]) -> T:
    """Run the import off the event loop: it reads and writes the store."""
    return await run_in_threadpool(call)
