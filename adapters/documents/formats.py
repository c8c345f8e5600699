"""Amounts, dates, quantities and rates as a French reader expects them, through Babel.

`money(Decimal("1234.56"), "EUR")` → `1 234,56 €` (a narrow no-break space groups the
thousands, a no-break space precedes the symbol), `long_date(date(2026, 12, 4))` →
`4 décembre 2026`. One locale per rendering; French (`fr_FR`) by default.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from domain.units import UNIT_CODES, UNIT_WORDS

DEFAULT_LOCALE = "fr_FR"

# Rec 20 unit codes as a French document names them (what is not here prints as is).
UNIT_LABELS: dict[str, str] = {
    "C62": "u.",
    "H87": "pièce",
    "SET": "lot",
    "PR": "paire",
    "LS": "forfait",
    "SEC": "s",
    "MIN": "min",
    "HUR": "h",
    "DAY": "jour",
    "WEE": "semaine",
    "MON": "mois",
    "QAN": "trimestre",
    "ANN": "an",
    "GRM": "g",
    "KGM": "kg",
    "TNE": "t",
    "MMT": "mm",
    "CMT": "cm",
    "MTR": "m",
    "KMT": "km",
    "MTK": "m²",
    "MTQ": "m³",
    "MLT": "ml",
    "LTR": "l",
    "KWH": "kWh",
    "E48": "prestation",
    "XPK": "colis",
    "XBX": "boîte",
    "XPA": "paquet",
}


def money(amount: Decimal, currency: str, locale: str = DEFAULT_LOCALE) -> str:
    """`1 234,56 €`: the amount with its currency's decimals and symbol."""
    return str(format_currency(amount, currency, locale=locale))


def long_date(day: date | datetime, locale: str = DEFAULT_LOCALE) -> str:
    """`4 décembre 2026`."""
    if isinstance(day, datetime):
        day = day.date()
    return str(format_date(day, format="long", locale=locale))


def number(value: Decimal, locale: str = DEFAULT_LOCALE) -> str:
    """A quantity with the decimals it has (trailing zeros dropped): `3,5`, `1 200`."""
    normalized = value.normalize()
    places = max(0, -int(normalized.as_tuple().exponent))
    pattern = "#,##0" + ("." + "#" * places if places else "")
    return str(format_decimal(value, format=pattern, locale=locale))


def percent(value: Decimal, locale: str = DEFAULT_LOCALE) -> str:
    """A rate given in percent: `20 %`, `5,5 %`."""
    return f"{number(value, locale)}\u00a0%"


def unit_label(unit: str) -> str:
    """The unit as a French document prints it (`jour`, `h`, `u.`): a Rec 20 code or a
    word for one (`day`, `piece`); any other word as typed."""
    text = " ".join(unit.split())
    code = text.upper() if text.upper() in UNIT_CODES else UNIT_WORDS.get(text.lower())
    return UNIT_LABELS.get(code or "", text)


def grouped(digits: str, sizes: tuple[int, ...]) -> str:
    """`732829320` in groups of (3, 3, 3) → `732 829 320`; other text is left alone."""
    if not digits.isdigit() or sum(sizes) != len(digits):
        return digits
    parts, start = [], 0
    for size in sizes:
        parts.append(digits[start : start + size])
        start += size
    return " ".join(parts)


def siren(digits: str) -> str:
    return grouped(digits, (3, 3, 3))


def siret(digits: str) -> str:
    return grouped(digits, (3, 3, 3, 5))
