"""Deliveries and returns carry the day the user states (issue 14): kept, replayed,
never after the command's day, never before the order's confirmation day."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from domain.errors import (
    DatedBeforeConfirmation,
    DeliveryDateInFuture,
    InvalidInput,
    ReturnDateInFuture,
)
from domain.order import NonConformity, Order
from tests.unit.replay import replay, state_of
from tests.unit.test_order import AT, confirmed, draft, refused

TODAY = AT.date()
LATER = AT + timedelta(days=5)
DAMAGED = NonConformity("dented", "transport", "replace")


def test_a_delivery_and_a_return_keep_the_day_stated_and_replay_with_it() -> None:
    order = draft()
    order.confirm(AT, outstanding=Decimal("0"), credit_limit=None)
    order.record_delivery(LATER, {"L1": Decimal("4")}, delivered_on=TODAY + timedelta(days=2))
    order.record_return(LATER, {"L1": Decimal("1")}, DAMAGED, returned_on=TODAY + timedelta(days=3))
    assert order.delivered_on("D1") == date(2026, 3, 4)
    assert order.returned_on("R1") == date(2026, 3, 5)
    again = replay(order.collect_events(), Order)
    assert state_of(again) == state_of(order)
    assert again.delivered_on("D1") == date(2026, 3, 4)
    assert again.returned_on("R1") == date(2026, 3, 5)
    assert again.deliveries[0].at == LATER


def test_without_a_stated_day_a_delivery_is_dated_by_its_command() -> None:
    order = confirmed()
    order.record_delivery(LATER, {"L1": Decimal("2")})
    order.record_return(LATER, {"L1": Decimal("1")}, DAMAGED)
    assert order.delivered_on("D1") == LATER.date()
    assert order.returned_on("R1") == LATER.date()


def test_a_day_after_the_commands_day_is_refused() -> None:
    order = confirmed()
    tomorrow = TODAY + timedelta(days=1)
    refused(
        order,
        DeliveryDateInFuture,
        lambda: order.record_delivery(AT, {"L1": Decimal("1")}, delivered_on=tomorrow),
    )
    order.record_delivery(AT, {"L1": Decimal("1")})
    refused(
        order,
        ReturnDateInFuture,
        lambda: order.record_return(AT, {"L1": Decimal("1")}, DAMAGED, returned_on=tomorrow),
    )
    assert [d.delivery_id for d in order.deliveries] == ["D1"]
    assert order.returns == []


def test_a_day_before_the_confirmation_is_refused() -> None:
    order = confirmed()
    yesterday = TODAY - timedelta(days=1)
    refused(
        order,
        DatedBeforeConfirmation,
        lambda: order.record_delivery(LATER, {"L1": Decimal("1")}, delivered_on=yesterday),
    )
    order.record_delivery(LATER, {"L1": Decimal("1")}, delivered_on=TODAY)
    refused(
        order,
        DatedBeforeConfirmation,
        lambda: order.record_return(LATER, {"L1": Decimal("1")}, DAMAGED, returned_on=yesterday),
    )
    assert order.delivered_on("D1") == TODAY


def test_a_stated_day_is_a_calendar_day() -> None:
    order = confirmed()
    refused(
        order,
        InvalidInput,
        lambda: order.record_delivery(AT, {"L1": Decimal("1")}, delivered_on=AT),
    )
