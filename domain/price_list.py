"""The PriceList aggregate (P2): a currency's prices for customers, groups or everyone.

A list is valid from one day to another (both included) and holds rules, one per
product (by reference) or per product family, each with quantity breaks. A rule gives
a fixed price, a discount on the list price, or a formula: cost × coefficient, or list
price less a percentage. The list price is what the default list of the same currency
gives, so a default list states prices and never discounts itself.

Rules change only by amendments, each with a reason and an effective date no earlier
than the last one's: the rules on a day are those of every amendment effective by then.
A quote line stores the price it got, so no amendment changes a quote.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain import bounds
from domain.errors import BackdatedAmendment, InvalidInput, InvalidPriceRule
from domain.quote_lines import checked_at, checked_decimal, optional_text, required_text
from domain.values import HUNDRED, check_currency, check_finite


class RuleKind(StrEnum):
    FIXED = "fixed"  # the break's value is the unit price
    DISCOUNT = "discount"  # the list price, with the value as a line discount in %
    COST_MARKUP = "cost_markup"  # cost × the value (a coefficient)
    LIST_MINUS = "list_minus"  # the list price less the value in %, as a net price


PERCENT_KINDS = frozenset({RuleKind.DISCOUNT, RuleKind.LIST_MINUS})
ON_LIST_PRICE = PERCENT_KINDS


@dataclass(frozen=True)
class PriceBreak:
    """From `min_quantity` base units on (included), the rule's value is `value`."""

    min_quantity: Decimal
    value: Decimal


@dataclass(frozen=True)
class PriceRule:
    """How the list prices one product (by reference) or one family of products."""

    kind: RuleKind
    breaks: tuple[PriceBreak, ...]
    product: str | None = None
    family: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", RuleKind(self.kind))
        object.__setattr__(self, "breaks", tuple(self.breaks))

    @property
    def key(self) -> str:
        """`product:REF` or `family:NAME`: one rule per key in a list."""
        if self.product is not None:
            return f"product:{self.product.casefold()}"
        return f"family:{(self.family or '').casefold()}"

    def break_for(self, quantity: Decimal) -> PriceBreak | None:
        """The break with the largest minimum at or below `quantity`; None below them all."""
        found = None
        for price_break in self.breaks:
            if price_break.min_quantity <= quantity:
                found = price_break
        return found


def checked_rule(rule: PriceRule) -> PriceRule:
    """The rule with trimmed names and breaks sorted by minimum, else `InvalidPriceRule`."""
    product = optional_text(rule.product, "a product reference")
    family = optional_text(rule.family, "a family")
    if (product is None) == (family is None):
        raise InvalidPriceRule("a rule names a product or a family, not both nor neither")
    if not rule.breaks:
        raise InvalidPriceRule("a rule needs at least one quantity break")
    breaks = []
    for price_break in rule.breaks:
        minimum = bounds.quantity(checked_decimal(price_break.min_quantity, "a minimum"))
        value = check_finite(checked_decimal(price_break.value, "a rule's value"), "a value")
        bounds.unit_price(value, "value")
        if minimum < 0:
            raise InvalidPriceRule(f"a break's minimum quantity is 0 or more, got {minimum}")
        if rule.kind in PERCENT_KINDS and value > HUNDRED:
            raise InvalidPriceRule(f"a percentage lies between 0 and 100, got {value}")
        breaks.append(PriceBreak(minimum, value))
    breaks.sort(key=lambda b: b.min_quantity)
    if len({b.min_quantity for b in breaks}) != len(breaks):
        raise InvalidPriceRule("two breaks of a rule have the same minimum quantity")
    return PriceRule(RuleKind(rule.kind), tuple(breaks), product, family)


@dataclass(frozen=True)
class Amendment:
    """Rules set (added or replaced) and removed (by key) from `effective` on."""

    effective: date
    reason: str
    rules: tuple[PriceRule, ...]
    removed: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "rules", tuple(self.rules))
        object.__setattr__(self, "removed", tuple(self.removed))


def price_list_id(code: str) -> UUID:
    """Price lists are found by their code (case-insensitive)."""
    return uuid5(NAMESPACE_URL, f"comptoir:price-list:{code.strip().casefold()}")


