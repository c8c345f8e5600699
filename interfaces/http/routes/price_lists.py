"""Price lists (P2): create, amend with a reason and an effective date, assign to
customers and groups, change validity; read them now, at a version or as of a time (with
the rules in force on a day), their history and diffs."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response, status

from application.journal import CommandContext
from domain.price_list import PriceList, price_list_id
from interfaces.http.deps import ServicesDep
from interfaces.http.diffs import diff_of
from interfaces.http.history import (
    AsOf,
    FromVersion,
    ToVersion,
    Version,
    document_history,
    read_document,
)
from interfaces.http.problems import ERROR_RESPONSES
from interfaces.http.responses import accepted, created
from interfaces.http.results import PriceListCreated
from interfaces.http.routes.catalogue_schemas import (
    AmendmentIn,
    AssignmentIn,
    CatalogueDiffView,
    ListValidityIn,
    PriceListIn,
    PriceListView,
)
from interfaces.http.routes.params import DAY_RULE, Day
from interfaces.http.routes.products import Reader, Writer
from interfaces.http.schemas import Accepted, CommandAnswer, HistoryItem

router = APIRouter(prefix="/price-lists", tags=["catalogue"], responses=ERROR_RESPONSES)
BASE = "/price-lists"
ListCode = Annotated[str, Path(min_length=1, max_length=64, description="Id or code")]
On = Annotated[
    Day | None,
    Query(description=f"Show the rules in force on this day (default today); {DAY_RULE}"),
]


def _id(code: str) -> UUID:
    try:
        return UUID(code)
    except ValueError:
        return price_list_id(code)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a price list (P2)")
def create_price_list(
    body: PriceListIn, ctx: Writer, services: ServicesDep, response: Response
) -> CommandAnswer[PriceListCreated]:
    outcome = services.app.catalogue.create_price_list(
        replace(ctx, reason=body.reason),
        code=body.code,
        name=body.name,
        currency=body.currency,
        valid_from=body.valid_from,
        valid_to=body.valid_to,
        is_default=body.is_default,
        rounding=body.rounding,
        rules=[rule.value() for rule in body.rules],
        customers=body.customers,
        groups=body.groups,
    )
    return created(outcome, response, BASE, PriceListCreated)


def _change(services: ServicesDep, ctx: CommandContext, code: str, verb: str, **args: Any) -> Any:
    return services.app.catalogue.change_price_list(ctx, _id(code), verb, **args)


@router.post("/{code}/amendments", summary="Change rules from a day on, with a reason")
def amend_price_list(
    code: ListCode, body: AmendmentIn, ctx: Writer, services: ServicesDep, response: Response
) -> Accepted:
    """Quotes keep the prices they got; the change applies to lines priced on or after
    `effective`. An amendment cannot take effect before the list's last one."""
    outcome = _change(
        services,
        replace(ctx, reason=body.reason),
        code,
        "amend",
        effective=body.effective,
        rules=[rule.value() for rule in body.rules],
        removed=body.removed,
    )
    return accepted(outcome, response, BASE)


@router.put("/{code}/assignment", summary="The customers and groups the list applies to")
def assign_price_list(
    code: ListCode, body: AssignmentIn, ctx: Writer, services: ServicesDep, response: Response
) -> Accepted:
    outcome = _change(
        services,
        replace(ctx, reason=body.reason),
        code,
        "assign",
        customers=body.customers,
        groups=body.groups,
    )
    return accepted(outcome, response, BASE)


@router.put("/{code}/validity", summary="The days the list is in force (both included)")
def set_list_validity(
    code: ListCode, body: ListValidityIn, ctx: Writer, services: ServicesDep, response: Response
) -> Accepted:
    outcome = _change(
        services,
        replace(ctx, reason=body.reason),
        code,
        "set_validity",
        valid_from=body.valid_from,
        valid_to=body.valid_to,
    )
    return accepted(outcome, response, BASE)


@router.get("", summary="Every price list with its rules in force on a day", dependencies=[Reader])
def list_price_lists(services: ServicesDep, on: On = None) -> list[PriceListView]:
    day = on or services.clock().date()
    return [PriceListView.of(p, day) for p in services.app.catalogue.price_lists()]


@router.get(
    "/{code}",
    summary="A price list by id or code: now, at a version, or as of a recorded time",
    dependencies=[Reader],
)
def get_price_list(
    code: ListCode,
    services: ServicesDep,
    response: Response,
    version: Version = None,
    as_of: AsOf = None,
    on: On = None,
) -> PriceListView:
    app = services.app

    def get(aggregate_id: UUID, at_version: int | None) -> PriceList:
        return app.catalogue.get(PriceList, aggregate_id, at_version)

    price_list = read_document(app, PriceList, _id(code), version, as_of, get, response)
    return PriceListView.of(price_list, on or services.clock().date())


@router.get("/{code}/diff", summary="Fields changed between two versions", dependencies=[Reader])
def price_list_diff(
    code: ListCode, services: ServicesDep, from_: FromVersion, to: ToVersion
) -> CatalogueDiffView:
    changes = services.app.catalogue.diff(PriceList, _id(code), from_, to)
    get, day = services.app.catalogue.get, services.clock().date()
    before, after = (PriceListView.of(get(PriceList, _id(code), v), day) for v in (from_, to))
    answer = CatalogueDiffView.of(from_, to, changes)
    answer.changes = diff_of(before, after, from_, to).changes
    return answer


@router.get("/{code}/history", summary="Every event of the price list", dependencies=[Reader])
def price_list_history(code: ListCode, services: ServicesDep) -> list[HistoryItem]:
    return document_history(services.app, _id(code), "PriceList")
