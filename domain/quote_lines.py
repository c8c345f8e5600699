"""Quote lines: the line value object, its rules, line diffs, revision records and input checks."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from domain import bounds
from domain.errors import InvalidAmount, InvalidInput
from domain.values import (
    HUNDRED,
    Discount,
    DiscountKind,
    DiscountMode,
    PricedLine,
    Totals,
    check_finite,
    compute_totals,
    in_money_context,
    line_net,
    round_money,
)

# What `Quote.change_line` may change: every field of a line but its id.
EDITABLE_FIELDS: frozenset[str] = frozenset(
    {
        "description",
        "quantity",
        "unit_price",
        "vat_rate",
        "unit",
        "product_ref",
        "discount",
        "unit_cost",
    }
)


# The fields a catalogue fills on a line that a user may still give by hand (P4).
OVERRIDABLE: tuple[str, ...] = (
    "description",
    "unit",
    "unit_price",
    "vat_rate",
    "unit_cost",
    "discount",
)


@dataclass(frozen=True)
class CatalogueSource:
    """Where a line from the catalogue came from: the product, the day it was priced, the
    rule that priced it (`None` when its price was given by hand), and which fields were
    given by hand instead. The line keeps the price it got, whatever lists do later."""

    product_id: UUID
    priced_on: date
    rule: str | None = None
    price_list_id: UUID | None = None
    overridden: tuple[str, ...] = ()
    kit: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "overridden", tuple(sorted(set(self.overridden))))


@dataclass(frozen=True)
class QuoteLine:
    """One line of a quote: free text or a catalogued product, priced in the quote's currency."""

    line_id: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    unit: str = "unit"
    product_ref: str | None = None
    discount: Discount | None = None
    unit_cost: Decimal | None = None
    source: CatalogueSource | None = None

    def priced(self) -> PricedLine:
        """What the money rules need of this line."""
        return PricedLine(
            quantity=self.quantity,
            unit_price=self.unit_price,
            vat_rate=self.vat_rate,
            discount=self.discount,
            unit_cost=self.unit_cost,
        )

    @in_money_context
    def discount_percent(self) -> Decimal:
        """The line discount as a percentage of quantity × unit price (0 when none)."""
        if self.discount is None:
            return Decimal(0)
        if self.discount.kind == DiscountKind.PERCENT:
            return self.discount.value
        gross = self.quantity * self.unit_price
        return Decimal(0) if gross == 0 else self.discount.value / gross * HUNDRED

    @in_money_context
    def margin(self, currency: str) -> Decimal | None:
        """Net after the line's own discount less quantity × unit cost; None without cost."""
        if self.unit_cost is None:
            return None
        cost = round_money(self.quantity * self.unit_cost, currency)
        return line_net(self.priced(), currency) - cost


# -- checks of command inputs, shared by the quote's verbs ---------------------------------


def checked_at(at: datetime) -> datetime:
    """A command's time, which must be timezone-aware."""
    if not isinstance(at, datetime) or at.utcoffset() is None:
        raise InvalidInput(f"a command's time must be a timezone-aware datetime, got {at!r}")
    return at


def optional_text(value: object, what: str) -> str | None:
    """Trimmed text, None when absent or blank."""
    if value is not None and not isinstance(value, str):
        raise InvalidInput(f"{what} must be text, got {value!r}")
    return (value or "").strip() or None


def required_text(value: object, what: str) -> str:
    """Trimmed text that must not be blank."""
    text = optional_text(value, what)
    if text is None:
        raise InvalidInput(f"{what} must not be blank")
    return text


def checked_uuid(value: object, what: str) -> UUID | None:
    """An optional UUID."""
    if value is not None and not isinstance(value, UUID):
        raise InvalidInput(f"{what} must be a UUID, got {value!r}")
    return value


def checked_date(value: object) -> date | None:
    """An optional calendar date (a datetime is not one)."""
    if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
        raise InvalidInput(f"a validity date must be a date, got {value!r}")
    return value


