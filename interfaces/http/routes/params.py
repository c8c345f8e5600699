"""Days, months and instants a request may carry: one strict form each, documented bounds.

A day is `YYYY-MM-DD`, a month `YYYY-MM`, an instant an RFC 3339 date-time with its
offset (`2026-11-02T09:30:00Z`, `…+01:00`); nothing else is read as one (no Unix
timestamp such as `0.5`, no date without its time, no time without its offset). Every
year lies in FIRST_YEAR..LAST_YEAR, so no date arithmetic behind a route can leave the
calendar (`9999-12-31` plus a day is no date: it used to answer 500). The OpenAPI
document states each form as a `pattern`, bounds included.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Query
from pydantic import BeforeValidator, WithJsonSchema

FIRST_YEAR = 1900
LAST_YEAR = 2999
MAX_MONTHS = 240
"""The longest month range a view answers for (20 years)."""

_YEAR = r"(19\d{2}|2\d{3})"
_MONTH = r"(0[1-9]|1[0-2])"
_DAY = r"(0[1-9]|[12]\d|3[01])"
_TIME = r"([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?"
_OFFSET = r"([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)"

DAY_PATTERN = rf"^{_YEAR}-{_MONTH}-{_DAY}$"
MONTH_PATTERN = rf"^{_YEAR}-{_MONTH}$"
INSTANT_PATTERN = rf"^{_YEAR}-{_MONTH}-{_DAY}[Tt]{_TIME}{_OFFSET}$"

_SPAN = f"between {FIRST_YEAR} and {LAST_YEAR}"
DAY_RULE = f"a day written YYYY-MM-DD, in a year {_SPAN}"
MONTH_RULE = f"a month written YYYY-MM, in a year {_SPAN}"
INSTANT_RULE = (
    "an RFC 3339 date-time with its offset, e.g. 2026-11-02T09:30:00Z or "
    f"2026-11-02T10:30:00+01:00, in a year {_SPAN}"
)


def _strict(pattern: str, rule: str, kind: type[date]) -> Any:
    compiled = re.compile(pattern)

    def check(value: Any) -> Any:
        if isinstance(value, str):
            if compiled.fullmatch(value):
                return value
            raise ValueError(f"expected {rule}")
        typed = isinstance(value, kind) and (kind is datetime) == isinstance(value, datetime)
        if typed and FIRST_YEAR <= value.year <= LAST_YEAR:
            return value  # already typed (built in Python, not read from a request)
        raise ValueError(f"expected {rule}")

    return BeforeValidator(check)


Day = Annotated[
    date,
    _strict(DAY_PATTERN, DAY_RULE, date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DAY_PATTERN}),
]
"""A calendar day, `YYYY-MM-DD`, years FIRST_YEAR..LAST_YEAR."""

Instant = Annotated[
    datetime,
    _strict(INSTANT_PATTERN, INSTANT_RULE, datetime),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": INSTANT_PATTERN}),
]
"""A moment with its offset (RFC 3339), years FIRST_YEAR..LAST_YEAR."""


def _month(value: Any) -> Any:
    if isinstance(value, str) and re.fullmatch(MONTH_PATTERN, value):
        return value
    raise ValueError(f"expected {MONTH_RULE}")


Month = Annotated[
    str,
    BeforeValidator(_month),
    WithJsonSchema({"type": "string", "pattern": MONTH_PATTERN}),
]
"""A calendar month, `YYYY-MM`, years FIRST_YEAR..LAST_YEAR."""


def first_day(month: str) -> date:
    """The first day of a `Month`."""
    year, number = month.split("-")
    return date(int(year), int(number), 1)


def months_between(start: date, end: date) -> int:
    """How many months a range from `start`'s month to `end`'s month covers, both included."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


Today = Annotated[
    Day | None,
    Query(description=f"The day the view answers for (default: the server's date); {DAY_RULE}"),
]
Since = Annotated[
    Instant | None, Query(description=f"From this instant, inclusive; {INSTANT_RULE}")
]
Until = Annotated[Instant | None, Query(description=f"Before this instant; {INSTANT_RULE}")]
