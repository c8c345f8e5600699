"""The one written form of a decimal in every answer: documents, views and command results.

- An amount of money is written with its currency's minor unit (`"0.00"`, `"19.99"`,
  `"1200"` in JPY), and with more decimals only when it has them (a unit price of
  `"0.125"`): exact, never rounded for display.
- A rate, a percentage, a quantity, hours or a factor is written as given, normalized:
  no exponent and no trailing zeros (`"20"`, `"5.5"`, `"3"`, `"0.25"`, `"0"`).

Both are exact decimal strings, never JSON numbers: a client parses them as decimals.
"""

from __future__ import annotations

from decimal import Decimal

from domain.values import MINOR_UNITS


def number_text(value: Decimal) -> str:
    """A rate, percentage, quantity or factor: no exponent, no trailing zeros."""
    if value.is_zero():
        return "0"
    return format(value.normalize(), "f")


def money_text(amount: Decimal, currency: str | None) -> str:
    """An amount: at least its currency's minor unit, more decimals only when it has
    them; without a known currency, as `number_text`."""
    places = MINOR_UNITS.get(str(currency)) if currency is not None else None
    if places is None:
        return number_text(amount)
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and -exponent == places:
        return str(amount.copy_abs() if amount.is_zero() else amount)
    normalized = Decimal(number_text(amount))
    written = normalized.as_tuple().exponent
    if isinstance(written, int) and -written < places:
        normalized = normalized.quantize(Decimal(1).scaleb(-places))
    return str(normalized)
