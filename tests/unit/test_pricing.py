"""Pricing (P3): precedence, quantity breaks and dates at their bounds, currencies,
rounding per currency, formulas, units, and the rule each price names."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from domain.errors import (
    BackdatedAmendment,
    InvalidPriceRule,
    NoPrice,
    PriceCurrencyMismatch,
    UnknownSaleUnit,
)
from domain.price_list import PriceBreak, PriceList, PriceRule, RuleKind
from domain.pricing import Price, price
from domain.product import Product, SaleUnit
from domain.values import DiscountKind

AT = datetime(2026, 1, 5, 9, tzinfo=UTC)
D = Decimal
CUSTOMER = uuid4()


def product(reference: str = "CR-200", family: str | None = "registers") -> Product:
    item = Product.register(at=AT, reference=reference, name="Cash register", family=family)
    item.set_sale_units(at=AT, units=[SaleUnit("XBX", D(12))])
    item.set_cost(at=AT, effective=date(2026, 1, 1), amount=D("40"), currency="EUR")
    return item


def rule(
    kind: RuleKind,
    *breaks: tuple[str, str],
    reference: str | None = "CR-200",
    family: str | None = None,
) -> PriceRule:
    return PriceRule(kind, tuple(PriceBreak(D(m), D(v)) for m, v in breaks), reference, family)


def price_list(
    code: str,
    *rules: PriceRule,
    currency: str = "EUR",
    default: bool = False,
    valid_from: date = date(2026, 1, 1),
    valid_to: date | None = None,
    customers: tuple[UUID, ...] = (),
    groups: tuple[str, ...] = (),
    rounding: Decimal | None = None,
) -> PriceList:
    made = PriceList.create(
        at=AT,
        code=code,
        name=code,
        currency=currency,
        valid_from=valid_from,
        valid_to=valid_to,
        is_default=default,
        rounding=rounding,
    )
    made.amend(at=AT, effective=valid_from, reason="first", rules=list(rules))
    if customers or groups:
        made.assign(at=AT, customers=list(customers), groups=list(groups))
    return made


def quote(
    item: Product,
    lists: list[PriceList],
    quantity: str = "1",
    unit: str = "C62",
    on: date = date(2026, 3, 1),
    currency: str = "EUR",
    group: str | None = "resellers",
) -> Price:
    return price(
        product=item,
        quantity=D(quantity),
        unit=unit,
        on=on,
        currency=currency,
        customer_id=CUSTOMER,
        group=group,
        lists=lists,
    )


STANDARD = price_list("STD", rule(RuleKind.FIXED, ("0", "100")), default=True)


def test_the_customer_list_wins_over_the_group_list_which_wins_over_the_default() -> None:
    group = price_list("GRP", rule(RuleKind.FIXED, ("0", "90")), groups=("resellers",))
    own = price_list("OWN", rule(RuleKind.FIXED, ("0", "80")), customers=(CUSTOMER,))
    assert quote(product(), [STANDARD, group, own]).unit_price == D("80.00")
    assert quote(product(), [STANDARD, group]).unit_price == D("90.00")
    assert quote(product(), [STANDARD, group], group=None).unit_price == D("100.00")
    found = quote(product(), [STANDARD, group, own])
    assert (found.source.level, found.source.price_list, found.source.rule) == (
        "customer",
        "OWN",
        "product:cr-200",
    )
    assert "OWN" in found.source.explanation


def test_a_product_rule_wins_over_its_family_rule_in_the_same_list() -> None:
    both = price_list(
        "GRP",
        rule(RuleKind.FIXED, ("0", "70"), reference=None, family="registers"),
        rule(RuleKind.FIXED, ("0", "75")),
        groups=("resellers",),
    )
    assert quote(product(), [STANDARD, both]).unit_price == D("75.00")
    assert quote(product("CR-300"), [STANDARD, both]).unit_price == D("70.00")


def test_quantity_breaks_apply_from_their_minimum_included() -> None:
    group = price_list(
        "GRP", rule(RuleKind.FIXED, ("1", "90"), ("10", "85"), ("100", "80")), groups=("resellers",)
    )
    prices = {
        q: quote(product(), [STANDARD, group], quantity=q).unit_price
        for q in ("1", "9.999", "10", "99", "100", "1000")
    }
    assert prices == {
        "1": D("90.00"),
        "9.999": D("90.00"),
        "10": D("85.00"),
        "99": D("85.00"),
        "100": D("80.00"),
        "1000": D("80.00"),
    }


def test_below_every_break_of_a_level_the_next_level_prices() -> None:
    group = price_list("GRP", rule(RuleKind.FIXED, ("10", "85")), groups=("resellers",))
    assert quote(product(), [STANDARD, group], quantity="9").source.level == "default"
    assert quote(product(), [STANDARD, group], quantity="10").source.level == "group"


def test_breaks_count_base_units_and_a_box_is_priced_as_its_units() -> None:
    group = price_list(
        "GRP", rule(RuleKind.FIXED, ("1", "90"), ("24", "85")), groups=("resellers",)
    )
    assert quote(product(), [STANDARD, group], quantity="2", unit="XBX").unit_price == D("1020.00")
    assert quote(product(), [STANDARD, group], quantity="1", unit="box").unit_price == D("1080.00")
    with pytest.raises(UnknownSaleUnit):
        quote(product(), [STANDARD, group], unit="KGM")


def test_a_list_is_in_force_from_its_first_to_its_last_day_both_included() -> None:
    spring = price_list(
        "SPRING",
        rule(RuleKind.FIXED, ("0", "95")),
        groups=("resellers",),
        valid_from=date(2026, 3, 1),
        valid_to=date(2026, 3, 31),
    )
    on = {
        d: quote(product(), [STANDARD, spring], on=d).unit_price
        for d in (date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 31), date(2026, 4, 1))
    }
    assert list(on.values()) == [D("100.00"), D("95.00"), D("95.00"), D("100.00")]


def test_an_amendment_applies_from_its_effective_day_and_not_before() -> None:
    group = price_list("GRP", rule(RuleKind.FIXED, ("0", "90")), groups=("resellers",))
    group.amend(
        at=AT,
        effective=date(2026, 3, 2),
        reason="new year",
        rules=[rule(RuleKind.FIXED, ("0", "92"))],
    )
    assert quote(product(), [STANDARD, group], on=date(2026, 3, 1)).unit_price == D("90.00")
    assert quote(product(), [STANDARD, group], on=date(2026, 3, 2)).unit_price == D("92.00")
    with pytest.raises(BackdatedAmendment):
        group.amend(
            at=AT,
            effective=date(2026, 3, 1),
            reason="late",
            rules=[rule(RuleKind.FIXED, ("0", "1"))],
        )
    group.amend(
        at=AT, effective=date(2026, 4, 1), reason="gone", rules=[], removed=["product:CR-200"]
    )
    assert quote(product(), [STANDARD, group], on=date(2026, 4, 1)).source.level == "default"


def test_a_level_pricing_only_in_another_currency_is_refused_not_skipped() -> None:
    dollars = price_list(
        "USD-GRP", rule(RuleKind.FIXED, ("0", "99")), currency="USD", groups=("resellers",)
    )
    with pytest.raises(PriceCurrencyMismatch, match="USD-GRP"):
        quote(product(), [STANDARD, dollars])
    assert quote(product(), [STANDARD, dollars], currency="USD").unit_price == D("99.00")
    with pytest.raises(PriceCurrencyMismatch, match="STD"):
        quote(product(), [STANDARD], currency="USD", group=None)
    with pytest.raises(NoPrice):
        quote(product(), [dollars], currency="USD", group=None)


def test_prices_round_half_up_to_each_currency_minor_unit() -> None:
    lists = [
        price_list(
            f"L-{c}",
            rule(RuleKind.FIXED, ("0", "10.0049"), ("5", "10.5")),
            currency=c,
            default=True,
        )
        for c in ("EUR", "JPY", "TND")
    ]
    assert quote(product(), lists, currency="EUR").unit_price == D("10.00")
    assert quote(product(), lists, currency="JPY").unit_price == D("10")
    assert quote(product(), lists, currency="TND").unit_price == D("10.005")
    assert quote(product(), lists, currency="JPY", quantity="5").unit_price == D("11")


def test_a_list_rounding_step_applies_after_the_currency() -> None:
    group = price_list(
        "GRP", rule(RuleKind.LIST_MINUS, ("0", "3")), groups=("resellers",), rounding=D("0.5")
    )
    assert quote(product(), [STANDARD, group]).unit_price == D("97.00")
    odd = price_list(
        "ODD", rule(RuleKind.FIXED, ("0", "99.74")), customers=(CUSTOMER,), rounding=D("0.5")
    )
    assert quote(product(), [STANDARD, odd]).unit_price == D("99.50")


def test_a_discount_keeps_the_list_price_and_states_the_discount() -> None:
    group = price_list("GRP", rule(RuleKind.DISCOUNT, ("0", "10")), groups=("resellers",))
    found = quote(product(), [STANDARD, group])
    assert found.unit_price == D("100.00")
    assert found.discount is not None
    assert found.discount.kind == DiscountKind.PERCENT
    assert found.discount.value == D("10")


def test_formulas_take_the_cost_or_the_list_price() -> None:
    markup = price_list("MK", rule(RuleKind.COST_MARKUP, ("0", "1.35")), groups=("resellers",))
    minus = price_list("LM", rule(RuleKind.LIST_MINUS, ("0", "12.5")), customers=(CUSTOMER,))
    assert quote(product(), [STANDARD, markup]).unit_price == D("54.00")
    assert quote(product(), [STANDARD, minus]).unit_price == D("87.50")
    assert quote(product(), [STANDARD, minus]).unit_cost == D("40")
    dollars = price_list(
        "MK-USD", rule(RuleKind.COST_MARKUP, ("0", "2")), currency="USD", default=True
    )
    with pytest.raises(PriceCurrencyMismatch):
        quote(product(), [dollars], currency="USD")


def test_a_default_list_cannot_discount_the_list_price_it_states() -> None:
    with pytest.raises(InvalidPriceRule):
        price_list("STD2", rule(RuleKind.DISCOUNT, ("0", "5")), default=True)
    rule_with_both = PriceRule(RuleKind.FIXED, (PriceBreak(D(0), D(1)),), "A", "fam")
    with pytest.raises(InvalidPriceRule):
        price_list("X", rule_with_both)
