"""The bounds of every quantity, price, rate and total the product accepts.

A serious SME sales system never needs more, and within them no money rule can
overflow or lose a digit (see `domain.values.MONEY_CONTEXT`), and every amount fits the
read models' columns (DECIMAL(18,4) for money, DECIMAL(18,6) for quantities) with a
hundredfold headroom for the sums a view keeps:

| what | bound |
| --- | --- |
| quantity (line, delivery, invoice, return, credit), hours | at most 10^9, 6 decimals |
| unit price, unit cost, hourly rate | at most 10^12, 6 decimals |
| amount given (budget, cost, revenue, deposit, payment, credit limit) | at most 10^12, 6 decimals |
| percentage (VAT rate, line or document discount, deposit) | 0 to 100, 6 decimals |
| document discounts | at most 10 |
| exchange rate | above 0, at most 10^6, 10 decimals |
| total formed (line gross and cost, document totals, running sums) | at most 10^12 |

Negative amounts, where a verb allows them, are bounded by the same magnitude. The public
verbs check these before they trigger an event; replaying history never re-runs them.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from domain.errors import AmountOutOfBounds, InvalidAmount
from domain.values import MONEY_CONTEXT, Totals

MAX_QUANTITY = Decimal(10) ** 9
MAX_UNIT_PRICE = Decimal(10) ** 12
MAX_AMOUNT = Decimal(10) ** 12
MAX_PERCENT = Decimal(100)
MAX_RATE = Decimal(10) ** 6
MAX_DISCOUNTS = 10
PLACES = 6
RATE_PLACES = 10


def decimals_of(value: Decimal) -> int:
    """How many decimals a finite `value` needs: 1.50 → 1, 100 → 0, 1E+3 → 0."""
    if value == 0:
        return 0
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    trailing_zeros = len(digits) - len(bytes(digits).rstrip(b"\0"))
    return max(0, -(exponent + trailing_zeros))


def within(
    value: Decimal, field: str, maximum: Decimal, places: int = PLACES, what: str = ""
) -> Decimal:
    """`value` if finite, its magnitude at most `maximum` and at most `places` decimals."""
    if isinstance(value, int) and not isinstance(value, bool):
        return within(Decimal(value), field, maximum, places, what)
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidAmount(f"{field} must be a finite decimal number, got {value!r}")
    bound = f"{what or field} must lie within ±{maximum:f} with at most {places} decimals"
    if abs(value) > maximum or decimals_of(value) > places:
        raise AmountOutOfBounds(field, value, bound)
    return value


def quantity(value: Decimal, field: str = "quantity") -> Decimal:
    """A quantity or a number of hours: at most 10^9 with 6 decimals."""
    return within(value, field, MAX_QUANTITY)


def unit_price(value: Decimal, field: str = "unit_price") -> Decimal:
    """A unit price, unit cost or hourly rate: at most 10^12 with 6 decimals."""
    return within(value, field, MAX_UNIT_PRICE)


def amount(value: Decimal, field: str = "amount") -> Decimal:
    """An amount given to a verb: at most 10^12 with 6 decimals."""
    return within(value, field, MAX_AMOUNT)


def optional_amount(value: Decimal | None, field: str) -> Decimal | None:
    return None if value is None else amount(value, field)


def percent(value: Decimal, field: str = "percent") -> Decimal:
    """A percentage: within ±100 with 6 decimals (the verbs refuse negatives)."""
    return within(value, field, MAX_PERCENT)


def discounts(values: Iterable[Decimal], field: str = "discounts") -> list[Decimal]:
    """Document discounts: at most 10, each a bounded percentage."""
    checked = [percent(v, f"{field}[{i}]") for i, v in enumerate(values)]
    if len(checked) > MAX_DISCOUNTS:
        raise AmountOutOfBounds(
            field, len(checked), f"a document has at most {MAX_DISCOUNTS} discounts"
        )
    return checked


def exchange_rate(value: Decimal, field: str = "rate") -> Decimal:
    """A conversion rate: at most 10^6 with 10 decimals."""
    return within(value, field, MAX_RATE, RATE_PLACES)


def total(value: Decimal, field: str) -> Decimal:
    """A total a verb forms (no limit on decimals: rounding comes later)."""
    if abs(value) > MAX_AMOUNT:
        raise AmountOutOfBounds(field, value, f"a total must lie within ±{MAX_AMOUNT:f}")
    return value


def line_gross(
    qty: Decimal, price: Decimal, cost: Decimal | None = None, field: str = "line"
) -> None:
    """A line's quantity × unit price (and × unit cost) must be a bounded total."""
    total(MONEY_CONTEXT.multiply(qty, price), f"{field} quantity × unit_price")
    if cost is not None:
        total(MONEY_CONTEXT.multiply(qty, cost), f"{field} quantity × unit_cost")


def totals(document: Totals, field: str = "document") -> Totals:
    """Every total of a document: lines' net, net, VAT, incl. tax and cost."""
    total(document.lines_net, f"{field} lines net")
    total(document.net, f"{field} net total")
    total(document.vat, f"{field} VAT total")
    total(document.gross, f"{field} total incl. tax")
    if document.cost is not None:
        total(document.cost, f"{field} cost")
    return document
