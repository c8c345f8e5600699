"""Document lines from the catalogue (P4): a product and a quantity give the description,
unit, price, VAT and cost of a line on the document's day; any of them may be given by
hand instead, and the line records which were.

A kit gives a line for the kit followed by a line per component (its quantity per kit ×
the kits' base quantity). Priced as the kit, the kit's line carries the price and the
components show at 0; priced per component, each component's line is priced and the
kit's line shows at 0. The lines at 0 cost 0, so the document's margin stays known.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.errors import (
    InvalidInput,
    NoPrice,
    NotFound,
    PriceCurrencyMismatch,
    ProductDiscontinued,
)
from domain.price_list import PriceList
from domain.pricing import Price, base_cost, price
from domain.product import KitPricing, Product, ProductKind
from domain.quote_lines import OVERRIDABLE, CatalogueSource
from domain.units import unit_code
from domain.values import ZERO, Discount, in_money_context


@dataclass(frozen=True)
class LineDraft:
    """What a document's `add_line` takes, filled from the catalogue."""

    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    vat_rate: Decimal
    unit_cost: Decimal | None
    discount: Discount | None
    product_ref: str
    source: CatalogueSource

    def fields(self) -> dict[str, Any]:
        """The keyword arguments of `Quote.add_line`."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class PricingContext:
    """Who the document is for, its day and currency, and the lists that may apply."""

    on: date
    currency: str
    customer_id: UUID | None
    group: str | None
    lists: Sequence[PriceList]


def _priced(
    product: Product, quantity: Decimal, unit: str, ctx: PricingContext, by_hand: bool
) -> Price | None:
    """The catalogue's price; None when it has none and the price is given by hand."""
    try:
        return price(
            product=product,
            quantity=quantity,
            unit=unit,
            on=ctx.on,
            currency=ctx.currency,
            customer_id=ctx.customer_id,
            group=ctx.group,
            lists=ctx.lists,
        )
    except (NoPrice, PriceCurrencyMismatch):
        if by_hand:
            return None
        raise


def _draft(
    product: Product,
    quantity: Decimal,
    unit: str,
    ctx: PricingContext,
    found: Price | None,
    *,
    free: bool = False,
    kit: str | None = None,
) -> LineDraft:
    """A line for `product` at the catalogue's price (or at 0 when `free`)."""
    cost = None if found is None else found.unit_cost
    return LineDraft(
        description=product.name if kit is None else f"{kit}: {product.name}",
        quantity=quantity,
        unit=unit_code(unit),
        unit_price=ZERO if free or found is None else found.unit_price,
        vat_rate=product.vat_rate,
        unit_cost=ZERO if free else cost,
        discount=None if free or found is None else found.discount,
        product_ref=product.reference,
        source=CatalogueSource(
            product_id=product.id,
            priced_on=ctx.on,
            rule=None if found is None else found.source.explanation,
            price_list_id=None if found is None else found.source.price_list_id,
            kit=kit,
        ),
    )


@in_money_context
def _kit_cost(
    kit: Product, parts: list[tuple[Product, Decimal]], ctx: PricingContext
) -> Decimal | None:
    """A kit's cost per base unit: its own on the day, else the sum of its components'."""
    own = base_cost(kit, ctx.on, ctx.currency)
    if own is not None:
        return own
    total = ZERO
    for component, per_kit in parts:
        cost = base_cost(component, ctx.on, ctx.currency)
        if cost is None:
            return None
        total += cost * per_kit
    return total


def _with_overrides(draft: LineDraft, overrides: Mapping[str, Any]) -> LineDraft:
    fields = {**draft.fields(), **overrides}
    source = draft.source
    fields["source"] = CatalogueSource(
        product_id=source.product_id,
        priced_on=source.priced_on,
        rule=None if "unit_price" in overrides else source.rule,
        price_list_id=None if "unit_price" in overrides else source.price_list_id,
        overridden=tuple(overrides),
        kit=source.kit,
    )
    return LineDraft(**fields)


def lines_from_catalogue(
    product: Product,
    quantity: Decimal,
    unit: str | None,
    ctx: PricingContext,
    components: Mapping[str, Product],
    overrides: Mapping[str, Any] | None = None,
) -> list[LineDraft]:
    """The lines `quantity` `unit` of `product` give on the document (module doc).

    `components` holds the kit's component products by reference; `overrides` the
    fields given by hand for the product's own line."""
    overrides = dict(overrides or {})
    unknown = sorted(set(overrides) - set(OVERRIDABLE))
    if unknown:
        raise InvalidInput(f"a catalogue line cannot be given {', '.join(unknown)} by hand")
    if not product.active:
        raise ProductDiscontinued(f"{product.reference} is discontinued")
    unit = unit or product.unit
    by_hand = "unit_price" in overrides
    if product.kind != ProductKind.KIT:
        found = _priced(product, quantity, unit, ctx, by_hand)
        return [_with_overrides(_draft(product, quantity, unit, ctx, found), overrides)]
    parts = []
    for component in product.components:
        part = components.get(component.reference)
        if part is None:
            raise NotFound(f"kit {product.reference} has no component {component.reference}")
        if not part.active:
            raise ProductDiscontinued(
                f"{part.reference}, in kit {product.reference}, is discontinued"
            )
        parts.append((part, component.quantity))
    base_quantity = quantity * product.factor(unit)
    per_component = product.kit_pricing == KitPricing.COMPONENTS
    head_price = None if per_component else _priced(product, quantity, unit, ctx, by_hand)
    head = _draft(product, quantity, unit, ctx, head_price, free=per_component)
    if not per_component:
        kit_cost = _kit_cost(product, parts, ctx)
        cost = None if kit_cost is None else kit_cost * product.factor(unit)
        head = LineDraft(**{**head.fields(), "unit_cost": cost})
    lines = [_with_overrides(head, overrides)]
    for part, per_kit in parts:
        part_quantity = base_quantity * per_kit
        found = _priced(part, part_quantity, part.unit, ctx, False) if per_component else None
        lines.append(
            _draft(
                part,
                part_quantity,
                part.unit,
                ctx,
                found,
                free=not per_component,
                kit=product.reference,
            )
        )
    return lines


@dataclass(frozen=True)
class Repriced:
    """A catalogue line's price at its new quantity, and the rule that gave it."""

    unit_price: Decimal
    discount: Discount | None
    source: CatalogueSource


def repriced(
    source: CatalogueSource,
    unit_price: Decimal,
    discount: Discount | None,
    found: Price | None,
) -> Repriced | None:
    """What a catalogue line's price becomes when its quantity changes (P4): `found`, the
    catalogue's price at the new quantity on the day the line was priced, when a break
    gives another one. None when nothing changes: the price was given by hand, the line
    was not priced by a rule (a kit's line at 0), or no price was found. A discount given
    by hand stays."""
    if found is None or source.rule is None or "unit_price" in source.overridden:
        return None
    new_discount = discount if "discount" in source.overridden else found.discount
    new_source = replace(
        source, rule=found.source.explanation, price_list_id=found.source.price_list_id
    )
    if (found.unit_price, new_discount, new_source) == (unit_price, discount, source):
        return None
    return Repriced(found.unit_price, new_discount, new_source)
