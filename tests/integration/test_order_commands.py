"""Order commands and quote conversion on the real SQLite and Postgres stores."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from application.app import Comptoir
from application.errors import StaleVersion
from application.journal import CommandContext
from application.orders import order_ids_of
from application.payments import RecordPayment
from domain.affair import Affair
from domain.errors import (
    CreditLimitExceeded,
    CustomerRequired,
    InvalidTransition,
    InvoiceIsADocument,
    NotFound,
    OrderIncomplete,
    OverDelivery,
    OverInvoicing,
    OverReturn,
    PaymentAboveDue,
    ReasonRequired,
    UnknownInvoice,
)
from domain.invoice_credit import CreditRequest
from domain.order import AddLine, ChangeLine, NonConformity, OrderLine, OrderStatus, RemoveLine
from domain.payment import PaymentMeans
from domain.quote import QuoteStatus
from interfaces.settings import Settings
from tests.conftest import settings_for
from tests.integration.company_support import establish_company

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
D = Decimal


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    establish_company(app)  # invoices name the company as their seller
    yield app
    app.close()


def ctx(**kwargs: Any) -> CommandContext:
    kwargs.setdefault("actor", "alice")
    kwargs.setdefault("at", AT)
    return CommandContext(**kwargs)


def line(line_id: str = "L1", quantity: str = "10", price: str = "100.00") -> OrderLine:
    return OrderLine(line_id, f"item {line_id}", D(quantity), D(price), D(20))


def customer(app: Comptoir, credit_limit: str | None = None) -> UUID:
    limit = None if credit_limit is None else D(credit_limit)
    registered = app.customers.register(ctx(), name="Martin SA", credit_limit=limit)
    return registered.aggregate_id


def order(app: Comptoir, customer_id: UUID, *lines: OrderLine, confirm: bool = True) -> UUID:
    created = app.orders.create(
        ctx(), customer_id=customer_id, currency="EUR", lines=list(lines) or [line()]
    )
    if confirm:
        app.orders.confirm(ctx(), created.aggregate_id)
    return created.aggregate_id


def accepted_quote(app: Comptoir, customer_id: UUID | None) -> tuple[UUID, list[str]]:
    prospect = None if customer_id else "Boulangerie Martin"
    quote_id = app.quotes.draft(
        ctx(), currency="EUR", customer_id=customer_id, prospect=prospect
    ).aggregate_id
    line_ids = []
    for price in ("100.00", "50.00"):
        added = app.quotes.add_line(
            ctx(),
            quote_id,
            description=f"item at {price}",
            quantity=D(2),
            unit_price=D(price),
            vat_rate=D(20),
        )
        line_ids.append(added.result["line_id"])
    app.quotes.send(ctx(), quote_id)
    app.quotes.accept(ctx(), quote_id)
    return quote_id, line_ids


# ---- O1: create, confirm, cancel, close --------------------------------------------------


def test_an_order_entered_directly_is_a_draft_recorded_with_who_and_why(app: Comptoir) -> None:
    customer_id = customer(app)
    created = app.orders.create(
        ctx(reason="phone order"),
        customer_id=customer_id,
        currency="EUR",
        lines=[line("L1"), line("L2", "1", "5.00")],
    )
    placed = app.orders.get(created.aggregate_id)
    assert placed.status == OrderStatus.DRAFT
    assert placed.customer_id == customer_id
    assert list(placed.lines) == ["L1", "L2"]
    history = app.history(created.aggregate_id)
    assert [h.type for h in history] == ["Order.Created"]
    assert history[0].journal is not None
    record = history[0].journal.record
    assert (record.actor, record.reason, record.command) == ("alice", "phone order", "order.create")


def test_an_order_for_an_unknown_customer_is_refused_and_appends_nothing(app: Comptoir) -> None:
    before = app.log_position()
    with pytest.raises(NotFound):
        app.orders.create(ctx(), customer_id=uuid4(), currency="EUR", lines=[line()])
    assert app.log_position() == before


def test_confirming_within_the_credit_limit_records_the_check(app: Comptoir) -> None:
    customer_id = customer(app, credit_limit="1200.00")
    order_id = order(app, customer_id, confirm=False)
    app.orders.confirm(ctx(), order_id)
    assert app.orders.get(order_id).status == OrderStatus.CONFIRMED
    confirmed: Any = app.history(order_id)[-1].event
    assert confirmed.outstanding == 0
    assert confirmed.credit_limit == D("1200.00")


def test_the_outstanding_amount_counts_confirmed_orders_less_their_payments(
    app: Comptoir,
) -> None:
    customer_id = customer(app)
    paid_in_part = order(app, customer_id, line("L1", "1", "100.00"))
    order(app, customer_id, line("L1", "1", "50.00"))
    order(app, customer_id, line("L1", "1", "1000.00"), confirm=False)
    cancelled = order(app, customer_id, line("L1", "1", "1000.00"))
    app.orders.cancel(ctx(reason="changed their mind"), cancelled)
    order(app, customer(app), line("L1", "1", "1000.00"))
    invoiced = app.orders.invoice(ctx(), paid_in_part, {"L1": D(1)})
    pay(app, customer_id, UUID(invoiced.result["invoice_id"]), D("20.00"))
    assert app.orders.outstanding_of(customer_id, "EUR") == D("160.00")
    assert len(list(order_ids_of(app.runner, customer_id))) == 4


def test_the_credit_check_refuses_an_order_over_the_limit_and_appends_nothing(
    app: Comptoir,
) -> None:
    customer_id = customer(app, credit_limit="1500.00")
    order(app, customer_id)
    second = order(app, customer_id, line("L1", "1", "400.00"), confirm=False)
    before = app.log_position()
    with pytest.raises(CreditLimitExceeded):
        app.orders.confirm(ctx(), second)
    assert app.log_position() == before
    assert app.orders.get(second).status == OrderStatus.DRAFT


def test_two_orders_confirmed_at_the_same_instant_cannot_both_pass_the_credit_check(
    app: Comptoir,
) -> None:
    customer_id = customer(app, credit_limit="1500.00")
    first, second = order(app, customer_id, confirm=False), order(app, customer_id, confirm=False)
    # Each order (1,200.00 incl. tax) fits under the limit alone, not both: hold both
    # checks until each has read the outstanding amount, so neither sees the other.
    both_read = threading.Barrier(2)
    reads = 0
    lock = threading.Lock()
    outstanding_of = app.orders.outstanding_of

    def outstanding_read_together(customer: UUID, currency: str) -> Decimal:
        nonlocal reads
        amount = outstanding_of(customer, currency)
        with lock:
            reads += 1
            together = reads <= 2
        if together:
            both_read.wait(timeout=10)
        return amount

    app.orders.outstanding_of = outstanding_read_together
    outcomes: dict[UUID, str] = {}

    def confirm(order_id: UUID) -> None:
        try:
            app.orders.confirm(ctx(), order_id)
            outcomes[order_id] = "confirmed"
        except CreditLimitExceeded:
            outcomes[order_id] = "refused"

    threads = [threading.Thread(target=confirm, args=(o,)) for o in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["confirmed", "refused"]
    assert reads == 3  # the loser read the outstanding amount again, with the winner in it
    statuses = {app.orders.get(o).status for o in (first, second)}
    assert statuses == {OrderStatus.CONFIRMED, OrderStatus.DRAFT}


def test_a_managers_override_with_a_reason_confirms_over_the_limit(app: Comptoir) -> None:
    customer_id = customer(app, credit_limit="100.00")
    order_id = order(app, customer_id, confirm=False)
    app.orders.confirm(ctx(actor="maud"), order_id, override_reason="pays on time for years")
    confirmed = app.orders.get(order_id)
    assert confirmed.status == OrderStatus.CONFIRMED
    assert confirmed.credit_override is not None
    assert confirmed.credit_override.manager == "maud"
    assert confirmed.credit_override.reason == "pays on time for years"
    event: Any = app.history(order_id)[-1].event
    assert event.limit_exceeded is True


def test_cancelling_needs_a_reason_and_records_it(app: Comptoir) -> None:
    order_id = order(app, customer(app))
    with pytest.raises(ReasonRequired):
        app.orders.cancel(ctx(), order_id)
    app.orders.cancel(ctx(reason="duplicate order"), order_id)
    cancelled = app.orders.get(order_id)
    assert cancelled.status == OrderStatus.CANCELLED
    assert cancelled.cancel_reason == "duplicate order"
    assert app.history(order_id)[-1].journal.record.reason == "duplicate order"  # type: ignore[union-attr]


def test_an_order_closes_once_delivered_and_invoiced_and_not_before(app: Comptoir) -> None:
    order_id = order(app, customer(app), line("L1", "2"))
    app.orders.invoice(ctx(), order_id, {"L1": D(2)})
    with pytest.raises(OrderIncomplete):
        app.orders.close(ctx(), order_id)
    app.orders.record_delivery(ctx(), order_id, {"L1": D(2)})
    app.orders.close(ctx(), order_id)
    assert app.orders.get(order_id).status == OrderStatus.CLOSED
    with pytest.raises(InvalidTransition):
        app.orders.close(ctx(), order_id)


# ---- O3, O7: deliveries and returns ------------------------------------------------------


def test_partial_deliveries_leave_a_backorder_and_over_delivery_is_refused(
    app: Comptoir,
) -> None:
    order_id = order(app, customer(app), line("L1", "10"))
    first = app.orders.record_delivery(ctx(), order_id, {"L1": D(4)})
    assert first.result == {"delivery_id": "D1"}
    delivered = app.orders.get(order_id)
    assert delivered.status == OrderStatus.PARTIALLY_DELIVERED
    assert delivered.backorder() == {"L1": D(6)}
    before = app.log_position()
    with pytest.raises(OverDelivery):
        app.orders.record_delivery(ctx(), order_id, {"L1": D(7)})
    assert app.log_position() == before


def test_a_return_records_its_non_conformity_and_never_exceeds_what_was_delivered(
    app: Comptoir,
) -> None:
    order_id = order(app, customer(app), line("L1", "10"))
    app.orders.record_delivery(ctx(), order_id, {"L1": D(5)}, delivery_id="BL-7")
    nc = NonConformity("scratched casing", cause="transport", action="replace")
    returned = app.orders.record_return(ctx(), order_id, {"L1": D(2)}, nc)
    assert returned.result == {"return_id": "R1"}
    after = app.orders.get(order_id)
    assert after.net_delivered("L1") == D(3)
    assert after.returns[0].non_conformity == nc
    with pytest.raises(OverReturn):
        app.orders.record_return(ctx(), order_id, {"L1": D(4)}, nc)


# ---- O4: amendments and diffs ----------------------------------------------------------


def test_amendments_are_numbered_with_their_reason_and_two_versions_can_be_diffed(
    app: Comptoir,
) -> None:
    order_id = order(app, customer(app), line("L1", "10"), line("L2", "1"))
    confirmed_at = app.orders.get(order_id).version
    first = app.orders.amend(
        ctx(reason="customer wants more"),
        order_id,
        [ChangeLine("L1", quantity=D(12)), AddLine(line("L3", "3", "9.90"))],
    )
    second = app.orders.amend(ctx(reason="dropped"), order_id, [RemoveLine("L2")])
    assert (first.result, second.result) == ({"amendment": 1}, {"amendment": 2})
    amended = app.orders.get(order_id)
    assert [a.reason for a in amended.amendments] == ["customer wants more", "dropped"]
    diff = app.orders.diff(order_id, confirmed_at, second.version)
    assert set(diff) == {"L1", "L2", "L3"}
    assert diff["L1"][0].quantity == D(10)  # type: ignore[union-attr]
    assert diff["L1"][1].quantity == D(12)  # type: ignore[union-attr]
    assert diff["L2"][1] is None
    assert diff["L3"][0] is None
    with pytest.raises(ReasonRequired):
        app.orders.amend(ctx(), order_id, [ChangeLine("L1", quantity=D(13))])


# ---- O5, O6: invoices, deposits, credit notes, payments --------------------------------


def test_invoice_and_deposit_numbers_follow_one_gapless_sequence_per_year(
    app: Comptoir,
) -> None:
    customer_id = customer(app)
    first, second = order(app, customer_id), order(app, customer_id)
    one = app.orders.invoice(ctx(), first, {"L1": D(2)})
    two = app.orders.deposit_invoice(ctx(), second, percent=D(30))
    with pytest.raises(OverInvoicing):
        app.orders.invoice(ctx(), first, {"L1": D(9)})
    three = app.orders.invoice(ctx(), second, {"L1": D(1)})
    next_year = app.orders.invoice(ctx(at=datetime(2027, 1, 4, tzinfo=UTC)), first, {"L1": D(1)})
    assert [r.result["invoice_number"] for r in (one, two, three, next_year)] == [
        "INV-2026-00001",
        "INV-2026-00002",
        "INV-2026-00003",
        "INV-2027-00001",
    ]
    assert set(app.orders.get(first).invoices) == {"INV-2026-00001", "INV-2027-00001"}


def test_a_retried_invoice_returns_its_first_number_and_claims_no_other(app: Comptoir) -> None:
    order_id = order(app, customer(app))
    first = app.orders.invoice(ctx(idempotency_key="inv-1"), order_id, {"L1": D(1)})
    again = app.orders.invoice(ctx(idempotency_key="inv-1"), order_id, {"L1": D(1)})
    assert again.replayed
    assert again.result == first.result
    assert first.result["invoice_number"] == "INV-2026-00001"
    following = app.orders.invoice(ctx(), order_id, {"L1": D(1)})
    assert following.result["invoice_number"] == "INV-2026-00002"


def pay(app: Comptoir, customer_id: UUID, invoice_id: UUID, amount: Decimal) -> None:
    """A payment by transfer today, all of it allocated to one invoice document."""
    payment = RecordPayment(
        customer_id, AT.date(), amount, PaymentMeans.TRANSFER, allocations={invoice_id: amount}
    )
    app.payments.record(ctx(), payment)


def test_credit_notes_have_their_own_sequence_and_reduce_what_is_due(app: Comptoir) -> None:
    order_id = order(app, customer(app), line("L1", "2", "100.00"))
    invoiced = app.orders.invoice(ctx(), order_id, {"L1": D(2)})
    number, invoice_id = invoiced.result["invoice_number"], UUID(invoiced.result["invoice_id"])
    request = CreditRequest(quantities={"1": D(1)})
    credit = app.invoices.credit(ctx(), invoice_id, request=request, issue_date=AT.date())
    assert credit.result["number"] == "CN-2026-00001"
    assert app.orders.get(order_id).to_pay(number) == D("120.00")
    assert app.invoices.get(invoice_id).amount_due == D("120.00")
    with pytest.raises(InvoiceIsADocument):
        app.orders.credit_note(ctx(), order_id, number, amount=D(1))
    with pytest.raises(UnknownInvoice):
        app.orders.credit_note(ctx(), order_id, "INV-1999-00001", amount=D(1))


def test_payments_settle_an_invoice_and_never_exceed_what_is_due(app: Comptoir) -> None:
    customer_id = customer(app)
    order_id = order(app, customer_id, line("L1", "1", "100.00"))
    invoiced = app.orders.invoice(ctx(), order_id, {"L1": D(1)})
    number, invoice_id = invoiced.result["invoice_number"], UUID(invoiced.result["invoice_id"])
    pay(app, customer_id, invoice_id, D("20.00"))
    assert app.invoices.get(invoice_id).payment_status == "partly_paid"
    with pytest.raises(PaymentAboveDue):
        pay(app, customer_id, invoice_id, D("100.01"))
    with pytest.raises(InvoiceIsADocument):
        app.orders.record_payment(ctx(), order_id, number, D("1.00"))
    pay(app, customer_id, invoice_id, D("100.00"))
    assert app.invoices.get(invoice_id).payment_status == "paid"


def test_four_threads_invoicing_different_orders_get_unique_gapless_numbers(
    tmp_path: Path, pg_schema: str
) -> None:
    app = Comptoir(settings_for("postgres", tmp_path, pg_schema).eventstore_env())
    establish_company(app)
    try:
        customer_id = customer(app)
        rounds, threads_per_round = 3, 4
        orders = [order(app, customer_id) for _ in range(rounds * threads_per_round)]
        numbers: list[str] = []
        failures: list[BaseException] = []
        lock = threading.Lock()
        barrier = threading.Barrier(threads_per_round)

        def invoicer(mine: list[UUID]) -> None:
            for order_id in mine:
                barrier.wait(timeout=30)
                try:
                    result = app.orders.invoice(ctx(), order_id, {"L1": D(1)})
                except Exception as error:  # reported below, with the numbers issued
                    with lock:
                        failures.append(error)
                    continue
                with lock:
                    numbers.append(result.result["invoice_number"])

        threads = [
            threading.Thread(target=invoicer, args=(orders[i::threads_per_round],))
            for i in range(threads_per_round)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        expected = [f"INV-2026-{n:05d}" for n in range(1, len(orders) + 1)]
        assert sorted(numbers) == expected
        issued = sorted(n for o in orders for n in app.orders.get(o).invoices)
        assert issued == expected
    finally:
        app.close()


# ---- O8: affairs ----------------------------------------------------------------------


def test_an_order_or_one_line_is_assigned_to_an_existing_affair(app: Comptoir) -> None:
    customer_id = customer(app)
    order_id = order(app, customer_id, line("L1"), line("L2"))
    affair = Affair.open(
        AT,
        name="Shop refit",
        customer_id=customer_id,
        prospect=None,
        salesperson="alice",
        currency="EUR",
        expected_amount=D(5000),
        expected_close=None,
        zone="west",
        country="FR",
        sale_type="product",
        risk="low",
        competitors=[],
    )
    app.save(affair)
    app.orders.assign_to_affair(ctx(), order_id, affair.id, line_id="L2")
    assigned = app.orders.get(order_id)
    assert assigned.affair_of("L2") == affair.id
    assert assigned.affair_of("L1") is None
    with pytest.raises(NotFound):
        app.orders.assign_to_affair(ctx(), order_id, uuid4())


# ---- reads and versions ----------------------------------------------------------------


def test_an_order_reads_as_it_stood_at_an_earlier_version(app: Comptoir) -> None:
    order_id = order(app, customer(app))
    assert app.orders.get(order_id, 1).status == OrderStatus.DRAFT
    assert app.orders.get(order_id).status == OrderStatus.CONFIRMED
    with pytest.raises(NotFound):
        app.orders.get(order_id, 9)
    with pytest.raises(NotFound):
        app.orders.get(uuid4())


def test_a_stale_expected_version_is_refused(app: Comptoir) -> None:
    order_id = order(app, customer(app))
    with pytest.raises(StaleVersion):
        app.orders.record_delivery(ctx(expected_version=1), order_id, {"L1": D(1)})


# ---- Q9: quote conversion -------------------------------------------------------------


def test_converting_an_accepted_quote_creates_the_order_and_marks_the_quote_in_one_command(
    app: Comptoir,
) -> None:
    customer_id = customer(app)
    quote_id, line_ids = accepted_quote(app, customer_id)
    before = app.log_position()
    converted = app.orders.convert_quote(ctx(reason="signed"), quote_id, [line_ids[1]])
    order_id = converted.aggregate_id
    assert converted.result == {"order_id": str(order_id), "quote_id": str(quote_id)}
    placed = app.orders.get(order_id)
    quote = app.quotes.get(quote_id)
    assert quote.status == QuoteStatus.CONVERTED
    assert quote.order_id == order_id
    assert placed.quote_id == quote_id
    assert placed.customer_id == customer_id
    assert list(placed.lines) == [line_ids[1]]
    assert placed.lines[line_ids[1]].unit_price == D("50.00")
    # One transaction: both events and one journal row, at contiguous positions.
    assert app.log_position() == before + 2
    entries = app.journal.journal_between(before + 1, before + 2)
    assert len(entries) == 1
    assert (entries[0].first_position, entries[0].last_position) == (before + 1, before + 2)
    assert app.history(quote_id)[-1].journal == app.history(order_id)[0].journal


def test_a_prospects_quote_names_its_customer_when_it_converts(app: Comptoir) -> None:
    quote_id, _ = accepted_quote(app, None)
    before = app.log_position()
    with pytest.raises(CustomerRequired):
        app.orders.convert_quote(ctx(), quote_id)
    assert app.log_position() == before
    customer_id = customer(app)
    converted = app.orders.convert_quote(ctx(), quote_id, customer_id=customer_id)
    assert app.orders.get(converted.aggregate_id).customer_id == customer_id
    assert len(app.orders.get(converted.aggregate_id).lines) == 2


def test_a_quote_that_is_not_accepted_does_not_convert_and_nothing_is_saved(
    app: Comptoir,
) -> None:
    customer_id = customer(app)
    quote_id = app.quotes.draft(ctx(), currency="EUR", customer_id=customer_id).aggregate_id
    before = app.log_position()
    with pytest.raises(InvalidTransition):
        app.orders.convert_quote(ctx(), quote_id)
    assert app.log_position() == before
    converted_twice = accepted_quote(app, customer_id)[0]
    app.orders.convert_quote(ctx(), converted_twice)
    with pytest.raises(InvalidTransition):
        app.orders.convert_quote(ctx(), converted_twice)
