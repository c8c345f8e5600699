"""Order lines from the catalogue (P4): a product and a quantity, on an order entered
directly or added by an amendment, give the lines' description, unit, price, VAT and cost
on the order's day for its customer (customer > group > default list); a kit gives its
own line and its components' (`<line id>.1`, `<line id>.2` …). Any field may be given by
hand instead, and the line records which were.

A quantity changed by an amendment on a line priced by a rule reprices it when another
quantity break applies on the day it was priced (`domain.product_lines.repriced`); a
price given by hand, at the time or in the same change, stays.

Nothing here decides a price: the reads are here, the rules in `domain`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.catalogue import CatalogueCommands
from application.commands import CommandRunner
from application.pricing import Pricing
from domain.errors import NoPrice, PriceCurrencyMismatch, UnknownSaleUnit
from domain.order import (
    AddLine,
    CatalogueLine,
    ChangeLine,
    LineChange,
    Order,
    OrderLine,
    RepriceLine,
    apply_changes,
)
from domain.pricing import Price, price
from domain.product_lines import PricingContext, repriced
from domain.quote import QuoteLine


@dataclass(frozen=True)
class ProductLineRequest:
    """An order line asked for by product: its id, the product's reference, a quantity,
    a unit (the product's when None) and the fields given by hand."""

    line_id: str
    reference: str
    quantity: Decimal
    unit: str | None = None
    overrides: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AddProduct:
    """Amendment change asked for by product: the lines the product gives are added."""

    request: ProductLineRequest


LineRequest = OrderLine | ProductLineRequest
ChangeRequest = LineChange | AddProduct


def order_line(line: QuoteLine) -> OrderLine:
    """The order line a converted quote line becomes; a catalogue line keeps its source."""
    fields: dict[str, Any] = {
        "line_id": line.line_id,
        "description": line.description,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "vat_rate": line.vat_rate,
        "unit": line.unit,
        "product_ref": line.product_ref,
        "discount": line.discount,
        "unit_cost": line.unit_cost,
    }
    if line.source is None:
        return OrderLine(**fields)
    return CatalogueLine(**fields, source=line.source)


class OrderCatalogue:
    """The catalogue's lines and prices for one order's customer, currency and day."""

    def __init__(self, runner: CommandRunner) -> None:
        self.catalogue = CatalogueCommands(runner)
        self.pricing = Pricing(self.catalogue)

    def context(self, on: date, currency: str, customer_id: UUID) -> PricingContext:
        return self.pricing.context(on=on, currency=currency, customer_id=customer_id)

    def lines(self, ctx: PricingContext, requests: Sequence[LineRequest]) -> list[OrderLine]:
        """The order's lines: those typed by hand as they are, the others from the catalogue."""
        lines: list[OrderLine] = []
        for request in requests:
            if isinstance(request, OrderLine):
                lines.append(request)
            else:
                lines.extend(self.product_lines(ctx, request))
        return lines

    def product_lines(self, ctx: PricingContext, request: ProductLineRequest) -> list[OrderLine]:
        """The line (and a kit's component lines) a product request gives."""
        drafts = self.pricing.lines(
            ctx, request.reference, request.quantity, request.unit, request.overrides
        )
        return [
            CatalogueLine(
                line_id=request.line_id if n == 0 else f"{request.line_id}.{n}", **draft.fields()
            )
            for n, draft in enumerate(drafts)
        ]

    def changes(self, order: Order, requested: Sequence[ChangeRequest]) -> list[LineChange]:
        """An amendment's changes: products made lines, and catalogue lines whose
        quantity changes repriced when a quantity break applies."""
        lines = dict(order.lines)
        ctx: PricingContext | None = None
        changes: list[LineChange] = []
        for change in requested:
            made: list[LineChange]
            if isinstance(change, AddProduct):
                if ctx is None:
                    ctx = self.context(order.created_at.date(), order.currency, order.customer_id)
                made = [AddLine(line) for line in self.product_lines(ctx, change.request)]
            elif isinstance(change, ChangeLine):
                made = [self._repriced(order, lines.get(change.line_id), change)]
            else:
                made = [change]
            changes.extend(made)
            # an unknown line is left for the order's `amend` to refuse, by its name
            with suppress(KeyError):
                lines = apply_changes(lines, made)

        return changes

    def _repriced(
        self, order: Order, line: OrderLine | None, change: ChangeLine
    ) -> ChangeLine | RepriceLine:
        source = None if line is None else line.catalogue
        if line is None or source is None or change.quantity is None:
            return change
        if change.unit_price is not None:
            return change
        found = self._price(order, line, change.quantity)
        new = repriced(source, line.unit_price, line.discount, found)
        if new is None:
            return change
        return RepriceLine(
            change.line_id, change.quantity, new.unit_price, new.discount, new.source
        )

    def _price(self, order: Order, line: OrderLine, quantity: Decimal) -> Price | None:
        """The catalogue's price of the line's product at `quantity` on the day the line was
        priced; None when the catalogue has none (the line then keeps its price)."""
        source = line.catalogue
        assert source is not None
        product = self.catalogue.product(source.product_id)
        ctx = self.context(source.priced_on, order.currency, order.customer_id)
        try:
            return price(
                product=product,
                quantity=quantity,
                unit=line.unit,
                on=ctx.on,
                currency=ctx.currency,
                customer_id=ctx.customer_id,
                group=ctx.group,
                lists=ctx.lists,
            )
        except (NoPrice, PriceCurrencyMismatch, UnknownSaleUnit):
            return None
