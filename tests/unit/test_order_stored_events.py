"""Orders stored before `domain/order.py` was split into modules load, and are stored alike.

`data/order_stored_events.json` holds the stored events (topic and state) and a snapshot
of two orders, written by the code of commit b4b54c6, before the split, running
`order_history()` below: every event type of the aggregate (Created … Closed, Cancelled)
and every value type its events and snapshots hold (`OrderLine`, `AddLine`, `ChangeLine`,
`RemoveLine`, `CreditOverride`, `Delivery`, `Return`, `NonConformity`, `Amendment`,
`Invoice`, `CreditNote`, `Payment`, `DocumentRef`), each stored under its type name.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.domain import CanMutateAggregate, Snapshot
from eventsourcing.persistence import Mapper, StoredEvent

from adapters.transcoding import domain_transcoder
from domain.invoicing import Amounts, CreditNote, Invoice, Payment
from domain.order import (
    AddLine,
    Amendment,
    ChangeLine,
    CreditOverride,
    Delivery,
    NonConformity,
    Order,
    OrderLine,
    OrderStatus,
    RemoveLine,
    Return,
)
from domain.order_documents import DocumentRef
from domain.values import Discount, DiscountKind
from tests.unit.replay import state_of

FIXTURE = Path(__file__).parent / "data" / "order_stored_events.json"
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
D = Decimal
_mapper: Mapper[Any] = Mapper(transcoder=domain_transcoder())


def at(hours: int) -> datetime:
    return T0 + timedelta(hours=hours)


def order_history() -> tuple[Order, Order]:
    """A closed order that went through every verb, and a cancelled one."""
    lines = [
        OrderLine("L1", "Widget", D(10), D("12.50"), D(20), product_ref="W-1", unit_cost=D(7)),
        OrderLine(
            "L2",
            "Installation",
            D(2),
            D("100.00"),
            D("5.5"),
            unit="hour",
            discount=Discount(DiscountKind.PERCENT, D(10)),
        ),
    ]
    order = Order.create(at(0), UUID(int=1), "EUR", lines, quote_id=UUID(int=2), discounts=[D(5)])
    override = CreditOverride("Manon", "long-standing customer")
    order.confirm(at(1), outstanding=D(1000), credit_limit=D(500), override=override)
    order.assign_to_affair(at(2), UUID(int=3))
    order.assign_to_affair(at(2), UUID(int=4), line_id="L2")
    order.record_delivery(at(3), {"L1": D(6)})
    order.record_return(at(4), {"L1": D(1)}, NonConformity("scratched", "transport", "replace"))
    added = OrderLine("L3", "Cable", D(3), D("4.00"), D(20))
    order.amend(
        at(5),
        "customer call",
        [AddLine(added), ChangeLine("L1", quantity=D(12)), ChangeLine("L2", unit_price=D(90))],
    )
    order.amend(at(6), "no cable after all", [RemoveLine("L3")])
    order.deposit_invoice(at(7), "INV-1", percent=D(30))
    order.invoice(at(8), "INV-2", {"L1": D(5)})
    order.credit_note(at(9), "CN-1", "INV-2", quantities={"L1": D(1)})
    order.record_payment(at(10), "INV-1", D("10.00"), method="card")
    order.credit_note(at(11), "CN-2", "INV-1", amount=D("5.00"))
    order.record_delivery(at(12), {"L1": D(7), "L2": D(2)}, delivery_id="BL-7")
    ref = DocumentRef(UUID(int=5), date(2026, 3, 3), {"1": "L1", "2": "L2"})
    order.record_invoice_document(at(13), "INV-3", ref, quantities={"L1": D(8), "L2": D(2)})
    credited = Amounts({"S:20": D("12.50")}, {"S:20": D("2.50")})
    order.follow_credit_note(at(14), "CN-3", "INV-3", {"1": D(1)}, credited)
    order.invoice(at(15), "INV-4", {"L1": D(1)})
    order.close(at(16))
    cancelled = Order.create(at(0), UUID(int=6), "EUR", [lines[0]])
    cancelled.cancel(at(1), "customer changed their mind")
    return order, cancelled


def stored(order: Order) -> list[StoredEvent]:
    """The order's pending events and then its snapshot, as the stores keep them."""
    events = [_mapper.to_stored_event(e) for e in order.collect_events()]
    return [*events, _mapper.to_stored_event(Snapshot.take(order))]


def as_json(record: StoredEvent) -> dict[str, Any]:
    return {
        "originator_id": str(record.originator_id),
        "originator_version": record.originator_version,
        "topic": record.topic,
        "state": record.state.decode("utf8"),
    }


def from_json(data: dict[str, Any]) -> StoredEvent:
    return StoredEvent(
        originator_id=UUID(data["originator_id"]),
        originator_version=data["originator_version"],
        topic=data["topic"],
        state=data["state"].encode("utf8"),
    )


def write_fixture() -> None:
    """Capture the fixture (run once, with the code before the split)."""
    orders = [[as_json(r) for r in stored(order)] for order in order_history()]
    FIXTURE.parent.mkdir(exist_ok=True)
    FIXTURE.write_text(json.dumps(orders, indent=1) + "\n")


