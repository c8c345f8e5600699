"""Any sequence of order commands keeps the quantity and money invariants and replays exactly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.errors import DomainError
from domain.invoicing import Amounts, InvoiceKind, format_invoice_number, share_of
from domain.order import (
    TRANSITIONS,
    AddLine,
    ChangeLine,
    CreditOverride,
    NonConformity,
    Order,
    OrderLine,
    OrderStatus,
    RemoveLine,
)
from domain.values import Discount, DiscountKind
from tests.unit.replay import replay, state_of

LINE_IDS = ["L1", "L2", "L3", "L4"]
line_ids = st.sampled_from(["L1", "L1", "L2", "L3", "L4"])
quantities = st.integers(min_value=1, max_value=6).map(Decimal)
prices = st.sampled_from([Decimal("0.00"), Decimal("9.99"), Decimal("12.50"), Decimal("100")])
rates = st.sampled_from([Decimal("20"), Decimal("5.5"), Decimal("0")])
rarely = st.sampled_from([True, False, False, False])
amounts = st.integers(min_value=1, max_value=50_000).map(lambda c: Decimal(c) / 100)
discounts = st.one_of(
    st.none(),
    st.just(Discount(DiscountKind.PERCENT, Decimal("10"))),
    st.just(Discount(DiscountKind.AMOUNT, Decimal("5"))),
)


@st.composite
def order_lines(draw: st.DrawFn, line_id: str) -> OrderLine:
    quantity, price, discount = draw(quantities), draw(prices), draw(discounts)
    if discount is not None and discount.kind == "amount" and discount.value > quantity * price:
        discount = None
    return OrderLine(line_id, f"item {line_id}", quantity, price, draw(rates), discount=discount)


class OrderCommands(RuleBasedStateMachine):
    """Drives one order with random verbs, keeping the history it produced."""

    order: Order

    def __init__(self) -> None:
        super().__init__()
        self.now = datetime(2026, 1, 5, 9, tzinfo=UTC)
        self.events: list[Any] = []
        self.seq = 0
        self.previous = OrderStatus.DRAFT

    @initialize(
        first=order_lines("L1"),
        second=st.one_of(st.none(), order_lines("L2")),
        policy=st.sampled_from(["ordered", "delivered"]),
        confirm=st.sampled_from([True, True, True, False]),
    )
    def create(
        self, first: OrderLine, second: OrderLine | None, policy: str, confirm: bool
    ) -> None:
        lines = [first] if second is None else [first, second]
        self.order = Order.create(self.now, UUID(int=1), "EUR", lines, invoice_policy=policy)
        if confirm:
            self.order.confirm(self.now, Decimal(0), None)
        self.previous = self.order.status
        self.events.extend(self.order.collect_events())

    def attempt(self, command: Callable[[], None]) -> None:
        self.now += timedelta(hours=1)
        self.previous = self.order.status
        try:
            command()
        except DomainError:
            assert self.order.collect_events() == []
        else:
            self.events.extend(self.order.collect_events())

    def number(self, reuse: bool) -> str:
        if reuse and self.seq:
            return format_invoice_number(2026, self.seq)
        self.seq += 1
        return format_invoice_number(2026, self.seq)

    def any_invoice(self, index: int) -> str:
        numbers = sorted(self.order.invoices) or ["INV-2026-99999"]
        return numbers[index % len(numbers)]

    @rule(
        outstanding=amounts,
        limit=st.one_of(st.none(), amounts),
        override=st.booleans(),
    )
    def confirm(self, outstanding: Decimal, limit: Decimal | None, override: bool) -> None:
        manager = CreditOverride("Alice", "trusted") if override else None
        self.attempt(lambda: self.order.confirm(self.now, outstanding, limit, manager))

    @rule(line_id=line_ids, quantity=quantities, everything=st.booleans())
    def deliver(self, line_id: str, quantity: Decimal, everything: bool) -> None:
        if everything and self.order.backorder().get(line_id, 0) > 0:
            quantity = self.order.backorder()[line_id]
        self.attempt(lambda: self.order.record_delivery(self.now, {line_id: quantity}))

    @rule(line_id=line_ids, quantity=quantities)
    def take_back(self, line_id: str, quantity: Decimal) -> None:
        nc = NonConformity("damaged", "transport", "replace")
        self.attempt(lambda: self.order.record_return(self.now, {line_id: quantity}, nc))

    @rule(line=st.sampled_from(LINE_IDS[2:]).flatmap(order_lines))
    def amend_add(self, line: OrderLine) -> None:
        self.attempt(lambda: self.order.amend(self.now, "add", [AddLine(line)]))

    @rule(
        line_id=line_ids,
        quantity=st.one_of(st.none(), quantities),
        price=st.one_of(st.none(), prices),
    )
    def amend_change(self, line_id: str, quantity: Decimal | None, price: Decimal | None) -> None:
        if quantity is None and price is None:
            return
        change = ChangeLine(line_id, quantity, price)
        self.attempt(lambda: self.order.amend(self.now, "change", [change]))

    @rule(line_id=line_ids)
    def amend_remove(self, line_id: str) -> None:
        self.attempt(lambda: self.order.amend(self.now, "remove", [RemoveLine(line_id)]))

    @rule(line_id=line_ids, quantity=quantities, reuse=rarely, everything=st.booleans())
    def invoice(self, line_id: str, quantity: Decimal, reuse: bool, everything: bool) -> None:
        number = self.number(reuse)
        if everything and line_id in self.order.lines and self.order.invoiceable(line_id) > 0:
            quantity = self.order.invoiceable(line_id)
        self.attempt(lambda: self.order.invoice(self.now, number, {line_id: quantity}))

    @rule(percent=st.integers(min_value=1, max_value=100).map(Decimal))
    def deposit(self, percent: Decimal) -> None:
        number = self.number(False)
        self.attempt(lambda: self.order.deposit_invoice(self.now, number, percent=percent))

    @rule(index=st.integers(0, 9), line_id=line_ids, quantity=quantities)
    def credit_quantity(self, index: int, line_id: str, quantity: Decimal) -> None:
        number, invoice = self.number(False), self.any_invoice(index)
        self.attempt(
            lambda: self.order.credit_note(
                self.now, number, invoice, quantities={line_id: quantity}
            )
        )

    @rule(index=st.integers(0, 9), amount=amounts)
    def credit_amount(self, index: int, amount: Decimal) -> None:
        number, invoice = self.number(False), self.any_invoice(index)
        self.attempt(lambda: self.order.credit_note(self.now, number, invoice, amount=amount))

    @rule(index=st.integers(0, 9), amount=amounts, everything=st.booleans())
    def pay(self, index: int, amount: Decimal, everything: bool) -> None:
        invoice = self.any_invoice(index)
        if everything and invoice in self.order.invoices:
            amount = self.order.due(invoice)
        self.attempt(lambda: self.order.record_payment(self.now, invoice, amount, "card"))

    @rule(really=rarely)
    def cancel(self, really: bool) -> None:
        if not really:
            return
        self.attempt(lambda: self.order.cancel(self.now, "changed their mind"))

    @rule()
    def close(self) -> None:
        self.attempt(lambda: self.order.close(self.now))

    @rule(line_id=st.one_of(st.none(), line_ids))
    def assign(self, line_id: str | None) -> None:
        self.attempt(lambda: self.order.assign_to_affair(self.now, UUID(int=7), line_id))

    @invariant()
    def status_moves_only_along_the_table(self) -> None:
        status = self.order.status
        assert status in TRANSITIONS
        assert status == self.previous or status in TRANSITIONS[self.previous]

    @invariant()
    def quantities_stay_within_what_was_ordered_and_delivered(self) -> None:
        order = self.order
        for line_id, line in order.lines.items():
            assert order.returned.get(line_id, 0) <= order.delivered.get(line_id, 0)
            assert 0 <= order.net_delivered(line_id) <= line.quantity
            assert 0 <= order.net_invoiced(line_id) <= line.quantity
            if order.invoice_policy == "delivered":
                assert order.net_invoiced(line_id) <= order.delivered.get(line_id, 0)

    @invariant()
    def money_never_exceeds_what_it_is_set_against(self) -> None:
        order = self.order
        for number, invoice in order.invoices.items():
            credited = order.credited_amounts(number)
            assert credited.capped_by(invoice.amounts) == credited
            assert order.paid(number) <= invoice.payable
            for line_id, line in invoice.lines.items():
                notes = [n for n in order.credit_notes.values() if n.invoice_number == number]
                assert sum(n.quantities.get(line_id, 0) for n in notes) <= line.quantity
            if invoice.kind == InvoiceKind.DEPOSIT:
                assert not invoice.lines
        assert order.deposit_balance() >= 0

    @invariant()
    def replaying_the_history_gives_the_same_order(self) -> None:
        assert state_of(replay(self.events, Order)) == state_of(self.order)


TestOrderCommands = OrderCommands.TestCase
TestOrderCommands.settings = settings(max_examples=50, stateful_step_count=30, deadline=None)


def test_a_share_of_an_amount_is_exactly_that_amount_incl_tax() -> None:
    whole = Amounts(
        {"20": Decimal("125.00"), "5.5": Decimal("200.00")},
        {"20": Decimal("25.00"), "5.5": Decimal("11.00")},
    )
    for cents in range(1, 36100, 7):
        share = share_of(whole, Decimal(cents) / 100, "EUR")
        assert share.gross == Decimal(cents) / 100
        assert share.capped_by(whole) == share
