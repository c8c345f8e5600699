"""Order lines from the catalogue (P4): the line keeps its source through storage, a new
quantity past a break reprices it, a price or discount given by hand stays and is named."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pytest
from eventsourcing.domain import Snapshot

from domain.errors import InvalidInput
from domain.order import CatalogueLine, ChangeLine, Order, OrderLine, RepriceLine
from domain.price_list import PriceBreak, PriceList, PriceRule, RuleKind
from domain.pricing import Price, price
from domain.product import Product
from domain.product_lines import PricingContext, lines_from_catalogue, repriced
from domain.quote_lines import CatalogueSource
from domain.values import Discount, DiscountKind
from tests.unit.replay import replay, state_of, stored_and_back

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
DAY = AT.date()
D = Decimal
CUSTOMER = UUID(int=7)


def register() -> Product:
    item = Product.register(at=AT, reference="CR-200", name="Cash register", family="registers")
    item.set_cost(at=AT, effective=date(2026, 1, 1), amount=D(400), currency="EUR")
    return item


def standard() -> PriceList:
    """A default list: 899 each, 850 from 10."""
    made = PriceList.create(
        at=AT,
        code="STD",
        name="Standard",
        currency="EUR",
        valid_from=date(2026, 1, 1),
        valid_to=None,
        is_default=True,
        rounding=None,
    )
    breaks = (PriceBreak(D(0), D(899)), PriceBreak(D(10), D(850)))
    made.amend(
        at=AT,
        effective=date(2026, 1, 1),
        reason="first",
        rules=[PriceRule(RuleKind.FIXED, breaks, "CR-200", None)],
    )
    return made


PRODUCT = register()
LISTS = [standard()]
CTX = PricingContext(DAY, "EUR", CUSTOMER, None, LISTS)


def catalogue_line(quantity: str = "2", **overrides: object) -> CatalogueLine:
    [draft] = lines_from_catalogue(PRODUCT, D(quantity), None, CTX, {}, overrides)
    return CatalogueLine(line_id="L1", **draft.fields())


def confirmed(*lines: OrderLine) -> Order:
    order = Order.create(AT, CUSTOMER, "EUR", list(lines))
    order.confirm(AT, outstanding=D(0), credit_limit=None)
    return order


def priced_at(quantity: str) -> Price:
    return price(
        product=PRODUCT,
        quantity=D(quantity),
        unit=PRODUCT.unit,
        on=DAY,
        currency="EUR",
        customer_id=CUSTOMER,
        group=None,
        lists=LISTS,
    )


def reprice(line: OrderLine, quantity: str) -> RepriceLine | None:
    source = line.catalogue
    assert source is not None
    new = repriced(source, line.unit_price, line.discount, priced_at(quantity))
    if new is None:
        return None
    return RepriceLine(line.line_id, D(quantity), new.unit_price, new.discount, new.source)


def test_a_catalogue_line_keeps_its_source_through_storage_and_snapshots() -> None:
    line = catalogue_line()
    assert (line.unit_price, line.unit_cost, line.product_ref) == (D("899.00"), D(400), "CR-200")
    assert line.catalogue == line.source
    assert line.source is not None
    assert "STD" in (line.source.rule or "")
    order = confirmed(line, OrderLine("L2", "Cable", D(1), D(5), D(20)))
    events = order.collect_events()
    again = replay(events, Order)
    assert state_of(again) == state_of(order)
    assert isinstance(again.lines["L1"], CatalogueLine)
    assert again.lines["L1"].catalogue == line.source
    assert again.lines["L2"].catalogue is None
    [snapshot] = stored_and_back([Snapshot.take(order)])
    assert state_of(snapshot.mutate(None)) == state_of(order)


def test_a_catalogue_line_needs_its_source() -> None:
    with pytest.raises(InvalidInput):
        CatalogueLine("L1", "Register", D(1), D(10), D(20))


def test_a_new_quantity_past_a_break_reprices_the_line_with_the_rule_that_gave_it() -> None:
    order = confirmed(catalogue_line("2"))
    assert reprice(order.lines["L1"], "3") is None  # the same break: nothing changes
    change = reprice(order.lines["L1"], "10")
    assert change is not None
    order.amend(AT, "more registers", [change])
    line = order.lines["L1"]
    assert (line.quantity, line.unit_price) == (D(10), D("850.00"))
    assert line.catalogue is not None
    assert "from 10" in (line.catalogue.rule or "")
    assert line.catalogue.overridden == ()
    assert state_of(replay(order.collect_events(), Order)) == state_of(order)
    # back below the break, the first price comes back
    back = reprice(line, "4")
    assert back is not None
    assert back.unit_price == D("899.00")


def test_a_price_changed_by_hand_is_named_and_never_repriced() -> None:
    order = confirmed(catalogue_line("2"))
    order.amend(AT, "negotiated", [ChangeLine("L1", unit_price=D(820))])
    line = order.lines["L1"]
    assert line.unit_price == D(820)
    assert line.catalogue is not None
    assert line.catalogue.overridden == ("unit_price",)
    assert reprice(line, "10") is None
    given = catalogue_line("2", unit_price=D(800))
    assert reprice(given, "10") is None


def test_a_discount_given_by_hand_stays_when_the_price_is_repriced() -> None:
    discount = Discount(DiscountKind.PERCENT, D(5))
    change = reprice(catalogue_line("2", discount=discount), "12")
    assert change is not None
    assert (change.unit_price, change.discount) == (D("850.00"), discount)
    assert change.source.overridden == ("discount",)


def test_a_line_no_rule_priced_is_never_repriced() -> None:
    source = CatalogueSource(product_id=PRODUCT.id, priced_on=DAY, kit="KIT-SHOP")
    free = CatalogueLine("L1", "KIT-SHOP: Cash register", D(1), D(0), D(20), source=source)
    assert reprice(free, "10") is None


def test_repricing_a_line_typed_by_hand_is_refused_and_records_nothing() -> None:
    order = confirmed(OrderLine("L1", "Register", D(2), D(899), D(20)))
    order.collect_events()
    source = CatalogueSource(PRODUCT.id, DAY, rule="STD")
    with pytest.raises(InvalidInput):
        order.amend(AT, "x", [RepriceLine("L1", D(10), D(850), None, source)])
    assert order.collect_events() == []
    assert order.lines["L1"].unit_price == D(899)