def checked_decimal(value: object, what: str) -> Decimal:
    """A finite decimal number; floats are refused, binary fractions have no place in money."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise InvalidAmount(f"{what} must be a decimal number, got {value!r}")
    return check_finite(Decimal(value), what, allow_negative=True)


def checked_line(line: QuoteLine) -> QuoteLine:
    """Return the line with trimmed text if it follows every line rule, else raise."""
    quantity = bounds.quantity(checked_decimal(line.quantity, "quantity"))
    if quantity <= 0:
        raise InvalidAmount(f"quantity must be greater than zero, got {quantity}")
    unit_price = check_finite(checked_decimal(line.unit_price, "unit price"), "unit price")
    bounds.unit_price(unit_price, "unit_price")
    vat_rate = check_finite(checked_decimal(line.vat_rate, "VAT rate"), "VAT rate")
    if vat_rate > HUNDRED:
        raise InvalidAmount(f"a VAT rate must lie between 0 and 100, got {vat_rate}")
    bounds.percent(vat_rate, "vat_rate")
    unit_cost = line.unit_cost
    if unit_cost is not None:
        unit_cost = check_finite(checked_decimal(unit_cost, "unit cost"), "unit cost")
        bounds.unit_price(unit_cost, "unit_cost")
    bounds.line_gross(quantity, unit_price, unit_cost)
    discount = line.discount
    if discount is not None:
        if not isinstance(discount, Discount):
            raise InvalidInput(f"a line discount must be a Discount, got {discount!r}")
        bounds.within(discount.value, "discount.value", bounds.MAX_AMOUNT)
        if discount.kind == DiscountKind.AMOUNT and discount.value > quantity * unit_price:
            raise InvalidAmount(
                f"a discount of {discount.value} exceeds the line's amount {quantity * unit_price}"
            )
    product_ref = optional_text(line.product_ref, "a product ref")
    if line.source is not None and not isinstance(line.source, CatalogueSource):
        raise InvalidInput(f"a line's source must be a CatalogueSource, got {line.source!r}")
    return QuoteLine(
        line_id=line.line_id,
        description=required_text(line.description, "a line's description"),
        quantity=quantity,
        unit_price=unit_price,
        vat_rate=vat_rate,
        unit=required_text(line.unit, "a line's unit"),
        product_ref=product_ref,
        discount=discount,
        unit_cost=unit_cost,
        source=line.source,
    )


def bounded_totals(
    lines: Mapping[str, QuoteLine], currency: str, discounts: list[Decimal], mode: DiscountMode
) -> Totals:
    """The totals the lines would have, refused with `AmountOutOfBounds` past the bounds."""
    totals = compute_totals((line.priced() for line in lines.values()), currency, discounts, mode)
    return bounds.totals(totals, "the quote's")


def changed_line(line: QuoteLine, changes: Mapping[str, Any]) -> QuoteLine:
    """The line with the given field changes applied and checked; on a line from the
    catalogue, a changed field it had filled is recorded as given by hand."""
    unknown = sorted(set(changes) - EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(f"a line has no editable field {', '.join(unknown)}")
    source = line.source
    if source is not None:
        by_hand = {k for k in changes if k in OVERRIDABLE and getattr(line, k) != changes[k]}
        if not by_hand <= set(source.overridden):
            overridden = (*source.overridden, *by_hand)
            source = dataclasses.replace(source, overridden=overridden)
    return checked_line(dataclasses.replace(line, **changes, source=source))


class LineChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class FieldChange:
    """One field of a line, before and after."""

    name: str
    before: object
    after: object


@dataclass(frozen=True)
class LineChange:
    """How one line differs between two versions of a document."""

    line_id: str
    kind: LineChangeKind
    before: QuoteLine | None = None
    after: QuoteLine | None = None
    fields: list[FieldChange] = field(default_factory=list)


def diff_lines(old: Mapping[str, QuoteLine], new: Mapping[str, QuoteLine]) -> list[LineChange]:
    """Line-level changes from `old` to `new`: changed and removed in old order, then added."""
    changes: list[LineChange] = []
    for line_id, before in old.items():
        after = new.get(line_id)
        if after is None:
            changes.append(LineChange(line_id, LineChangeKind.REMOVED, before=before))
            continue
        fields = [
            FieldChange(name, getattr(before, name), getattr(after, name))
            for name in (f.name for f in dataclasses.fields(QuoteLine))
            if getattr(before, name) != getattr(after, name)
        ]
        if fields:
            changes.append(LineChange(line_id, LineChangeKind.CHANGED, before, after, fields))
    changes.extend(
        LineChange(line_id, LineChangeKind.ADDED, after=after)
        for line_id, after in new.items()
        if line_id not in old
    )
    return changes


@dataclass(frozen=True)
class RevisionRecord:
    """What one revision of a quote said: its lines, discounts and validity, kept readable."""

    revision: int
    currency: str
    lines: dict[str, QuoteLine]
    discounts: list[Decimal] = field(default_factory=list)
    discount_mode: DiscountMode = DiscountMode.CASCADING
    valid_until: date | None = None
    sent_at: datetime | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "discount_mode", DiscountMode(self.discount_mode))

    def totals(self) -> Totals:
        """The revision's totals under the money rules."""
        return compute_totals(
            (line.priced() for line in self.lines.values()),
            self.currency,
            self.discounts,
            self.discount_mode,
        )
