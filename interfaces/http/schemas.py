"""Request and response bodies shared by the routes."""

from __future__ import annotations

import math
import re
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, Self, TypeVar
from uuid import UUID

from fastapi.encoders import jsonable_encoder
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    WithJsonSchema,
    model_serializer,
)

from application.commands import CommandResult
from application.numbers import money_text, number_text
from domain.bounds import (
    MAX_AMOUNT,
    MAX_PERCENT,
    MAX_QUANTITY,
    MAX_RATE,
    MAX_UNIT_PRICE,
    PLACES,
    RATE_PLACES,
)
from interfaces.http.results import NoResult, ResultModel
from interfaces.http.text_rules import NO_CONTROL
from interfaces.http.text_rules import NO_NUL as NO_NUL  # where the header rules read it

R = TypeVar("R", bound=ResultModel)

# A decimal in a request: ASCII digits, an optional leading '-', an optional '.' and
# fraction; no spaces, underscores, exponent, NaN or Infinity, no other script's digits.
DECIMAL_TEXT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
DECIMAL_RULE = (
    "a decimal is written with ASCII digits, an optional leading '-' and an optional "
    "'.' fraction, e.g. \"12.50\" (no spaces, underscores, exponent, NaN or Infinity)"
)
# A JSON number is still taken (older clients send them) when its float keeps every digit.
FLOAT_DIGITS = 15


def strict_decimal(value: object) -> Decimal:
    """The one parser of request decimals; `-0` (and `-0.00`) is taken as 0."""
    if isinstance(value, bool):
        raise ValueError(DECIMAL_RULE)
    if isinstance(value, str):
        if len(value) > 64 or not DECIMAL_TEXT.fullmatch(value):
            raise ValueError(DECIMAL_RULE)
        number = Decimal(value)
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(DECIMAL_RULE)
        number = Decimal(repr(value))
        if len(number.as_tuple().digits) > FLOAT_DIGITS:
            raise ValueError(f"send a decimal of more than {FLOAT_DIGITS} digits as a string")
    elif isinstance(value, Decimal) and value.is_finite():
        number = value
    else:
        raise ValueError(DECIMAL_RULE)
    return number.copy_abs() if number.is_zero() else number


def decimal_pattern(digits: int, places: int, positive: bool) -> str:
    """The strings `strict_decimal` takes for values up to 10^digits with `places` decimals."""
    fraction = rf"(?:\.[0-9]{{1,{places}}}0*)?"
    body = rf"0*(?:[0-9]{{1,{digits}}}{fraction}|1{'0' * digits}(?:\.0+)?)"
    if positive:
        return rf"^(?=[0-9.]*[1-9]){body}$"
    return rf"^(?:-0+(?:\.0+)?|{body})$"


def decimal_schema(
    maximum: Decimal, places: int, positive: bool, pattern: str | None = None
) -> WithJsonSchema:
    """The OpenAPI form of a bounded request decimal: a string (preferred) or a number."""
    low = "greater than 0" if positive else "at least 0"
    digits = len(str(int(maximum))) - 1
    number: dict[str, Any] = {"type": "number", "maximum": float(maximum)}
    number["exclusiveMinimum" if positive else "minimum"] = 0
    return WithJsonSchema(
        {
            "anyOf": [
                {
                    "type": "string",
                    "pattern": pattern or decimal_pattern(digits, places, positive),
                },
                number,
            ],
            "description": f"A decimal {low} and at most {maximum:f}, with at most "
            f"{places} decimals; {DECIMAL_RULE}; -0 is taken as 0.",
        }
    )


def _bounded(maximum: Decimal, places: int, positive: bool) -> Any:
    """The pydantic constraints of a bounded request decimal."""
    return Field(
        allow_inf_nan=False,
        gt=0 if positive else None,
        ge=None if positive else 0,
        le=maximum,
        decimal_places=places,
    )


STRICT = BeforeValidator(strict_decimal)

