"""Bounds on quantities, prices, rates and totals, and the one decimal context (#13, 1).

Within the bounds every money rule is exact and folds without error; outside them each
public verb refuses with `AmountOutOfBounds`, naming the field, and emits no event.
Replaying history never re-runs the bounds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal, localcontext
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.affair import Affair, SaleType
from domain.bounds import MAX_AMOUNT, MAX_QUANTITY, MAX_UNIT_PRICE
from domain.contract import Contract, ContractLine
from domain.customer import Customer
from domain.errors import AmountOutOfBounds
from domain.order import AddLine, ChangeLine, Order, OrderLine
from domain.periods import Frequency
from domain.quote import Quote, QuoteLine
from domain.stages import Risk
from domain.values import (
    MONEY_CONTEXT,
    Discount,
    DiscountKind,
    PricedLine,
    compute_totals,
    round_money,
)
from tests.unit.replay import replay

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
CUSTOMER = UUID(int=1)
HUGE = Decimal("99999999999999.999999")

quantities = st.decimals(min_value=Decimal("0.000001"), max_value=MAX_QUANTITY, places=6)
rates = st.decimals(min_value=0, max_value=100, places=6)


def a_draft() -> Quote:
    quote = Quote.draft(at=AT, currency="EUR", customer_id=CUSTOMER)
    quote.collect_events()
    return quote


def refused(aggregate: Aggregate, field: str, verb: Callable[[], object]) -> AmountOutOfBounds:
    """The verb raises `AmountOutOfBounds` naming `field`, and records nothing."""
    before = len(aggregate.pending_events)
    with pytest.raises(AmountOutOfBounds) as caught:
        verb()
    assert field in caught.value.field
    assert field in str(caught.value)
    assert len(aggregate.pending_events) == before
    return caught.value


def add(quote: Quote, quantity: Any = "1", unit_price: Any = "100", **more: Any) -> str:
    return quote.add_line(
        at=AT,
        description="x",
        quantity=Decimal(quantity),
        unit_price=Decimal(unit_price),
        vat_rate=more.pop("vat_rate", Decimal(20)),
        **more,
    )


# --- quote ------------------------------------------------------------------------------


def test_the_line_of_the_report_is_refused_naming_its_quantity() -> None:
    quote = a_draft()
    error = refused(quote, "quantity", lambda: add(quote, HUGE, HUGE))
    assert error.value == HUGE
    assert "1000000000" in error.bound


def test_a_unit_price_unit_cost_or_discount_past_the_bounds_is_refused() -> None:
    quote = a_draft()
    refused(quote, "unit_price", lambda: add(quote, "1", MAX_UNIT_PRICE + 1))
    refused(quote, "unit_price", lambda: add(quote, "1", "0.0000001"))
    refused(quote, "unit_cost", lambda: add(quote, "1", "1", unit_cost=Decimal("1E+13")))
    refused(quote, "vat_rate", lambda: add(quote, "1", "1", vat_rate=Decimal("19.9999999")))
    tiny = Discount(DiscountKind.PERCENT, Decimal("0.0000001"))
    refused(quote, "discount", lambda: add(quote, "1", "1", discount=tiny))


def test_a_line_whose_amount_passes_the_bounds_is_refused() -> None:
    quote = a_draft()
    refused(quote, "quantity × unit_price", lambda: add(quote, "1000000", "10000000"))


def test_a_change_or_a_discount_that_takes_the_quote_past_the_bounds_is_refused() -> None:
    quote = a_draft()
    line = add(quote, "1000", "800000000")  # 8 × 10^11, 9.6 × 10^11 incl. tax
    quote.collect_events()
    refused(quote, "total incl. tax", lambda: add(quote, "1000", "100000000"))
    refused(quote, "quantity", lambda: quote.change_line(line, at=AT, quantity=HUGE))
    refused(
        quote, "percents", lambda: quote.set_discounts(at=AT, percents=[1] * 11, mode="cascading")
    )


def test_a_quote_may_sum_many_lines_up_to_the_bound_and_no_further() -> None:
    quote = a_draft()
    for _ in range(80):
        add(quote, "1000000000", "10", vat_rate=Decimal(0))
    assert quote.totals().gross == MAX_AMOUNT * Decimal("0.8")
    refused(quote, "lines net", lambda: add(quote, "1000000000", "200.000001", vat_rate=Decimal(0)))


@settings(max_examples=150, deadline=None)
@given(data=st.data(), quantity=quantities, vat=rates, percent=rates)
def test_any_line_within_the_bounds_is_taken_and_folds_exactly(
    data: st.DataObject, quantity: Decimal, vat: Decimal, percent: Decimal
) -> None:
    # incl. tax is at most twice the line's amount, so this price keeps it in bounds
    ceiling = (MAX_AMOUNT / 2 / quantity).quantize(Decimal("0.000001"), rounding="ROUND_DOWN")
    ceiling = min(ceiling, MAX_UNIT_PRICE)
    price = data.draw(st.decimals(min_value=0, max_value=ceiling, places=6))
    quote = Quote.draft(at=AT, currency="EUR", customer_id=CUSTOMER)
    discount = Discount(DiscountKind.PERCENT, percent)
    add(quote, quantity, price, vat_rate=vat, discount=discount, unit_cost=price)
    quote.set_discounts(at=AT, percents=[percent] * 10, mode="cascading")
    totals = quote.totals()
    exact = quantity * price  # exact in MONEY_CONTEXT, whatever the caller's context
    with localcontext(MONEY_CONTEXT):
        assert totals.cost == round_money(quantity * price, "EUR")
        assert totals.lines_net == round_money(exact * (1 - percent / 100), "EUR")
    assert totals.gross <= MAX_AMOUNT
    again = replay([*quote.collect_events()], Quote)
    assert again.totals() == totals


@settings(max_examples=100, deadline=None)
@given(
    quantity=st.one_of(
        st.decimals(min_value=MAX_QUANTITY + Decimal("0.000001"), max_value=Decimal("1E+40")),
        st.decimals(min_value=Decimal("1E-20"), max_value=1000, places=20).filter(
            lambda q: q != q.quantize(Decimal("0.000001"))
        ),
    )
)
def test_any_quantity_outside_the_bounds_is_refused_with_no_event(quantity: Decimal) -> None:
    quote = a_draft()
    refused(quote, "quantity", lambda: add(quote, quantity, "1"))


def test_replaying_a_line_recorded_before_the_bounds_never_checks_them() -> None:
    quote = Quote.draft(at=AT, currency="EUR", customer_id=CUSTOMER)
    huge = QuoteLine("1", "x", HUGE, HUGE, Decimal(20))
    quote._add_line(at=AT, line=huge)  # as an older version of the product recorded it
    again = replay(quote.collect_events(), Quote)
    assert again.lines["1"] == huge
    # 10^28 with 12 decimals: past the old 28-digit context, exact in the domain's
    assert again.totals().net == Decimal("9999999999999999999800000000.00")


# --- the one decimal context -------------------------------------------------------------


def test_the_money_rules_do_not_depend_on_the_callers_decimal_context() -> None:
    line = PricedLine(Decimal("999999.999999"), Decimal("999999.999999"), Decimal("19.6"))
    expected = compute_totals([line], "EUR")
    with localcontext() as narrow:
        narrow.prec = 6
        assert compute_totals([line], "EUR") == expected
    assert expected.net == Decimal("999999999998.00")


def test_rounding_an_amount_past_the_context_is_a_named_error() -> None:
    assert round_money(MONEY_CONTEXT.multiply(HUGE, HUGE), "EUR") == Decimal(
        "9999999999999999999800000000.00"
    )
    with pytest.raises(AmountOutOfBounds):
        round_money(Decimal("1E+120"), "EUR")


# --- order --------------------------------------------------------------------------------


def order_line(quantity: Any = "10", price: Any = "12.50", line_id: str = "L1") -> OrderLine:
    return OrderLine(line_id, "Widget", Decimal(quantity), Decimal(price), Decimal("20"))


def an_order() -> Order:
    order = Order.create(AT, CUSTOMER, "EUR", [order_line()])
    order.confirm(AT, Decimal(0), None)
    return order


def test_an_order_past_the_bounds_is_never_created() -> None:
    with pytest.raises(AmountOutOfBounds, match=r"lines\[L1\].quantity"):
        Order.create(AT, CUSTOMER, "EUR", [order_line(HUGE, HUGE)])
    with pytest.raises(AmountOutOfBounds, match=r"total incl. tax"):
        Order.create(AT, CUSTOMER, "EUR", [order_line("1000", "900000000")])
    with pytest.raises(AmountOutOfBounds, match="discounts"):
        Order.create(AT, CUSTOMER, "EUR", [order_line()], discounts=[Decimal(1)] * 11)


def test_an_amendment_payment_or_deposit_past_the_bounds_is_refused() -> None:
    order = an_order()
    order.invoice(AT, "INV-1", {"L1": Decimal(1)})
    grow = ChangeLine("L1", quantity=MAX_QUANTITY + 1)
    refused(order, "changes[L1].quantity", lambda: order.amend(AT, "more", [grow]))
    big = AddLine(order_line("1000", "900000000", "L9"))
    refused(order, "total incl. tax", lambda: order.amend(AT, "big", [big]))
    refused(order, "amount", lambda: order.record_payment(AT, "INV-1", MAX_AMOUNT * 10))
    refused(order, "percent", lambda: order.deposit_invoice(AT, "D-1", Decimal("10.0000001")))
    refused(order, "quantities[L1]", lambda: order.invoice(AT, "I2", {"L1": Decimal("1E-7")}))


# --- affair --------------------------------------------------------------------------------


def an_affair(expected: str = "10000") -> Affair:
    affair = Affair.open(
        AT,
        name="Station",
        customer_id=CUSTOMER,
        prospect=None,
        salesperson="alice",
        currency="EUR",
        expected_amount=Decimal(expected),
        expected_close=None,
        zone="north",
        country="FR",
        sale_type=SaleType.PRODUCT,
        risk=Risk.MEDIUM,
        competitors=[],
    )
    affair.collect_events()
    return affair


def test_affair_amounts_rates_and_running_totals_past_the_bounds_are_refused() -> None:
    with pytest.raises(AmountOutOfBounds, match="expected_amount"):
        an_affair("1E+13")
    affair = an_affair("900000000000")
    day = date(2026, 3, 2)
    refused(affair, "amount", lambda: affair.set_budget(AT, "purchases", MAX_AMOUNT + 1))
    refused(
        affair, "hours", lambda: affair.log_time(AT, "bob", day, Decimal("1.0000001"), Decimal(50))
    )
    refused(
        affair, "hourly_rate", lambda: affair.log_time(AT, "bob", day, Decimal(1), MAX_AMOUNT * 2)
    )
    refused(affair, "rate", lambda: affair.set_employee_rate(AT, "bob", MAX_AMOUNT * 2, day))
    refused(affair, "percent", lambda: affair.report_progress(AT, Decimal("50.0000001")))
    affair.record_cost(AT, "purchases", MAX_AMOUNT, "PO-1", day)
    refused(
        affair,
        "purchases cost",
        lambda: affair.record_cost(AT, "purchases", Decimal(1), "PO-2", day),
    )
    refused(affair, "rate", lambda: affair.set_second_currency(AT, "USD", Decimal("1E+7")))
    refused(
        affair, "expected_amount × rate", lambda: affair.set_second_currency(AT, "USD", Decimal(2))
    )
    affair.set_second_currency(AT, "USD", Decimal("1.0845"))
    refused(
        affair, "expected_amount", lambda: affair.update_opportunity(AT, expected_amount=MAX_AMOUNT)
    )


# --- contract and customer ------------------------------------------------------------------


def test_a_contract_past_the_bounds_is_neither_signed_nor_amended() -> None:
    def sign(lines: list[ContractLine]) -> Contract:
        return Contract.sign(AT, CUSTOMER, "EUR", lines, Frequency.MONTH, date(2026, 4, 1))

    with pytest.raises(AmountOutOfBounds, match=r"lines\[0\].quantity"):
        sign([ContractLine("x", HUGE, HUGE, Decimal(20))])
    contract = sign([ContractLine("x", Decimal(1), Decimal(100), Decimal(20))])
    too_much = [ContractLine("x", Decimal(1000), Decimal("900000000"), Decimal(20))]
    refused(
        contract, "total incl. tax", lambda: contract.amend(AT, date(2026, 5, 1), "more", too_much)
    )


def test_a_credit_limit_past_the_bounds_is_refused() -> None:
    with pytest.raises(AmountOutOfBounds, match="credit_limit"):
        Customer.register(AT, "Martin", credit_limit=MAX_AMOUNT + 1)
    customer = Customer.register(AT, "Martin", credit_limit=MAX_AMOUNT)
    refused(customer, "credit_limit", lambda: customer.set_credit_limit(AT, Decimal("1.0000001")))


# --- any value inside the bounds folds, on every aggregate ---------------------------------


def priced_within(data: st.DataObject, lines: int) -> tuple[Decimal, Decimal]:
    """A quantity and a unit price whose `lines` lines stay within the bounds incl. tax."""
    quantity = data.draw(quantities)
    ceiling = (MAX_AMOUNT / 2 / lines / quantity).quantize(Decimal("0.000001"), "ROUND_DOWN")
    price = data.draw(st.decimals(min_value=0, max_value=min(ceiling, MAX_UNIT_PRICE), places=6))
    return quantity, price


@settings(max_examples=60, deadline=None)
@given(data=st.data(), count=st.integers(1, 5), vat=rates)
def test_any_order_within_the_bounds_is_invoiced_and_paid_and_replays(
    data: st.DataObject, count: int, vat: Decimal
) -> None:
    lines = []
    for n in range(count):
        quantity, price = priced_within(data, count)
        lines.append(OrderLine(f"L{n}", "x", quantity, price, vat, unit_cost=price))
    order = Order.create(AT, CUSTOMER, "EUR", lines)
    order.confirm(AT, Decimal(0), MAX_AMOUNT)
    order.record_delivery(AT, {line.line_id: line.quantity for line in lines})
    order.invoice(AT, "INV-1", {line.line_id: line.quantity for line in lines})
    due = order.invoices["INV-1"].amounts.gross
    if due > 0:
        order.record_payment(AT, "INV-1", due)
    assert order.totals().gross == due <= MAX_AMOUNT
    assert replay(order.collect_events(), Order).totals() == order.totals()


@settings(max_examples=60, deadline=None)
@given(
    budget=st.decimals(min_value=0, max_value=MAX_AMOUNT, places=6),
    cost=st.decimals(min_value=0, max_value=MAX_AMOUNT, places=6),
    hours=st.decimals(min_value=Decimal("0.000001"), max_value=24, places=6),
    rate=st.decimals(min_value=0, max_value=Decimal(10) ** 10, places=6),
)
def test_any_affair_amount_within_the_bounds_is_taken_and_reported(
    budget: Decimal, cost: Decimal, hours: Decimal, rate: Decimal
) -> None:
    affair = an_affair()
    affair.set_budget(AT, "purchases", budget)
    affair.record_cost(AT, "purchases", cost, "PO-1", date(2026, 3, 2))
    affair.log_time(AT, "bob", date(2026, 3, 2), hours, rate)
    affair.report_progress(AT, Decimal(50))
    assert affair.budget_report().row("purchases").actual == round_money(cost, "EUR")


@settings(max_examples=60, deadline=None)
@given(data=st.data(), vat=rates)
def test_any_contract_within_the_bounds_is_signed_and_billed(
    data: st.DataObject, vat: Decimal
) -> None:
    quantity, price = priced_within(data, 1)
    line = ContractLine("x", quantity, price, vat)
    contract = Contract.sign(AT, CUSTOMER, "EUR", [line], Frequency.MONTH, date(2026, 3, 1))
    billed = contract.bill(AT, 0)
    assert billed.gross <= MAX_AMOUNT
    assert replay(contract.collect_events(), Contract).billed == contract.billed
