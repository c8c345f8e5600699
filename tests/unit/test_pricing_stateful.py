"""Pricing against a plain model (P3): whatever lists, levels, currencies, validity dates,
breaks and amendments, `domain.pricing.price` answers what the model says, rounded to
the currency, and a refused amendment changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from uuid import uuid4

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from domain.errors import BackdatedAmendment, DomainError, NoPrice, PriceCurrencyMismatch
from domain.price_list import PriceBreak, PriceList, PriceRule, RuleKind
from domain.pricing import price
from domain.product import Product
from domain.values import MINOR_UNITS

AT = datetime(2026, 1, 1, tzinfo=UTC)
START = date(2026, 1, 1)
CUSTOMER = uuid4()
LEVELS = ("customer", "group", "default")
CURRENCIES = ("EUR", "JPY", "TND")
PRODUCT = Product.register(at=AT, reference="P-1", name="Widget", family="widgets")

days = st.integers(min_value=0, max_value=60)
values = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(1000), places=3)
minimums = st.sampled_from([Decimal(0), Decimal(1), Decimal(5), Decimal(10)])


@dataclass
class ModelList:
    level: str
    currency: str
    code: str
    valid_from: date
    valid_to: date | None
    amendments: list[tuple[date, dict[Decimal, Decimal] | None]] = field(default_factory=list)

    def breaks_on(self, day: date) -> dict[Decimal, Decimal] | None:
        found = None
        for effective, breaks in self.amendments:
            if effective <= day:
                found = breaks
        return found

    def value(self, day: date, quantity: Decimal) -> Decimal | None:
        if day < self.valid_from or (self.valid_to is not None and day > self.valid_to):
            return None
        breaks = self.breaks_on(day) or {}
        fitting = [m for m in breaks if m <= quantity]
        return breaks[max(fitting)] if fitting else None


def expected(lists: list[ModelList], day: date, quantity: Decimal, currency: str) -> object:
    """The model's answer: (price, list code), or the error class."""
    for level in LEVELS:
        found = [(m, m.value(day, quantity)) for m in lists if m.level == level]
        found = [(m, v) for m, v in found if v is not None]
        if not found:
            continue
        found.sort(key=lambda f: (-f[0].valid_from.toordinal(), f[0].code))
        for model, value in found:
            if model.currency == currency and value is not None:
                exponent = Decimal(1).scaleb(-MINOR_UNITS[currency])
                return value.quantize(exponent, rounding=ROUND_HALF_UP), model.code
        return PriceCurrencyMismatch
    return NoPrice


class PricingMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.lists: list[PriceList] = []
        self.models: list[ModelList] = []

    @rule(
        level=st.sampled_from(LEVELS),
        currency=st.sampled_from(CURRENCIES),
        start=days,
        length=st.none() | days,
        breaks=st.dictionaries(minimums, values, min_size=1, max_size=3),
    )
    def create_list(
        self,
        level: str,
        currency: str,
        start: int,
        length: int | None,
        breaks: dict[Decimal, Decimal],
    ) -> None:
        code = f"L{len(self.lists)}"
        valid_from = START + timedelta(days=start)
        valid_to = None if length is None else valid_from + timedelta(days=length)
        made = PriceList.create(
            at=AT,
            code=code,
            name=code,
            currency=currency,
            valid_from=valid_from,
            valid_to=valid_to,
            is_default=level == "default",
        )
        made.amend(at=AT, effective=valid_from, reason="first", rules=[self._rule(breaks)])
        if level != "default":
            customers = [CUSTOMER] if level == "customer" else []
            made.assign(at=AT, customers=customers, groups=["g"] if level == "group" else [])
        model = ModelList(level, currency, code, valid_from, valid_to)
        model.amendments.append((valid_from, dict(breaks)))
        self.lists.append(made)
        self.models.append(model)

    @staticmethod
    def _rule(breaks: dict[Decimal, Decimal]) -> PriceRule:
        ordered = tuple(PriceBreak(m, v) for m, v in breaks.items())
        return PriceRule(RuleKind.FIXED, ordered, product="P-1")

    @precondition(lambda self: bool(self.lists))
    @rule(
        index=st.integers(min_value=0, max_value=20),
        day=days,
        breaks=st.none() | st.dictionaries(minimums, values, min_size=1, max_size=3),
    )
    def amend(self, index: int, day: int, breaks: dict[Decimal, Decimal] | None) -> None:
        made, model = self.lists[index % len(self.lists)], self.models[index % len(self.models)]
        effective = START + timedelta(days=day)
        version = made.version
        try:
            if breaks is None:
                made.amend(
                    at=AT, effective=effective, reason="drop", rules=[], removed=["product:p-1"]
                )
            else:
                made.amend(at=AT, effective=effective, reason="new", rules=[self._rule(breaks)])
        except BackdatedAmendment:
            assert made.version == version  # a refused amendment emits nothing
            assert effective < model.amendments[-1][0]
            return
        model.amendments.append((effective, None if breaks is None else dict(breaks)))

    @rule(
        day=days,
        quantity=st.sampled_from([Decimal(x) for x in ("0.5", "1", "4.999", "5", "10", "99")]),
        currency=st.sampled_from(CURRENCIES),
    )
    def price_matches_the_model(self, day: int, quantity: Decimal, currency: str) -> None:
        on = START + timedelta(days=day)
        want = expected(self.models, on, quantity, currency)
        try:
            got = price(
                product=PRODUCT,
                quantity=quantity,
                unit="C62",
                on=on,
                currency=currency,
                customer_id=CUSTOMER,
                group="g",
                lists=self.lists,
            )
        except DomainError as error:
            refused: type[DomainError] | None = type(error)
        else:
            refused = None
        if refused is not None:
            assert want is refused
            return
        assert want == (got.unit_price, got.source.price_list)
        assert got.unit_price.as_tuple().exponent == -MINOR_UNITS[currency]

    @invariant()
    def amendments_never_go_back_in_time(self) -> None:
        for made in self.lists:
            effective = [a.effective for a in made.amendments]
            assert effective == sorted(effective)
            assert effective[0] == made.valid_from


PricingMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
test_pricing_follows_the_model = PricingMachine.TestCase
