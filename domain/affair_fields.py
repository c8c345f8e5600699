"""An affair's fields and the checks its verbs share (A1–A3, A6, A9): the choices (sale
type, alert policy, action kind), the status table, the opportunity fields a command may
change and how each is checked, and the conversion bounds of the second currency.

Enums here are written into events as their values; the aggregate and its stored value
objects stay in `domain.affair`, where their stored names point.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol, TypeVar
from uuid import UUID

from domain import bounds
from domain.errors import InvalidAffairPeriod, InvalidInput
from domain.stages import Risk
from domain.values import MONEY_CONTEXT, ZERO, check_finite, round_money


class SaleType(StrEnum):
    PRODUCT = "product"
    MAINTENANCE_CONTRACT = "maintenance_contract"
    STUDY = "study"
    TRAINING = "training"


class AlertPolicy(StrEnum):
    BLOCKING = "blocking"
    INFORMATIVE = "informative"


class AlertKind(StrEnum):
    BUDGET = "budget"
    DATE = "date"


class ActionKind(StrEnum):
    TASK = "task"
    APPOINTMENT = "appointment"
    NOTE = "note"
    EMAIL = "email"


class AffairStatus(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


# The verbs each status allows among those that depend on it; one error for the rest.
# Actuals, progress, actions, alerts and currencies are allowed in every status.
TRANSITIONS: dict[AffairStatus, frozenset[str]] = {
    AffairStatus.OPEN: frozenset(
        {"moved", "lost", "updated", "reassigned", "budgeted", "baselined"}
    ),
    AffairStatus.WON: frozenset({"updated", "reassigned", "budgeted", "baselined"}),
    AffairStatus.LOST: frozenset({"reopened"}),
}


E = TypeVar("E", bound=StrEnum)

# Fields `update_opportunity` may change, by kind of check.
TEXT_FIELDS = frozenset({"name", "zone", "country"})
CHOICE_FIELDS: dict[str, type[StrEnum]] = {
    "sale_type": SaleType,
    "risk": Risk,
    "alert_policy": AlertPolicy,
}
OPTIONAL_FIELDS: dict[str, type] = {
    "customer_id": UUID,
    "prospect": str,
    "expected_close": date,
    "start": date,
    "end": date,
}
EDITABLE_FIELDS = frozenset(
    {*TEXT_FIELDS, *CHOICE_FIELDS, *OPTIONAL_FIELDS, "expected_amount", "competitors"}
)


def aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidInput(f"time must be timezone-aware, got {at.isoformat()}")
    return at


def text(value: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{what} must not be empty")
    return value


def choice(enum: type[E], value: E | str, what: str) -> E:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise InvalidInput(f"{what} must be one of {allowed}, got {value!r}") from None


def positive(value: Decimal, what: str) -> Decimal:
    if check_finite(value, what) == ZERO:
        raise InvalidInput(f"{what} must be greater than zero")
    return value


def bounded(value: Decimal, field: str) -> Decimal:
    """A non-negative amount within the bounds."""
    return bounds.amount(check_finite(value, field), field)


def check_period(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise InvalidAffairPeriod(f"the affair period ends ({end}) before it starts ({start})")


def check_conversions(amount: Decimal, *rates: Decimal | None) -> None:
    """The expected amount converted with each rate stays within the bounds."""
    for rate in rates:
        if rate is not None and rate > 0:
            bounds.total(MONEY_CONTEXT.multiply(amount, rate), "expected_amount × rate")


class FieldsOwner(Protocol):
    """What checking an opportunity field reads of the affair."""

    currency: str
    second_rate: Decimal | None
    zone_rates: dict[str, Decimal]


def checked_field(affair: FieldsOwner, name: str, value: Any) -> Any:
    """An opportunity field's new value, checked (`update_opportunity`)."""
    if name == "expected_amount":
        if not isinstance(value, Decimal):
            raise InvalidInput(f"expected amount must be a Decimal, got {value!r}")
        rounded = round_money(bounded(value, "expected_amount"), affair.currency)
        check_conversions(rounded, affair.second_rate, *affair.zone_rates.values())
        return rounded
    if name == "competitors":
        if not isinstance(value, list | tuple):
            raise InvalidInput(f"competitors must be a list of names, got {value!r}")
        return [text(c, "competitor") for c in value]
    if name in TEXT_FIELDS:
        return text(value, name)
    if name in CHOICE_FIELDS:
        return choice(CHOICE_FIELDS[name], value, name.replace("_", " "))
    kind = OPTIONAL_FIELDS[name]
    if value is not None and (not isinstance(value, kind) or isinstance(value, datetime)):
        raise InvalidInput(f"{name} must be a {kind.__name__} or None, got {value!r}")
    return value