def checked_day(value: object, what: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInput(f"{what} must be a date, got {value!r}")
    return value


class PriceList(Aggregate):
    """A list of prices in one currency, dated, assigned to customers and groups."""

    @staticmethod
    def create_id(code: str) -> UUID:
        return price_list_id(code)

    @event("Created")
    def __init__(
        self,
        *,
        at: datetime,
        code: str,
        name: str,
        currency: str,
        valid_from: date,
        valid_to: date | None,
        is_default: bool,
        rounding: Decimal | None,
    ) -> None:
        self.created_at = at
        self.code, self.name, self.currency = code, name, currency
        self.valid_from, self.valid_to = valid_from, valid_to
        self.is_default, self.rounding = is_default, rounding
        self.customers: list[UUID] = []
        self.groups: list[str] = []
        self.amendments: list[Amendment] = []

    @classmethod
    def create(
        cls,
        *,
        at: datetime,
        code: str,
        name: str,
        currency: str,
        valid_from: date,
        valid_to: date | None = None,
        is_default: bool = False,
        rounding: Decimal | None = None,
    ) -> PriceList:
        """A new list without rules; an amendment gives it its first ones."""
        valid_from = checked_day(valid_from, "valid_from")
        if valid_to is not None and checked_day(valid_to, "valid_to") < valid_from:
            raise InvalidInput(f"a list valid from {valid_from} cannot end on {valid_to}")
        if rounding is not None:
            rounding = check_finite(checked_decimal(rounding, "a rounding step"), "rounding")
            if rounding <= 0:
                raise InvalidInput(f"a rounding step is above 0, got {rounding}")
        if not isinstance(is_default, bool):
            raise InvalidInput(f"is_default is true or false, got {is_default!r}")
        return cls(
            at=checked_at(at),
            code=required_text(code, "a price list's code"),
            name=optional_text(name, "a name") or code.strip(),
            currency=check_currency(currency),
            valid_from=valid_from,
            valid_to=valid_to,
            is_default=is_default,
            rounding=rounding,
        )

    # -- reading ------------------------------------------------------------------------

    def valid_on(self, day: date) -> bool:
        """Whether the list is in force on `day` (both bounds included)."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def rules_on(self, day: date) -> dict[str, PriceRule]:
        """The rules in force on `day`, by key: every amendment effective by then, in order."""
        rules: dict[str, PriceRule] = {}
        for amendment in self.amendments:
            if amendment.effective > day:
                break
            for key in amendment.removed:
                rules.pop(key, None)
            rules.update((rule.key, rule) for rule in amendment.rules)
        return rules

    def rule_for(self, reference: str, family: str | None, day: date) -> PriceRule | None:
        """The product's own rule on `day`, else its family's, else None."""
        rules = self.rules_on(day)
        own = rules.get(f"product:{reference.casefold()}")
        if own is not None or family is None:
            return own
        return rules.get(f"family:{family.casefold()}")

    def assigned_to(self, customer_id: UUID | None, group: str | None) -> str | None:
        """ "customer", "group" or "default": how this list applies; None when it does not."""
        if customer_id is not None and customer_id in self.customers:
            return "customer"
        if group is not None and group.casefold() in {g.casefold() for g in self.groups}:
            return "group"
        return "default" if self.is_default else None

    # -- verbs --------------------------------------------------------------------------

    def amend(
        self,
        *,
        at: datetime,
        effective: date,
        reason: str,
        rules: list[PriceRule],
        removed: list[str] | None = None,
    ) -> None:
        """Set and remove rules from `effective` on, never before the last amendment's."""
        effective = checked_day(effective, "an effective date")
        last = self.amendments[-1].effective if self.amendments else None
        if last is not None and effective < last:
            raise BackdatedAmendment(
                f"list {self.code} was last amended from {last}; a change from {effective} "
                "would rewrite prices already given"
            )
        checked = [checked_rule(rule) for rule in rules]
        if len({rule.key for rule in checked}) != len(checked):
            raise InvalidPriceRule("an amendment gives two rules for the same product or family")
        if self.is_default and any(rule.kind in ON_LIST_PRICE for rule in checked):
            raise InvalidPriceRule(
                f"{self.code} is a default list: it states the list price, it cannot discount it"
            )
        gone = [required_text(key, "a rule's key").casefold() for key in removed or []]
        if not checked and not gone:
            raise InvalidPriceRule("an amendment sets or removes at least one rule")
        amendment = Amendment(effective, required_text(reason, "a reason"), tuple(checked))
        self._amend(
            at=checked_at(at),
            amendment=Amendment(
                amendment.effective, amendment.reason, amendment.rules, tuple(gone)
            ),
        )

    @event("Amended")
    def _amend(self, at: datetime, amendment: Amendment) -> None:
        self.amendments.append(amendment)

    def assign(self, *, at: datetime, customers: list[UUID], groups: list[str]) -> None:
        """Replace who the list applies to: these customers and these customer groups."""
        if not all(isinstance(c, UUID) for c in customers):
            raise InvalidInput("customers are given by their ids")
        names = sorted({required_text(g, "a group's name") for g in groups})
        ids = sorted(set(customers), key=str)
        if ids != sorted(self.customers, key=str) or names != sorted(self.groups):
            self._assign(at=checked_at(at), customers=ids, groups=names)

    @event("Assigned")
    def _assign(self, at: datetime, customers: list[UUID], groups: list[str]) -> None:
        self.customers, self.groups = list(customers), list(groups)

    def set_validity(self, *, at: datetime, valid_from: date, valid_to: date | None) -> None:
        """New validity dates (both included)."""
        valid_from = checked_day(valid_from, "valid_from")
        if valid_to is not None and checked_day(valid_to, "valid_to") < valid_from:
            raise InvalidInput(f"a list valid from {valid_from} cannot end on {valid_to}")
        if (valid_from, valid_to) != (self.valid_from, self.valid_to):
            self._set_validity(at=checked_at(at), valid_from=valid_from, valid_to=valid_to)

    @event("ValidityChanged")
    def _set_validity(self, at: datetime, valid_from: date, valid_to: date | None) -> None:
        self.valid_from, self.valid_to = valid_from, valid_to
