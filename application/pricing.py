"""Pricing reads (P3, P4): what the catalogue gives a customer on a day, for a basket or
for a document's lines. Nothing here writes; the rules are `domain.pricing`'s."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.catalogue import CatalogueCommands
from domain.errors import DomainError
from domain.pricing import Price, price
from domain.product import Product, ProductKind
from domain.product_lines import LineDraft, PricingContext, lines_from_catalogue


@dataclass(frozen=True)
class BasketItem:
    """One product of a basket to price: by reference, a quantity and a unit."""

    reference: str
    quantity: Decimal
    unit: str | None = None


@dataclass(frozen=True)
class PricedItem:
    """A basket item's price, or the error that refused it (code and sentence)."""

    item: BasketItem
    product: Product | None
    price: Price | None
    error: DomainError | None = None


class Pricing:
    """Prices from the catalogue for a customer (or a prospect) on a day."""

    def __init__(self, catalogue: CatalogueCommands) -> None:
        self.catalogue = catalogue

    def context(
        self, *, on: date, currency: str, customer_id: UUID | None, group: str | None = None
    ) -> PricingContext:
        """The lists and the customer's group; a stated group wins over the register's."""
        register = self.catalogue.register()
        if group is None and register is not None:
            group = register.group_of(customer_id)
        return PricingContext(on, currency, customer_id, group, self.catalogue.price_lists())

    def simulate(self, ctx: PricingContext, items: list[BasketItem]) -> list[PricedItem]:
        """Each item priced as a quote line would be, each refusal said on its own item."""
        priced = []
        for item in items:
            product = None
            try:
                product = self.catalogue.product(item.reference)
                found = price(
                    product=product,
                    quantity=item.quantity,
                    unit=item.unit or product.unit,
                    on=ctx.on,
                    currency=ctx.currency,
                    customer_id=ctx.customer_id,
                    group=ctx.group,
                    lists=ctx.lists,
                )
            except DomainError as error:
                priced.append(PricedItem(item, product, None, error))
            else:
                priced.append(PricedItem(item, product, found))
        return priced

    def lines(
        self,
        ctx: PricingContext,
        reference: str,
        quantity: Decimal,
        unit: str | None,
        overrides: Mapping[str, Any] | None = None,
    ) -> list[LineDraft]:
        """The lines a document takes for `quantity` of the product (a kit's included)."""
        product = self.catalogue.product(reference)
        components: dict[str, Product] = {}
        if product.kind == ProductKind.KIT:
            for component in product.components:
                components[component.reference] = self.catalogue.product(component.reference)
        return lines_from_catalogue(product, quantity, unit, ctx, components, overrides)
