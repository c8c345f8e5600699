"""Value objects and the money rules, written down once.

Rounding rules (every amount the product shows follows them):

1. A line's net = quantity × unit price, less its line discount (a percentage of
   that product, or a fixed amount), rounded half-up to the currency's minor unit.
2. Document discounts apply to the sum of line nets. Cascading percentages multiply
   (10 % then 5 % → 1 − 0.90 × 0.95 = 14.5 %); cumulative ones add (10 % + 5 % → 15 %).
3. Lines are grouped by VAT rate. Each rate's base is the sum of its line nets less
   the document discount, rounded half-up; the document's net total is the sum of
   those bases, so the VAT breakdown always adds up to the net shown.
4. Each rate's VAT = base × rate ÷ 100, rounded half-up. Total VAT = sum over rates.
5. Total incl. tax = net + VAT.

Arithmetic: every money rule below runs in one decimal context, `MONEY_CONTEXT`
(100 significant digits; an invalid operation, an overflow or a division by zero
raises). Within the bounds of `domain.bounds`, every product and sum the rules take is
exact in it (only divisions round), so rounding happens once, where a rule says so.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from enum import StrEnum
from typing import ParamSpec, TypeVar

from domain.errors import AmountOutOfBounds, InvalidAmount, UnknownCurrency

# ISO 4217 minor units of the currencies a small European company meets.
MINOR_UNITS: dict[str, int] = {
    "EUR": 2,
    "USD": 2,
    "GBP": 2,
    "CHF": 2,
    "CAD": 2,
    "AUD": 2,
    "SEK": 2,
    "NOK": 2,
    "DKK": 2,
    "PLN": 2,
    "CZK": 2,
    "HUF": 2,
    "RON": 2,
    "BGN": 2,
    "CNY": 2,
    "INR": 2,
    "MAD": 2,
    "TND": 3,
    "XOF": 0,
    "XAF": 0,
    "XPF": 0,
    "JPY": 0,
    "KRW": 0,
    "BHD": 3,
    "KWD": 3,
    "BRL": 2,
    "MXN": 2,
    "ZAR": 2,
    "SGD": 2,
    "HKD": 2,
    "NZD": 2,
    "TRY": 2,
}

HUNDRED = Decimal(100)
ZERO = Decimal(0)
ONE = Decimal(1)

# The domain's one decimal context. 100 digits hold, exactly, the largest product the
# money rules form within the bounds: a line's net at 10^12 with 2 decimals times ten
# cascading document discounts of 8 decimals each (15 + 80 digits).
MONEY_CONTEXT = Context(
    prec=100,
    rounding=ROUND_HALF_EVEN,
    traps=[InvalidOperation, Overflow, DivisionByZero],
)

P = ParamSpec("P")
R = TypeVar("R")


def in_money_context(function: Callable[P, R]) -> Callable[P, R]:
    """Run `function` with `MONEY_CONTEXT` as the decimal context of its thread."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with localcontext(MONEY_CONTEXT):
            return function(*args, **kwargs)

    return wrapper


def check_currency(currency: str) -> str:
    """Return the currency code if it is one we know, else raise `UnknownCurrency`."""
    if currency not in MINOR_UNITS:
        raise UnknownCurrency(f"unknown currency {currency!r}: use an ISO 4217 code")
    return currency


# Each currency's minor unit as an exponent for `quantize` (1, 0.01, 0.001).
_MINOR_EXPONENTS = {
    currency: Decimal(1).scaleb(-units, MONEY_CONTEXT) for currency, units in MINOR_UNITS.items()
}


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's minor unit (`AmountOutOfBounds` past 98 digits)."""
    exponent = _MINOR_EXPONENTS.get(currency) or _MINOR_EXPONENTS[check_currency(currency)]
    try:
        return amount.quantize(exponent, rounding=ROUND_HALF_UP, context=MONEY_CONTEXT)
    except InvalidOperation:
        raise AmountOutOfBounds(
            "an amount", amount, f"at most {MONEY_CONTEXT.prec} digits"
        ) from None


def check_finite(value: Decimal, what: str, *, allow_negative: bool = False) -> Decimal:
    """Refuse NaN, infinities and (unless allowed) negative amounts."""
    if not value.is_finite():
        raise InvalidAmount(f"{what} must be a finite number, got {value}")
    if not allow_negative and value < 0:
        raise InvalidAmount(f"{what} must not be negative, got {value}")
    return value