def fixture() -> list[list[StoredEvent]]:
    return [[from_json(r) for r in records] for records in json.loads(FIXTURE.read_text())]


def replayed(records: list[StoredEvent]) -> tuple[Order, Order]:
    """The order rebuilt from its stored events, and the one its stored snapshot holds."""
    aggregate: Any = None
    for record in records[:-1]:
        event = _mapper.to_domain_event(record)
        assert isinstance(event, CanMutateAggregate)
        aggregate = event.mutate(aggregate)
    snapshot = _mapper.to_domain_event(records[-1])
    assert isinstance(snapshot, Snapshot)
    from_snapshot = snapshot.mutate(None)
    assert isinstance(aggregate, Order)
    assert isinstance(from_snapshot, Order)
    return aggregate, from_snapshot


def without_clock(record: StoredEvent) -> tuple[str, int, dict[str, Any]]:
    """A record as any run of the same commands stores it: without the times the
    library reads from the clock."""
    state = json.loads(record.state)
    state.pop("timestamp")
    for key in ("_created_on", "_modified_on"):  # a snapshot's
        state.get("state", {}).pop(key, None)
    return record.topic, record.originator_version, state


def test_stored_orders_decode_and_encode_back_to_the_same_bytes() -> None:
    for records in fixture():
        for record in records:
            again = _mapper.to_stored_event(_mapper.to_domain_event(record))
            assert (again.topic, again.state) == (record.topic, record.state)


def test_stored_orders_replay_to_their_snapshot_with_every_value_type() -> None:
    (closed, closed_snapshot), (cancelled, cancelled_snapshot) = map(replayed, fixture())
    assert state_of(closed) == state_of(closed_snapshot)
    assert state_of(cancelled) == state_of(cancelled_snapshot)
    assert (closed.status, cancelled.status) == (OrderStatus.CLOSED, OrderStatus.CANCELLED)
    assert isinstance(closed.credit_override, CreditOverride)
    assert all(isinstance(line, OrderLine) for line in closed.lines.values())
    assert [type(c) for a in closed.amendments for c in a.changes] == [
        AddLine,
        ChangeLine,
        ChangeLine,
        RemoveLine,
    ]
    assert all(isinstance(a, Amendment) for a in closed.amendments)
    assert [type(d) for d in closed.deliveries] == [Delivery, Delivery]
    assert [type(r.non_conformity) for r in closed.returns] == [NonConformity]
    assert all(isinstance(r, Return) for r in closed.returns)
    assert all(isinstance(i, Invoice) for i in closed.invoices.values())
    assert all(isinstance(n, CreditNote) for n in closed.credit_notes.values())
    assert [type(p) for p in closed.payments] == [Payment]
    assert closed.documents == {
        "INV-3": DocumentRef(UUID(int=5), date(2026, 3, 3), {"1": "L1", "2": "L2"})
    }
    assert closed.line_affairs == {"L2": UUID(int=4)}


STATED_DAYS = ("delivered_on", "returned_on", "delivery_days", "return_days")
"""What deliveries and returns store since they carry the day the user states (issue 14):
new keys of their events and of the order's state, absent from the events stored before."""


def without_stated_days(record: tuple[str, int, dict[str, Any]]) -> tuple[str, int, dict[str, Any]]:
    topic, version, state = record
    inner = {k: v for k, v in state.get("state", {}).items() if k not in STATED_DAYS}
    state = {k: v for k, v in state.items() if k not in STATED_DAYS}
    return topic, version, {**state, "state": inner} if inner else state


def test_the_same_commands_store_the_same_events_and_snapshot_as_before() -> None:
    """The same events, but for the stated days deliveries and returns now carry."""
    for before, order in zip(fixture(), order_history(), strict=True):
        now = [without_clock(r) for r in stored(order)]
        assert [without_stated_days(r) for r in now] == [without_clock(r) for r in before]


def test_deliveries_and_returns_stored_before_stated_days_are_dated_by_their_record() -> None:
    closed, from_snapshot = replayed(fixture()[0])
    for order in (closed, from_snapshot):
        assert order.delivery_days is None
        assert order.return_days is None
        assert [order.delivered_on(d.delivery_id) for d in order.deliveries] == [
            d.at.date() for d in order.deliveries
        ]
        assert [order.returned_on(r.return_id) for r in order.returns] == [
            r.at.date() for r in order.returns
        ]


def test_new_deliveries_and_returns_store_the_day_stated() -> None:
    closed, _ = order_history()
    states = [json.loads(r.state) for r in stored(closed)]
    kept = [s["delivered_on"] for s in states if "delivery" in s] + [
        s["returned_on"] for s in states if "goods_return" in s
    ]
    recorded = [d.at.date() for d in closed.deliveries] + [r.at.date() for r in closed.returns]
    assert kept == [{"_type_": "date_iso", "_data_": d.isoformat()} for d in recorded]
