"""Quote lines from the catalogue (P4): a product and a quantity give the line's
description, unit, price, VAT and cost at the quote's date; any may be given by hand."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response, status
from pydantic import Field

from interfaces.http.deps import ServicesDep
from interfaces.http.problems import ERROR_RESPONSES
from interfaces.http.responses import accepted
from interfaces.http.results import ProductLinesResult
from interfaces.http.routes.quote_schemas import DiscountIn
from interfaces.http.routes.quotes import BASE, Seller
from interfaces.http.schemas import (
    Body,
    CommandAnswer,
    Percent,
    Quantity,
    ShortText,
    Text,
    UnitPrice,
)

router = APIRouter(prefix="/quotes", tags=["quotes"], responses=ERROR_RESPONSES)


class ProductLineIn(Body):
    """A product (by reference) and a quantity; the other fields override the catalogue."""

    reference: ShortText = Field(min_length=1, examples=["CR-200"])
    quantity: Quantity = Field(examples=["3"])
    unit: ShortText | None = Field(default=None, description="Default: the product's unit")
    description: Text | None = None
    unit_price: UnitPrice | None = None
    vat_rate: Percent | None = None
    unit_cost: UnitPrice | None = None
    discount: DiscountIn | None = None

    def overrides(self) -> dict[str, Any]:
        given = self.model_dump(
            exclude_unset=True, exclude={"reason", "reference", "quantity", "unit"}
        )
        if "discount" in given:
            given["discount"] = None if self.discount is None else self.discount.value_object()
        return given


@router.post(
    "/{quote_id}/product-lines",
    status_code=status.HTTP_201_CREATED,
    summary="Add lines from the catalogue: a product, or a kit and its components (P4)",
)
def add_product_line(
    quote_id: UUID, body: ProductLineIn, ctx: Seller, services: ServicesDep, response: Response
) -> CommandAnswer[ProductLinesResult]:
    """`result.line_ids` lists the lines added (a kit's line, then its components')."""
    outcome = services.app.quotes.add_product_line(
        replace(ctx, reason=body.reason),
        quote_id,
        reference=body.reference,
        quantity=body.quantity,
        unit=body.unit,
        overrides=body.overrides(),
    )
    return accepted(outcome, response, BASE, ProductLinesResult)
