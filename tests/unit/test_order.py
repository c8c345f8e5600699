"""Order lifecycle: create, credit check, cancel, deliver, return, amend (O1–O4, O7, O8)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from domain.errors import (
    CreditLimitExceeded,
    DomainError,
    DuplicateDocument,
    DuplicateLine,
    EmptyOrder,
    InvalidAmount,
    InvalidInput,
    InvalidTransition,
    OrderHasOpenInvoices,
    OrderIncomplete,
    OverDelivery,
    OverReturn,
    QuantityBelowFulfilled,
    ReasonRequired,
    UnknownCurrency,
    UnknownLine,
)
from domain.order import (
    AddLine,
    ChangeLine,
    CreditOverride,
    NonConformity,
    Order,
    OrderLine,
    OrderStatus,
    RemoveLine,
)
from tests.unit.replay import replay, state_of

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
CUSTOMER = UUID(int=1)
QUOTE = UUID(int=2)
AFFAIR = UUID(int=3)


def widget(quantity: str = "10") -> OrderLine:
    return OrderLine("L1", "Widget", Decimal(quantity), Decimal("12.50"), Decimal("20"))


def service() -> OrderLine:
    return OrderLine("L2", "Installation", Decimal("2"), Decimal("100.00"), Decimal("5.5"))


def draft(policy: str = "ordered") -> Order:
    """Widget 10 × 12.50 at 20 % and installation 2 × 100.00 at 5.5 %: 361.00 incl. tax."""
    return Order.create(AT, CUSTOMER, "EUR", [widget(), service()], invoice_policy=policy)


def confirmed(policy: str = "ordered") -> Order:
    order = draft(policy)
    order.confirm(AT, outstanding=Decimal("0"), credit_limit=None)
    return order


def refused(order: Order, error: type[DomainError], command: Callable[[], object]) -> None:
    """The command raises `error` and the order emits nothing."""
    order.collect_events()
    with pytest.raises(error):
        command()
    assert len(order.collect_events()) == 0


def status_of(order: Order) -> OrderStatus:
    """The status, read afresh (a verb may have moved it since the last assert)."""
    return order.status


def names(order: Order) -> list[str]:
    return [type(e).__qualname__ for e in order.collect_events()]


# ---- O1: creation ---------------------------------------------------------------


def test_an_order_entered_directly_starts_as_a_draft_with_its_totals() -> None:
    order = draft()
    totals = order.totals()
    assert order.status == OrderStatus.DRAFT
    assert (totals.net, totals.vat, totals.gross) == (
        Decimal("325.00"),
        Decimal("36.00"),
        Decimal("361.00"),
    )
    assert totals.vat_by_rate == {Decimal("20"): Decimal("25.00"), Decimal("5.5"): Decimal("11.00")}
    assert names(order) == ["Order.Created"]


def test_an_order_from_a_quote_remembers_the_quote_and_the_affair() -> None:
    order = Order.create(
        AT,
        CUSTOMER,
        "EUR",
        [widget()],
        quote_id=QUOTE,
        affair_id=AFFAIR,
        invoice_policy="delivered",
    )
    assert (order.quote_id, order.affair_id, order.invoice_policy) == (QUOTE, AFFAIR, "delivered")
    assert state_of(replay(order.collect_events(), Order)) == state_of(order)


def test_document_discounts_apply_to_the_order_total() -> None:
    order = Order.create(AT, CUSTOMER, "EUR", [widget(), service()], discounts=[Decimal("10")])
    assert order.totals().gross == Decimal("324.90")


def test_an_order_needs_lines_with_distinct_ids_a_known_currency_and_policy() -> None:
    with pytest.raises(EmptyOrder):
        Order.create(AT, CUSTOMER, "EUR", [])
    with pytest.raises(DuplicateLine):
        Order.create(AT, CUSTOMER, "EUR", [widget(), widget("2")])
    with pytest.raises(UnknownCurrency):
        Order.create(AT, CUSTOMER, "ZZZ", [widget()])
    with pytest.raises(InvalidInput):
        Order.create(AT, CUSTOMER, "EUR", [widget()], invoice_policy="whenever")


def test_an_order_line_needs_a_positive_quantity() -> None:
    with pytest.raises(InvalidAmount):
        widget("0")


# ---- O2: credit check -----------------------------------------------------------


def test_an_order_that_reaches_the_credit_limit_exactly_is_confirmed() -> None:
    order = draft()
    order.collect_events()
    order.confirm(AT, outstanding=Decimal("600.00"), credit_limit=Decimal("961.00"))
    [event] = order.collect_events()
    assert type(event).__qualname__ == "Order.Confirmed"
    assert (event.order_total, event.limit_exceeded) == (Decimal("361.00"), False)  # type: ignore[attr-defined]
    assert order.status == OrderStatus.CONFIRMED
    assert order.confirmed_at == AT


def test_an_order_over_the_credit_limit_is_refused() -> None:
    order = draft()
    refused(
        order,
        CreditLimitExceeded,
        lambda: order.confirm(AT, outstanding=Decimal("600.01"), credit_limit=Decimal("961.00")),
    )
    assert order.status == OrderStatus.DRAFT


def test_a_manager_can_confirm_over_the_credit_limit_with_a_reason() -> None:
    order = draft()
    order.collect_events()
    override = CreditOverride("Alice Martin", "long-standing customer, pays late but pays")
    order.confirm(AT, outstanding=Decimal("1000"), credit_limit=Decimal("500"), override=override)
    [event] = order.collect_events()
    assert event.credit_override == override  # type: ignore[attr-defined]
    assert event.limit_exceeded is True  # type: ignore[attr-defined]
    assert order.credit_override == override


def test_a_credit_override_names_a_manager_and_a_reason() -> None:
    with pytest.raises(InvalidInput):
        CreditOverride("", "because")
    with pytest.raises(InvalidInput):
        CreditOverride("Alice", " ")


def test_an_order_is_confirmed_only_once() -> None:
    order = confirmed()
    refused(order, InvalidTransition, lambda: order.confirm(AT, Decimal("0"), None))


# ---- O1: cancel and close ---------------------------------------------------------


def test_a_confirmed_order_can_be_cancelled_with_a_reason() -> None:
    order = confirmed()
    order.collect_events()
    order.cancel(AT, "customer changed their mind")
    assert names(order) == ["Order.Cancelled"]
    assert order.status == OrderStatus.CANCELLED
    assert order.cancel_reason == "customer changed their mind"


def test_cancelling_needs_a_reason() -> None:
    order = confirmed()
    refused(order, ReasonRequired, lambda: order.cancel(AT, "  "))


def test_an_order_cannot_be_cancelled_once_something_is_delivered() -> None:
    order = confirmed()
    order.record_delivery(AT, {"L1": Decimal("1")})
    refused(order, InvalidTransition, lambda: order.cancel(AT, "too late"))


def test_an_order_with_a_deposit_not_credited_cannot_be_cancelled() -> None:
    order = confirmed()
    order.deposit_invoice(AT, "INV-2026-00001", percent=Decimal("10"))
    refused(order, OrderHasOpenInvoices, lambda: order.cancel(AT, "no longer wanted"))
    order.credit_note(AT, "INV-2026-00002", "INV-2026-00001", amount=Decimal("36.10"))
    order.cancel(AT, "no longer wanted")
    assert order.status == OrderStatus.CANCELLED


def test_a_cancelled_order_accepts_nothing_more() -> None:
    order = confirmed()
    order.cancel(AT, "duplicate")
    refused(order, InvalidTransition, lambda: order.record_delivery(AT, {"L1": Decimal("1")}))
    refused(order, InvalidTransition, lambda: order.assign_to_affair(AT, AFFAIR))


def test_a_delivered_and_invoiced_order_can_be_closed() -> None:
    order = confirmed()
    order.record_delivery(AT, {"L1": Decimal("10"), "L2": Decimal("2")})
    order.invoice(AT, "INV-2026-00001", {"L1": Decimal("10"), "L2": Decimal("2")})
    assert order.status == OrderStatus.INVOICED
    order.collect_events()
    order.close(AT)
    assert names(order) == ["Order.Closed"]
    assert status_of(order) == OrderStatus.CLOSED


def test_an_order_invoiced_ahead_of_delivery_cannot_close_with_a_backorder() -> None:
    order = confirmed("ordered")
    order.invoice(AT, "INV-2026-00001", {"L1": Decimal("10"), "L2": Decimal("2")})
    order.record_delivery(AT, {"L1": Decimal("10"), "L2": Decimal("1")})
    refused(order, OrderIncomplete, lambda: order.close(AT))


def test_an_order_not_fully_invoiced_cannot_close() -> None:
    order = confirmed()
    order.record_delivery(AT, {"L1": Decimal("10"), "L2": Decimal("2")})
    refused(order, InvalidTransition, lambda: order.close(AT))


# ---- O3: deliveries ---------------------------------------------------------------


def test_partial_deliveries_leave_a_backorder_per_line() -> None:
    order = confirmed()
    order.collect_events()
    order.record_delivery(AT, {"L1": Decimal("4")})
    assert names(order) == ["Order.DeliveryRecorded"]
    assert order.status == OrderStatus.PARTIALLY_DELIVERED
    assert order.backorder() == {"L1": Decimal("6"), "L2": Decimal("2")}
    order.record_delivery(AT, {"L1": Decimal("6"), "L2": Decimal("2")}, delivery_id="BL-77")
    assert status_of(order) == OrderStatus.DELIVERED
    assert order.backorder() == {"L1": Decimal("0"), "L2": Decimal("0")}
    assert [d.delivery_id for d in order.deliveries] == ["D1", "BL-77"]


def test_over_delivery_is_refused() -> None:
    order = confirmed()
    refused(order, OverDelivery, lambda: order.record_delivery(AT, {"L1": Decimal("10.001")}))
    order.record_delivery(AT, {"L1": Decimal("4")})
    refused(order, OverDelivery, lambda: order.record_delivery(AT, {"L1": Decimal("7")}))
    assert order.delivered == {"L1": Decimal("4")}


def test_a_delivery_names_known_lines_with_positive_quantities_and_a_new_id() -> None:
    order = confirmed()
    refused(order, UnknownLine, lambda: order.record_delivery(AT, {"L9": Decimal("1")}))
    refused(order, InvalidAmount, lambda: order.record_delivery(AT, {"L1": Decimal("0")}))
    refused(order, InvalidInput, lambda: order.record_delivery(AT, {}))
    order.record_delivery(AT, {"L1": Decimal("1")}, delivery_id="BL-1")
    refused(
        order, DuplicateDocument, lambda: order.record_delivery(AT, {"L1": Decimal("1")}, "BL-1")
    )


def test_a_draft_order_cannot_be_delivered() -> None:
    order = draft()
    refused(order, InvalidTransition, lambda: order.record_delivery(AT, {"L1": Decimal("1")}))


# ---- O7: returns --------------------------------------------------------------------


def test_a_return_records_the_non_conformity_and_puts_the_goods_back_on_backorder() -> None:
    order = confirmed()
    order.record_delivery(AT, {"L1": Decimal("10")})
    order.collect_events()
    nc = NonConformity("two cracked housings", "transport", "replace")
    order.record_return(AT, {"L1": Decimal("2")}, nc)
    assert names(order) == ["Order.ReturnRecorded"]
    assert order.returns[0].non_conformity == nc
    assert order.backorder()["L1"] == Decimal("2")
    order.record_delivery(AT, {"L1": Decimal("2")})
    assert order.backorder()["L1"] == Decimal("0")


def test_more_than_delivered_cannot_be_returned() -> None:
    order = confirmed()
    order.record_delivery(AT, {"L1": Decimal("4")})
    order.record_return(AT, {"L1": Decimal("3")}, NonConformity("wrong colour"))
    nc = NonConformity("wrong colour")
    refused(order, OverReturn, lambda: order.record_return(AT, {"L1": Decimal("2")}, nc))
    refused(order, OverReturn, lambda: order.record_return(AT, {"L2": Decimal("1")}, nc))


def test_a_non_conformity_needs_a_description() -> None:
    with pytest.raises(InvalidInput):
        NonConformity(" ", "cause", "action")


# ---- O4: amendments -----------------------------------------------------------------


def test_amendments_are_numbered_deltas_with_a_reason() -> None:
    order = confirmed()
    order.collect_events()
    extra = OrderLine("L3", "Cable", Decimal("5"), Decimal("2.00"), Decimal("20"))
    order.amend(AT, "customer wants cables", [AddLine(extra)])
    order.amend(
        AT, "price agreed", [ChangeLine("L1", quantity=Decimal("12"), unit_price=Decimal("12.00"))]
    )
    order.amend(AT, "installation done by customer", [RemoveLine("L2")])
    assert names(order) == ["Order.Amended"] * 3
    assert [a.number for a in order.amendments] == [1, 2, 3]
    assert [a.reason for a in order.amendments][1] == "price agreed"
    assert list(order.lines) == ["L1", "L3"]
    assert order.totals().gross == Decimal("184.80")  # (144.00 + 10.00) × 1.20


def test_an_amendment_history_can_be_read_and_diffed() -> None:
    order = confirmed()
    order.amend(AT, "more widgets", [ChangeLine("L1", quantity=Decimal("15"))])
    order.amend(AT, "no installation", [RemoveLine("L2")])
    assert order.lines_as_of(0) == {"L1": widget(), "L2": service()}
    assert order.diff(0, 1) == {"L1": (widget(), widget("15"))}
    assert order.diff(1, 2) == {"L2": (service(), None)}
    assert order.diff(0, 2) == {"L1": (widget(), widget("15")), "L2": (service(), None)}


def test_an_amendment_needs_a_reason_and_a_change() -> None:
    order = confirmed()
    refused(order, ReasonRequired, lambda: order.amend(AT, "", [RemoveLine("L2")]))
    refused(order, InvalidInput, lambda: order.amend(AT, "nothing", []))


def test_a_draft_order_is_not_amended() -> None:
    order = draft()
    refused(order, InvalidTransition, lambda: order.amend(AT, "why", [RemoveLine("L2")]))


def test_an_amendment_cannot_cut_a_line_below_what_was_delivered() -> None:
    order = confirmed()
    order.record_delivery(AT, {"L1": Decimal("6")})
    cut = [ChangeLine("L1", quantity=Decimal("5"))]
    refused(order, QuantityBelowFulfilled, lambda: order.amend(AT, "fewer", cut))
    refused(order, QuantityBelowFulfilled, lambda: order.amend(AT, "drop", [RemoveLine("L1")]))
    order.amend(AT, "stop at what we sent", [ChangeLine("L1", quantity=Decimal("6"))])
    assert order.status == OrderStatus.PARTIALLY_DELIVERED


def test_an_amendment_cannot_cut_a_line_below_what_was_invoiced() -> None:
    order = confirmed("ordered")
    order.invoice(AT, "INV-2026-00001", {"L2": Decimal("2")})
    cut = [ChangeLine("L2", quantity=Decimal("1"))]
    refused(order, QuantityBelowFulfilled, lambda: order.amend(AT, "fewer", cut))
    refused(order, QuantityBelowFulfilled, lambda: order.amend(AT, "drop", [RemoveLine("L2")]))


def test_an_amendment_refuses_unknown_or_duplicate_lines_and_an_empty_order() -> None:
    order = confirmed()
    refused(order, UnknownLine, lambda: order.amend(AT, "x", [RemoveLine("L9")]))
    refused(order, DuplicateLine, lambda: order.amend(AT, "x", [AddLine(widget())]))
    both = [RemoveLine("L1"), RemoveLine("L2")]
    refused(order, EmptyOrder, lambda: order.amend(AT, "x", both))


def test_a_line_change_names_a_new_quantity_or_price() -> None:
    with pytest.raises(InvalidInput):
        ChangeLine("L1")


def test_adding_to_a_delivered_order_puts_it_back_to_partially_delivered() -> None:
    order = confirmed()
    order.record_delivery(AT, {"L1": Decimal("10"), "L2": Decimal("2")})
    order.amend(AT, "two more", [ChangeLine("L1", quantity=Decimal("12"))])
    assert order.status == OrderStatus.PARTIALLY_DELIVERED
    assert order.backorder() == {"L1": Decimal("2"), "L2": Decimal("0")}


# ---- O8: affairs ---------------------------------------------------------------------


def test_an_order_or_one_line_can_be_assigned_to_an_affair() -> None:
    order = confirmed()
    other = UUID(int=4)
    order.collect_events()
    order.assign_to_affair(AT, AFFAIR)
    order.assign_to_affair(AT, other, line_id="L2")
    assert names(order) == ["Order.AssignedToAffair"] * 2
    assert (order.affair_of("L1"), order.affair_of("L2")) == (AFFAIR, other)
    refused(order, UnknownLine, lambda: order.assign_to_affair(AT, other, line_id="L9"))


def test_a_removed_line_leaves_its_affair() -> None:
    order = confirmed()
    order.assign_to_affair(AT, AFFAIR, line_id="L2")
    order.amend(AT, "no installation", [RemoveLine("L2")])
    assert order.line_affairs == {}


def test_replaying_an_order_gives_the_same_state() -> None:
    order = confirmed("delivered")
    order.assign_to_affair(AT, AFFAIR, line_id="L1")
    order.record_delivery(AT, {"L1": Decimal("5")})
    order.record_return(AT, {"L1": Decimal("1")}, NonConformity("scratched", "packing", "credit"))
    order.amend(
        AT, "more", [AddLine(OrderLine("L3", "Cable", Decimal("1"), Decimal("3"), Decimal("20")))]
    )
    order.invoice(AT, "INV-2026-00001", {"L1": Decimal("4")})
    events = order.collect_events()
    assert state_of(replay(events, Order)) == state_of(order)
