"""Products (P1): register, change, cost, units, kits, discontinue; read them now, at a
version or as of a time, their history and diffs. Managers and admins write the
catalogue; every reader reads it."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Response, status

from application.journal import CommandContext
from domain.product import Product, product_id
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
from interfaces.http.responses import OptionalBody, accepted, created, with_reason
from interfaces.http.results import ProductRegistered
from interfaces.http.routes.catalogue_schemas import (
    CatalogueDiffView,
    ComponentsIn,
    CostIn,
    ProductDetailsIn,
    ProductIn,
    ProductView,
    ReasonIn,
    SaleUnitsIn,
)
from interfaces.http.schemas import Accepted, CommandAnswer, HistoryItem
from interfaces.http.security import ADMINS, MANAGERS, READERS, command, reader

router = APIRouter(prefix="/products", tags=["catalogue"], responses=ERROR_RESPONSES)

CATALOGUE_WRITERS = MANAGERS | ADMINS
CATALOGUE_READERS = READERS | ADMINS
Writer = Annotated[CommandContext, command(CATALOGUE_WRITERS)]
Reader = reader(CATALOGUE_READERS)
BASE = "/products"
Reference = Annotated[str, Path(min_length=1, max_length=64, description="Id or reference")]


def _id(reference: str) -> UUID:
    """A product's id from its id or its reference."""
    try:
        return UUID(reference)
    except ValueError:
        return product_id(reference)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Register a product (P1)")
def register_product(
    body: ProductIn, ctx: Writer, services: ServicesDep, response: Response
) -> CommandAnswer[ProductRegistered]:
    cost = (
        None if body.cost is None else (body.cost.effective, body.cost.amount, body.cost.currency)
    )
    outcome = services.app.catalogue.register_product(
        replace(ctx, reason=body.reason),
        reference=body.reference,
        name=body.name,
        kind=body.kind,
        family=body.family,
        unit=body.unit,
        vat_category=body.vat_category,
        vat_rate=body.vat_rate,
        description=body.description,
        sale_units=[u.value() for u in body.sale_units],
        cost=cost,
        components=[c.value() for c in body.components],
        kit_pricing=body.kit_pricing,
    )
    return created(outcome, response, BASE, ProductRegistered)


def _change(
    services: ServicesDep, ctx: CommandContext, reference: str, verb: str, **args: Any
) -> Any:
    return services.app.catalogue.change_product(ctx, _id(reference), verb, **args)


@router.put("/{reference}/details", summary="Change name, family, description or VAT")
def change_details(
    reference: Reference,
    body: ProductDetailsIn,
    ctx: Writer,
    services: ServicesDep,
    response: Response,
) -> Accepted:
    fields = body.model_dump(exclude={"reason"})
    outcome = _change(
        services, replace(ctx, reason=body.reason), reference, "change_details", **fields
    )
    return accepted(outcome, response, BASE)


@router.put("/{reference}/sale-units", summary="Set the units it is sold in, with factors")
def set_sale_units(
    reference: Reference, body: SaleUnitsIn, ctx: Writer, services: ServicesDep, response: Response
) -> Accepted:
    units = [u.value() for u in body.units]
    outcome = _change(
        services, replace(ctx, reason=body.reason), reference, "set_sale_units", units=units
    )
    return accepted(outcome, response, BASE)


@router.post("/{reference}/costs", summary="A unit cost from a day on (margins use it)")
def set_cost(
    reference: Reference, body: CostIn, ctx: Writer, services: ServicesDep, response: Response
) -> Accepted:
    outcome = _change(
        services,
        replace(ctx, reason=body.reason),
        reference,
        "set_cost",
        effective=body.effective,
        amount=body.amount,
        currency=body.currency,
    )
    return accepted(outcome, response, BASE)


@router.put("/{reference}/components", summary="A kit's components and how it is priced")
def set_components(
    reference: Reference, body: ComponentsIn, ctx: Writer, services: ServicesDep, response: Response
) -> Accepted:
    outcome = _change(
        services,
        replace(ctx, reason=body.reason),
        reference,
        "set_components",
        components=[c.value() for c in body.components],
        pricing=body.kit_pricing,
    )
    return accepted(outcome, response, BASE)


@router.post("/{reference}/discontinue", summary="No new line may take it (reason required)")
def discontinue(
    reference: Reference, body: ReasonIn, ctx: Writer, services: ServicesDep, response: Response
) -> Accepted:
    outcome = _change(services, replace(ctx, reason=body.reason), reference, "discontinue")
    return accepted(outcome, response, BASE)


@router.post("/{reference}/reactivate", summary="Sell a discontinued product again")
def reactivate(
    reference: Reference,
    ctx: Writer,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> Accepted:
    outcome = _change(services, with_reason(ctx, body), reference, "reactivate")
    return accepted(outcome, response, BASE)


@router.get(
    "/{reference}",
    summary="A product by id or reference: now, at a version, or as of a recorded time",
    dependencies=[Reader],
)
def get_product(
    reference: Reference,
    services: ServicesDep,
    response: Response,
    version: Version = None,
    as_of: AsOf = None,
) -> ProductView:
    app = services.app

    def get(aggregate_id: UUID, at_version: int | None) -> Product:
        return app.catalogue.get(Product, aggregate_id, at_version)

    return ProductView.of(
        read_document(app, Product, _id(reference), version, as_of, get, response)
    )


@router.get(
    "/{reference}/diff", summary="Fields changed between two versions", dependencies=[Reader]
)
def product_diff(
    reference: Reference, services: ServicesDep, from_: FromVersion, to: ToVersion
) -> CatalogueDiffView:
    changes = services.app.catalogue.diff(Product, _id(reference), from_, to)
    get = services.app.catalogue.get
    before, after = (ProductView.of(get(Product, _id(reference), v)) for v in (from_, to))
    answer = CatalogueDiffView.of(from_, to, changes)
    answer.changes = diff_of(before, after, from_, to).changes
    return answer


@router.get("/{reference}/history", summary="Every event of the product", dependencies=[Reader])
def product_history(reference: Reference, services: ServicesDep) -> list[HistoryItem]:
    return document_history(services.app, _id(reference), "Product")