@dataclass(frozen=True)
class Money:
    """An amount in one currency."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        check_currency(self.currency)
        check_finite(self.amount, "amount", allow_negative=True)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(ZERO, currency)

    def rounded(self) -> Money:
        return Money(round_money(self.amount, self.currency), self.currency)

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(MONEY_CONTEXT.add(self.amount, other.amount), self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(MONEY_CONTEXT.subtract(self.amount, other.amount), self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise InvalidAmount(f"cannot mix {self.currency} and {other.currency}")


class DiscountKind(StrEnum):
    PERCENT = "percent"
    AMOUNT = "amount"


class DiscountMode(StrEnum):
    CASCADING = "cascading"
    CUMULATIVE = "cumulative"


@dataclass(frozen=True)
class Discount:
    """A line discount: a percentage of the line's gross, or a fixed amount off it."""

    kind: DiscountKind
    value: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", DiscountKind(self.kind))
        check_finite(self.value, "discount")
        if self.kind == DiscountKind.PERCENT and self.value > HUNDRED:
            raise InvalidAmount(f"a discount cannot exceed 100 %, got {self.value}")


@dataclass(frozen=True)
class PricedLine:
    """What the money rules need to know of a document line."""

    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    discount: Discount | None = None
    unit_cost: Decimal | None = None


@in_money_context
def line_net(line: PricedLine, currency: str) -> Decimal:
    """Rule 1: quantity × unit price less the line discount, rounded half-up."""
    gross = line.quantity * line.unit_price
    if line.discount is None:
        net = gross
    elif line.discount.kind == DiscountKind.PERCENT:
        net = gross * (ONE - line.discount.value / HUNDRED)
    else:
        net = gross - line.discount.value
    return round_money(net, currency)


@in_money_context
def document_discount_rate(percents: Iterable[Decimal], mode: DiscountMode) -> Decimal:
    """Rule 2: the combined rate of document discounts, as a fraction (0.145 for 14.5 %)."""
    rates = [p / HUNDRED for p in percents]
    if mode == DiscountMode.CUMULATIVE:
        return min(sum(rates, ZERO), ONE)
    kept = ONE
    for rate in rates:
        kept *= ONE - rate
    return ONE - kept


@dataclass(frozen=True)
class Totals:
    """A document's totals: net, VAT per rate, VAT, incl. tax, cost and margin."""

    currency: str
    lines_net: Decimal
    net: Decimal
    vat_by_rate: dict[Decimal, Decimal] = field(default_factory=dict)
    vat: Decimal = ZERO
    gross: Decimal = ZERO
    cost: Decimal | None = None

    @property
    def margin(self) -> Decimal | None:
        return None if self.cost is None else self.net - self.cost

    @property
    @in_money_context
    def margin_rate(self) -> Decimal | None:
        """Margin as a percentage of net; None when costs are unknown or net is zero."""
        if self.cost is None or self.net == 0:
            return None
        return (self.net - self.cost) / self.net * HUNDRED


@in_money_context
def compute_totals(
    lines: Iterable[PricedLine],
    currency: str,
    discounts: Iterable[Decimal] = (),
    mode: DiscountMode = DiscountMode.CASCADING,
) -> Totals:
    """Rules 1–5 applied to a whole document."""
    rate = document_discount_rate(discounts, mode)
    nets_by_vat: dict[Decimal, Decimal] = {}
    lines_net = ZERO
    cost: Decimal | None = ZERO
    for line in lines:
        net = line_net(line, currency)
        lines_net += net
        nets_by_vat[line.vat_rate] = nets_by_vat.get(line.vat_rate, ZERO) + net
        if line.unit_cost is None or cost is None:
            cost = None
        else:
            cost += line.quantity * line.unit_cost
    bases = {vat: round_money(net * (ONE - rate), currency) for vat, net in nets_by_vat.items()}
    vat_by_rate = {vat: round_money(base * vat / HUNDRED, currency) for vat, base in bases.items()}
    net_total = sum(bases.values(), ZERO)
    vat_total = sum(vat_by_rate.values(), ZERO)
    return Totals(
        currency=currency,
        lines_net=lines_net,
        net=net_total,
        vat_by_rate=vat_by_rate,
        vat=vat_total,
        gross=net_total + vat_total,
        cost=None if cost is None else round_money(cost, currency),
    )
