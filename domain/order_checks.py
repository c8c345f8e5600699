"""Checks of what an order's commands are given (O1, O4): positive amounts, required
texts, a new order's terms, and lines, line changes and totals within `domain.bounds`.

Shared by the order's value types (`domain.order`) and its verbs; each raises the
domain error that names what is wrong and records nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from domain import bounds
from domain.errors import DuplicateLine, EmptyOrder, InvalidAmount, InvalidInput
from domain.order_status import InvoicePolicy
from domain.values import (
    HUNDRED,
    DiscountKind,
    DiscountMode,
    check_currency,
    check_finite,
    compute_totals,
)

if TYPE_CHECKING:
    from domain.order import ChangeLine, OrderLine, RepriceLine


def positive(value: Decimal, what: str) -> Decimal:
    """`value`, refused unless finite and above zero."""
    check_finite(value, what)
    if value <= 0:
        raise InvalidAmount(f"{what} must be positive, got {value}")
    return value


def required(text: str, what: str) -> str:
    """`text`, refused when empty or blank."""
    if not text or not text.strip():
        raise InvalidInput(f"{what} is required")
    return text


def check_line(line: OrderLine) -> None:
    """Refuse a line without an id, of no quantity, at a VAT rate above 100 % or whose
    amount discount exceeds its amount."""
    required(line.line_id, "a line id")
    positive(line.quantity, "a line quantity")
    check_finite(line.unit_price, "a unit price")
    check_finite(line.vat_rate, "a VAT rate")
    if line.vat_rate > HUNDRED:
        raise InvalidAmount(f"a VAT rate cannot exceed 100 %, got {line.vat_rate}")
    if line.unit_cost is not None:
        check_finite(line.unit_cost, "a unit cost")
    if (
        line.discount is not None
        and line.discount.kind == DiscountKind.AMOUNT
        and line.discount.value > line.quantity * line.unit_price
    ):
        raise InvalidAmount(f"line {line.line_id}: a discount cannot exceed the line amount")


def new_order_terms(
    currency: str,
    lines: Sequence[OrderLine],
    invoice_policy: InvoicePolicy | str,
    discounts: Sequence[Decimal],
    discount_mode: DiscountMode | str,
) -> tuple[InvoicePolicy, DiscountMode]:
    """The policy and discount mode of a new order, once its currency, lines and
    document discounts are checked."""
    check_currency(currency)
    if not lines:
        raise EmptyOrder("an order needs at least one line")
    ids = [line.line_id for line in lines]
    if len(set(ids)) != len(ids):
        raise DuplicateLine("line ids must be unique on an order")
    try:
        policy = InvoicePolicy(invoice_policy)
        mode = DiscountMode(discount_mode)
    except ValueError as e:
        raise InvalidInput(str(e)) from None
    for percent in discounts:
        check_finite(percent, "a document discount")
        if percent > HUNDRED:
            raise InvalidAmount(f"a discount cannot exceed 100 %, got {percent}")
    for line in lines:
        bounded_line(line)
    bounded_totals(lines, currency, bounds.discounts(discounts), mode)
    return policy, mode


def bounded_line(line: OrderLine) -> OrderLine:
    """A new line whose quantity, prices, rate and amounts lie within the bounds."""
    field = f"lines[{line.line_id}]"
    bounds.quantity(line.quantity, f"{field}.quantity")
    bounds.unit_price(line.unit_price, f"{field}.unit_price")
    bounds.percent(line.vat_rate, f"{field}.vat_rate")
    if line.unit_cost is not None:
        bounds.unit_price(line.unit_cost, f"{field}.unit_cost")
    if line.discount is not None:
        bounds.within(line.discount.value, f"{field}.discount.value", bounds.MAX_AMOUNT)
    bounds.line_gross(line.quantity, line.unit_price, line.unit_cost, field)
    return line


def bounded_change(change: ChangeLine | RepriceLine) -> ChangeLine | RepriceLine:
    """An amendment's line change whose new values lie within the bounds."""
    field = f"changes[{change.line_id}]"
    if change.quantity is not None:
        bounds.quantity(change.quantity, f"{field}.quantity")
    if change.unit_price is not None:
        bounds.unit_price(change.unit_price, f"{field}.unit_price")
    return change


def bounded_totals(
    lines: Sequence[OrderLine], currency: str, discounts: Sequence[Decimal], mode: DiscountMode
) -> None:
    """Refuse lines whose gross or document totals would pass the bounds."""
    for line in lines:
        bounds.line_gross(line.quantity, line.unit_price, line.unit_cost, f"lines[{line.line_id}]")
    priced = [line.priced() for line in lines]
    bounds.totals(compute_totals(priced, currency, list(discounts), mode), "the order's")
