"""Pricing (P3): one pure function from a customer, a product, a quantity, a unit, a day
and a currency to a price, a discount and the rule that gave them.

Precedence: a list assigned to the customer, else one assigned to the customer's group,
else a default list; the first level with a list in force that has a rule for the
product (its own, else its family's) and a break at the quantity decides. If that
level's lists price the product only in other currencies, the request is refused with
`PriceCurrencyMismatch` rather than falling back to a lower level. Among lists of one
level, the one valid from the latest day wins (then the smallest code).

Quantities are compared with breaks in base units (3 boxes of 12 → 36); prices are per
base unit, then per the requested unit (× its factor). Every price is rounded half-up
to the currency's minor unit, then to the list's rounding step if it has one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

from domain.errors import InvalidAmount, NoPrice, PriceCurrencyMismatch
from domain.price_list import PriceBreak, PriceList, PriceRule, RuleKind
from domain.product import Product
from domain.values import HUNDRED, ONE, Discount, DiscountKind, in_money_context, round_money

LEVELS = ("customer", "group", "default")


@dataclass(frozen=True)
class PriceSource:
    """Which list, level, rule and break gave a price, said in one sentence too."""

    price_list_id: UUID
    price_list: str
    level: str
    rule: str
    kind: RuleKind
    min_quantity: Decimal
    value: Decimal
    explanation: str


@dataclass(frozen=True)
class Price:
    """A unit price per the requested unit, its line discount and where they come from."""

    unit_price: Decimal
    discount: Discount | None
    unit_cost: Decimal | None
    currency: str
    source: PriceSource


@dataclass(frozen=True)
class _Found:
    price_list: PriceList
    level: str
    rule: PriceRule
    price_break: PriceBreak


def _candidates(
    lists: Sequence[PriceList],
    level: str,
    customer_id: UUID | None,
    group: str | None,
    product: Product,
    base_quantity: Decimal,
    on: date,
) -> list[_Found]:
    found = []
    for price_list in lists:
        if price_list.assigned_to(customer_id, group) != level or not price_list.valid_on(on):
            continue
        rule = price_list.rule_for(product.reference, product.family, on)
        price_break = None if rule is None else rule.break_for(base_quantity)
        if rule is not None and price_break is not None:
            found.append(_Found(price_list, level, rule, price_break))
    return sorted(found, key=lambda f: (-f.price_list.valid_from.toordinal(), f.price_list.code))


def _choose(
    lists: Sequence[PriceList],
    levels: Iterable[str],
    customer_id: UUID | None,
    group: str | None,
    product: Product,
    base_quantity: Decimal,
    on: date,
    currency: str,
) -> _Found:
    for level in levels:
        found = _candidates(lists, level, customer_id, group, product, base_quantity, on)
        if not found:
            continue
        for candidate in found:
            if candidate.price_list.currency == currency:
                return candidate
        others = ", ".join(f"{f.price_list.code} ({f.price_list.currency})" for f in found)
        raise PriceCurrencyMismatch(
            f"{product.reference} is priced for this {level} by {others}, not in {currency}"
        )
    raise NoPrice(
        f"no price list in force on {on} prices {product.reference} at {base_quantity} "
        f"{product.unit} in {currency}"
    )


def rounded(amount: Decimal, currency: str, step: Decimal | None) -> Decimal:
    """Half-up to the currency's minor unit, then to the list's step when it has one."""
    amount = round_money(amount, currency)
    if step is None:
        return amount
    steps = (amount / step).quantize(ONE, rounding=ROUND_HALF_UP)
    return round_money(steps * step, currency)


@in_money_context
def base_cost(product: Product, on: date, currency: str) -> Decimal | None:
    """The product's unit cost on `on`, per base unit, if it is known in `currency`."""
    cost = product.cost_on(on)
    return None if cost is None or cost.currency != currency else cost.amount


@in_money_context
def price(
    *,
    product: Product,
    quantity: Decimal,
    unit: str,
    on: date,
    currency: str,
    customer_id: UUID | None,
    group: str | None,
    lists: Sequence[PriceList],
) -> Price:
    """The price of `quantity` `unit` of `product` for the customer on `on` (module doc)."""
    if not quantity > 0:
        raise InvalidAmount(f"a quantity to price must be above 0, got {quantity}")
    factor = product.factor(unit)
    base_quantity = quantity * factor
    found = _choose(lists, LEVELS, customer_id, group, product, base_quantity, on, currency)
    price_list, rule, value = found.price_list, found.rule, found.price_break.value
    step = price_list.rounding
    discount = None
    if rule.kind == RuleKind.FIXED:
        unit_price = value * factor
        said = f"{value} {currency} per {product.unit}"
    elif rule.kind == RuleKind.COST_MARKUP:
        dated = product.cost_on(on)
        if dated is None:
            raise NoPrice(f"{product.reference} has no cost on {on} for {price_list.code}")
        if dated.currency != currency:
            raise PriceCurrencyMismatch(
                f"{product.reference} costs {dated.amount} {dated.currency}; "
                f"{price_list.code} prices in {currency}"
            )
        unit_price = dated.amount * value * factor
        said = f"cost {dated.amount} × {value}"
    else:
        default = _choose(lists, ("default",), None, None, product, base_quantity, on, currency)
        list_price = rounded(_fixed_or_cost(default, product, on) * factor, currency, step)
        if rule.kind == RuleKind.DISCOUNT:
            unit_price = list_price
            discount = Discount(DiscountKind.PERCENT, value) if value else None
            said = f"list price {list_price} ({default.price_list.code}) less {value} %"
        else:
            unit_price = list_price * (ONE - value / HUNDRED)
            said = f"list price {list_price} ({default.price_list.code}) − {value} %"
    cost = base_cost(product, on, currency)
    source = PriceSource(
        price_list_id=price_list.id,
        price_list=price_list.code,
        level=found.level,
        rule=rule.key,
        kind=rule.kind,
        min_quantity=found.price_break.min_quantity,
        value=value,
        explanation=(
            f"{found.level} list {price_list.code}, rule {rule.key}"
            f" from {found.price_break.min_quantity}: {said}"
        ),
    )
    return Price(
        unit_price=rounded(unit_price, currency, step),
        discount=discount,
        unit_cost=None if cost is None else cost * factor,
        currency=currency,
        source=source,
    )


def _fixed_or_cost(found: _Found, product: Product, on: date) -> Decimal:
    """A default list's base price: its fixed value, or cost × coefficient."""
    value = found.price_break.value
    if found.rule.kind == RuleKind.FIXED:
        return value
    cost = product.cost_on(on)
    if cost is None or cost.currency != found.price_list.currency:
        raise NoPrice(f"{product.reference} has no cost on {on} in {found.price_list.currency}")
    return cost.amount * value