# Request decimals, bounded as the domain bounds them (`domain.bounds`, the authority).
Quantity = Annotated[
    Decimal,
    STRICT,
    _bounded(MAX_QUANTITY, PLACES, True),
    decimal_schema(MAX_QUANTITY, PLACES, True),
]
UnitPrice = Annotated[
    Decimal,
    STRICT,
    _bounded(MAX_UNIT_PRICE, PLACES, False),
    decimal_schema(MAX_UNIT_PRICE, PLACES, False),
]
Amount = Annotated[
    Decimal,
    STRICT,
    _bounded(MAX_AMOUNT, PLACES, False),
    decimal_schema(MAX_AMOUNT, PLACES, False),
]
PositiveAmount = Annotated[
    Decimal,
    STRICT,
    _bounded(MAX_AMOUNT, PLACES, True),
    decimal_schema(MAX_AMOUNT, PLACES, True),
]
Percent = Annotated[
    Decimal,
    STRICT,
    _bounded(MAX_PERCENT, PLACES, False),
    decimal_schema(MAX_PERCENT, PLACES, False),
]
PositivePercent = Annotated[
    Decimal,
    STRICT,
    _bounded(MAX_PERCENT, PLACES, True),
    decimal_schema(MAX_PERCENT, PLACES, True),
]
ExchangeRate = Annotated[
    Decimal,
    STRICT,
    _bounded(MAX_RATE, RATE_PLACES, True),
    decimal_schema(MAX_RATE, RATE_PLACES, True),
]
# Request text: no control character but tab and newlines (`text_rules`, which refuses it).
Text = Annotated[str, Field(max_length=2000, pattern=NO_CONTROL)]
ShortText = Annotated[str, Field(max_length=200, pattern=NO_CONTROL)]


# The currency of the document being written, so that its nested lines and totals write
# their amounts at its minor unit (`InCurrency`); None outside a document.
_CURRENCY: ContextVar[str | None] = ContextVar("document_currency", default=None)


def _money_out(value: Decimal) -> str:
    """An amount of the document being written at its currency's minor unit; as it is
    stored when no document states a currency."""
    currency = _CURRENCY.get()
    return str(value) if currency is None else money_text(value, currency)


# Decimals in answers (`application.numbers`): an amount at its currency's minor unit,
# a rate, percentage or quantity without trailing zeros. Both exact strings.
MoneyOut = Annotated[
    Decimal,
    PlainSerializer(_money_out, return_type=str),
    Field(description="An exact amount, at least at its currency's minor unit"),
]
NumberOut = Annotated[
    Decimal,
    PlainSerializer(number_text, return_type=str),
    Field(description="An exact rate, percentage or quantity, without trailing zeros"),
]


class InCurrency(BaseModel):
    """A document in one currency: its `MoneyOut` amounts, its lines' included, are
    written at that currency's minor unit."""

    currency: str

    # No return annotation: one would replace the model's documented schema.
    @model_serializer(mode="wrap")
    def _in_currency(self, handler: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]
        token = _CURRENCY.set(self.currency)
        try:
            return handler(self)
        finally:
            _CURRENCY.reset(token)


def json_safe(value: Any) -> Any:
    """JSON-ready data with every amount as an exact decimal string, never a float."""
    return jsonable_encoder(value, custom_encoder={Decimal: str})


class Body(BaseModel):
    """Every command body: no unknown fields, and an optional reason for the record."""

    model_config = ConfigDict(extra="forbid")

    reason: Text | None = Field(default=None, description="Why, recorded in the journal")


class CommandAnswer(BaseModel, Generic[R]):
    """A recorded command: the document, its new version, the log position to wait for
    (`GET /views/...?min_position=`), and what the command reports, typed per command."""

    id: UUID
    version: int
    position: int | None = Field(
        description="The log position the command produced; null when it recorded no event"
    )
    result: R
    links: dict[str, str] = {}

    @classmethod
    def of(cls, outcome: CommandResult, base: str, result: type[R]) -> Self:
        self_link = f"{base}/{outcome.aggregate_id}"
        return cls(
            id=outcome.aggregate_id,
            version=outcome.version,
            position=outcome.position,
            result=result.model_validate(dict(outcome.result)),
            links={"self": self_link, "history": f"{self_link}/history"},
        )


class Accepted(CommandAnswer[NoResult]):
    """A recorded command that reports nothing beyond its version and position."""

    result: NoResult = NoResult()


class HistoryItem(BaseModel):
    """One event of a document with who recorded it, when and why."""

    position: int
    version: int
    type: str
    recorded_at: datetime
    actor: str | None
    reason: str | None
    command: str | None
    command_id: UUID | None
    data: dict[str, Any]


class ViewPage(BaseModel):
    """Rows of a view and the log position the view had reached."""

    position: int
    total: int
    items: list[dict[str, Any]]


__all__ = [
    "Amount",
    "ExchangeRate",
    "Percent",
    "PositiveAmount",
    "PositivePercent",
    "Quantity",
    "ShortText",
    "Text",
    "UnitPrice",
    "date",
]
