"""Order invoices, deposits, credit notes and payments (O5, O6), and the payment upcast."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import pytest
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic

from adapters.transcoding import domain_transcoder
from domain.errors import (
    DuplicateInvoiceNumber,
    InvalidAmount,
    InvalidInput,
    InvalidTransition,
    OverCrediting,
    OverInvoicing,
    OverPayment,
    UnknownInvoice,
)
from domain.invoicing import Amounts, PaymentStatus, format_invoice_number
from domain.order import Order, OrderLine, OrderStatus
from domain.values import Discount, DiscountKind
from tests.unit.replay import replay, state_of
from tests.unit.test_order import AT, CUSTOMER, confirmed, names, refused, status_of

INV1, INV2, INV3, INV4 = (format_invoice_number(2026, n) for n in range(1, 5))


# ---- numbering ---------------------------------------------------------------------


def test_invoice_numbers_are_sequential_per_year() -> None:
    assert format_invoice_number(2026, 1) == "INV-2026-00001"
    assert format_invoice_number(2027, 123, prefix="AV") == "AV-2027-00123"


def test_an_invoice_number_needs_a_year_and_a_sequence_from_one() -> None:
    with pytest.raises(InvalidInput):
        format_invoice_number(2026, 0)
    with pytest.raises(InvalidInput):
        format_invoice_number(12026, 1)


def test_an_invoice_number_is_used_once_per_order() -> None:
    order = confirmed()
    order.invoice(AT, INV1, {"L1": Decimal("1")})
    refused(order, DuplicateInvoiceNumber, lambda: order.invoice(AT, INV1, {"L1": Decimal("1")}))
    refused(
        order,
        DuplicateInvoiceNumber,
        lambda: order.credit_note(AT, INV1, INV1, quantities={"L1": Decimal("1")}),
    )


# ---- invoices ----------------------------------------------------------------------


def test_an_invoice_of_part_of_a_line_has_its_own_totals() -> None:
    order = confirmed()
    order.collect_events()
    order.invoice(AT, INV1, {"L1": Decimal("4")})
    assert names(order) == ["Order.Invoiced"]
    invoice = order.invoices[INV1]
    assert (invoice.amounts.net, invoice.amounts.vat, invoice.amounts.gross) == (
        Decimal("50.00"),
        Decimal("10.00"),
        Decimal("60.00"),
    )
    assert order.status == OrderStatus.PARTIALLY_INVOICED
    assert order.invoiceable("L1") == Decimal("6")


def test_the_ordered_policy_never_invoices_more_than_ordered() -> None:
    order = confirmed("ordered")
    refused(order, OverInvoicing, lambda: order.invoice(AT, INV1, {"L1": Decimal("11")}))
    order.invoice(AT, INV1, {"L1": Decimal("10")})
    refused(order, OverInvoicing, lambda: order.invoice(AT, INV2, {"L1": Decimal("1")}))


def test_the_delivered_policy_never_invoices_more_than_delivered() -> None:
    order = confirmed("delivered")
    refused(order, OverInvoicing, lambda: order.invoice(AT, INV1, {"L1": Decimal("1")}))
    order.record_delivery(AT, {"L1": Decimal("3")})
    order.invoice(AT, INV1, {"L1": Decimal("3")})
    refused(order, OverInvoicing, lambda: order.invoice(AT, INV2, {"L1": Decimal("1")}))


def test_invoicing_follows_the_order_as_amended() -> None:
    from domain.order import ChangeLine

    order = confirmed()
    order.amend(
        AT, "two more", [ChangeLine("L1", quantity=Decimal("12"), unit_price=Decimal("10.00"))]
    )
    order.invoice(AT, INV1, {"L1": Decimal("12")})
    assert order.invoices[INV1].amounts.gross == Decimal("144.00")


def test_a_fixed_line_discount_is_shared_between_partial_invoices() -> None:
    line = OrderLine(
        "L1",
        "Audit",
        Decimal("2"),
        Decimal("100.00"),
        Decimal("20"),
        discount=Discount(DiscountKind.AMOUNT, Decimal("10")),
    )
    order = Order.create(AT, CUSTOMER, "EUR", [line])
    order.confirm(AT, Decimal("0"), None)
    order.invoice(AT, INV1, {"L1": Decimal("1")})
    order.invoice(AT, INV2, {"L1": Decimal("1")})
    assert [order.invoices[n].amounts.net for n in (INV1, INV2)] == [
        Decimal("95.00"),
        Decimal("95.00"),
    ]
    assert order.totals().net == Decimal("190.00")


def test_document_discounts_apply_to_each_invoice() -> None:
    order = Order.create(
        AT,
        CUSTOMER,
        "EUR",
        [OrderLine("L1", "Widget", Decimal("10"), Decimal("12.50"), Decimal("20"))],
        discounts=[Decimal("10")],
    )
    order.confirm(AT, Decimal("0"), None)
    order.invoice(AT, INV1, {"L1": Decimal("4")})
    assert order.invoices[INV1].amounts == Amounts(
        {"20": Decimal("45.00")}, {"20": Decimal("9.00")}
    )


# ---- deposits ------------------------------------------------------------------------


def test_a_deposit_of_a_percentage_is_split_by_vat_rate_and_deducted_later() -> None:
    order = confirmed()
    order.collect_events()
    order.deposit_invoice(AT, INV1, percent=Decimal("30"))
    assert names(order) == ["Order.DepositInvoiced"]
    deposit = order.invoices[INV1]
    assert deposit.amounts == Amounts(
        {"20": Decimal("37.50"), "5.5": Decimal("60.00")},
        {"20": Decimal("7.50"), "5.5": Decimal("3.30")},
    )
    assert deposit.amounts.gross == Decimal("108.30")
    assert order.status == OrderStatus.CONFIRMED
    order.invoice(AT, INV2, {"L1": Decimal("4")})
    assert order.invoices[INV2].deposit_deducted == Decimal("60.00")
    assert order.due(INV2) == Decimal("0.00")
    order.invoice(AT, INV3, {"L1": Decimal("6"), "L2": Decimal("2")})
    assert order.invoices[INV3].deposit_deducted == Decimal("48.30")
    assert order.due(INV3) == Decimal("252.70")  # 301.00 − 48.30
    assert order.deposit_balance() == Decimal("0")


def test_a_deposit_of_an_amount_is_split_by_vat_rate() -> None:
    order = confirmed()
    order.deposit_invoice(AT, INV1, amount=Decimal("120.00"))
    assert order.invoices[INV1].amounts == Amounts(
        {"20": Decimal("41.55"), "5.5": Decimal("66.48")},
        {"20": Decimal("8.31"), "5.5": Decimal("3.66")},
    )
    assert order.invoices[INV1].amounts.gross == Decimal("120.00")


def test_deposits_never_exceed_the_order_total() -> None:
    order = confirmed()
    order.deposit_invoice(AT, INV1, amount=Decimal("300.00"))
    refused(order, OverInvoicing, lambda: order.deposit_invoice(AT, INV2, amount=Decimal("61.01")))
    order.deposit_invoice(AT, INV2, amount=Decimal("61.00"))


def test_a_deposit_names_a_percentage_or_an_amount() -> None:
    order = confirmed()
    refused(order, InvalidInput, lambda: order.deposit_invoice(AT, INV1))
    both = lambda: order.deposit_invoice(AT, INV1, percent=Decimal("10"), amount=Decimal("1"))  # noqa: E731
    refused(order, InvalidInput, both)
    refused(order, InvalidAmount, lambda: order.deposit_invoice(AT, INV1, percent=Decimal("101")))
    refused(order, InvalidAmount, lambda: order.deposit_invoice(AT, INV1, amount=Decimal("1.001")))


# ---- credit notes ---------------------------------------------------------------------


def test_a_credit_note_by_quantity_lets_the_quantity_be_invoiced_again() -> None:
    order = confirmed()
    order.invoice(AT, INV1, {"L1": Decimal("4")})
    order.collect_events()
    order.credit_note(AT, INV2, INV1, quantities={"L1": Decimal("1")})
    assert names(order) == ["Order.CreditNoteIssued"]
    assert order.credit_notes[INV2].amounts == Amounts(
        {"20": Decimal("12.50")}, {"20": Decimal("2.50")}
    )
    assert order.net_invoiced("L1") == Decimal("3")
    assert order.invoiceable("L1") == Decimal("7")
    refused(
        order,
        OverCrediting,
        lambda: order.credit_note(AT, INV3, INV1, quantities={"L1": Decimal("4")}),
    )
    refused(
        order,
        OverCrediting,
        lambda: order.credit_note(AT, INV3, INV1, quantities={"L2": Decimal("1")}),
    )


def test_a_credit_note_by_amount_never_exceeds_what_is_left_on_the_invoice() -> None:
    order = confirmed()
    order.invoice(AT, INV1, {"L1": Decimal("4")})
    refused(
        order, OverCrediting, lambda: order.credit_note(AT, INV2, INV1, amount=Decimal("60.01"))
    )
    order.credit_note(AT, INV2, INV1, amount=Decimal("30.00"))
    assert order.credit_notes[INV2].amounts == Amounts(
        {"20": Decimal("25.00")}, {"20": Decimal("5.00")}
    )
    order.credit_note(AT, INV3, INV1, amount=Decimal("30.00"))
    refused(order, OverCrediting, lambda: order.credit_note(AT, INV4, INV1, amount=Decimal("0.01")))
    assert order.net_invoiced("L1") == Decimal("4")  # a price rebate gives no quantity back


def test_a_credit_note_names_a_known_invoice_and_quantities_or_an_amount() -> None:
    order = confirmed()
    order.invoice(AT, INV1, {"L1": Decimal("4")})
    refused(
        order, UnknownInvoice, lambda: order.credit_note(AT, INV2, INV3, amount=Decimal("1.00"))
    )
    refused(order, InvalidInput, lambda: order.credit_note(AT, INV2, INV1))


def test_a_deposit_already_deducted_cannot_be_credited_again() -> None:
    order = confirmed()
    order.deposit_invoice(AT, INV1, amount=Decimal("100.00"))
    order.invoice(AT, INV2, {"L1": Decimal("4")})  # deducts 60.00
    assert order.deposit_balance() == Decimal("40.00")
    refused(
        order, OverCrediting, lambda: order.credit_note(AT, INV3, INV1, amount=Decimal("40.01"))
    )


def test_crediting_an_invoice_paid_by_a_deposit_gives_the_deposit_back() -> None:
    order = confirmed()
    order.deposit_invoice(AT, INV1, amount=Decimal("100.00"))
    order.invoice(AT, INV2, {"L1": Decimal("4")})
    order.credit_note(AT, INV3, INV2, quantities={"L1": Decimal("1")})
    assert order.deposit_balance() == Decimal("55.00")
    assert order.due(INV2) == Decimal("0")


def test_a_full_credit_puts_an_invoiced_order_back_to_its_delivery_status() -> None:
    order = confirmed()
    order.record_delivery(AT, {"L2": Decimal("2")})
    order.invoice(AT, INV1, {"L1": Decimal("10"), "L2": Decimal("2")})
    assert order.status == OrderStatus.INVOICED
    order.credit_note(AT, INV2, INV1, quantities={"L1": Decimal("10"), "L2": Decimal("2")})
    assert status_of(order) == OrderStatus.PARTIALLY_DELIVERED
    assert order.invoice_payment_status(INV1) == PaymentStatus.PAID  # nothing left to pay


# ---- payments -------------------------------------------------------------------------


def test_payments_move_an_invoice_from_unpaid_to_partial_to_paid() -> None:
    order = confirmed()
    order.invoice(AT, INV1, {"L1": Decimal("4")})
    assert order.invoice_payment_status(INV1) == PaymentStatus.NONE
    order.collect_events()
    order.record_payment(AT, INV1, Decimal("20.00"), "card")
    assert names(order) == ["Order.PaymentRecorded"]
    assert order.invoice_payment_status(INV1) == PaymentStatus.PARTIAL
    assert order.payment_status() == PaymentStatus.PARTIAL
    order.record_payment(AT, INV1, Decimal("40.00"))
    assert order.invoice_payment_status(INV1) == PaymentStatus.PAID
    assert [p.method for p in order.payments] == ["card", "transfer"]
    refused(order, OverPayment, lambda: order.record_payment(AT, INV1, Decimal("0.01")))


def test_the_order_is_paid_when_every_invoice_is() -> None:
    order = confirmed()
    assert order.payment_status() == PaymentStatus.NONE
    order.invoice(AT, INV1, {"L1": Decimal("4")})
    order.invoice(AT, INV2, {"L2": Decimal("1")})  # 105.50
    order.record_payment(AT, INV1, Decimal("60.00"))
    assert order.payment_status() == PaymentStatus.PARTIAL
    order.record_payment(AT, INV2, Decimal("105.50"))
    assert order.payment_status() == PaymentStatus.PAID


def test_a_payment_never_exceeds_what_is_due_after_credit_notes() -> None:
    order = confirmed()
    order.invoice(AT, INV1, {"L1": Decimal("4")})
    order.credit_note(AT, INV2, INV1, quantities={"L1": Decimal("1")})
    refused(order, OverPayment, lambda: order.record_payment(AT, INV1, Decimal("45.01")))
    order.record_payment(AT, INV1, Decimal("45.00"))
    assert order.invoice_payment_status(INV1) == PaymentStatus.PAID


def test_a_payment_names_a_known_invoice_and_a_positive_amount() -> None:
    order = confirmed()
    order.invoice(AT, INV1, {"L1": Decimal("4")})
    refused(order, UnknownInvoice, lambda: order.record_payment(AT, INV2, Decimal("1.00")))
    refused(order, InvalidAmount, lambda: order.record_payment(AT, INV1, Decimal("0")))
    refused(order, InvalidAmount, lambda: order.record_payment(AT, INV1, Decimal("1.005")))
    refused(order, InvalidInput, lambda: order.record_payment(AT, INV1, Decimal("1.00"), " "))


def test_a_closed_order_still_takes_payments_but_no_more_invoices() -> None:
    order = confirmed()
    order.record_delivery(AT, {"L1": Decimal("10"), "L2": Decimal("2")})
    order.invoice(AT, INV1, {"L1": Decimal("10"), "L2": Decimal("2")})
    order.close(AT)
    order.record_payment(AT, INV1, Decimal("361.00"))
    refused(order, InvalidTransition, lambda: order.deposit_invoice(AT, INV2, percent=Decimal("1")))
    refused(
        order, InvalidTransition, lambda: order.credit_note(AT, INV2, INV1, amount=Decimal("1"))
    )


# ---- schema evolution -----------------------------------------------------------------


def test_a_version_1_payment_is_read_as_a_transfer() -> None:
    order = confirmed()
    order.invoice(AT, INV1, {"L1": Decimal("4")})
    mapper: Mapper[UUID] = Mapper(transcoder=domain_transcoder())
    transcoder = domain_transcoder()
    paid_at = datetime(2026, 4, 1, 10, tzinfo=UTC)
    # What a version-1 PaymentRecorded looked like in the store: no method, no class_version.
    v1 = StoredEvent(
        originator_id=order.id,
        originator_version=order.version + 1,
        topic=get_topic(Order.PaymentRecorded),
        state=transcoder.encode(
            {
                "timestamp": paid_at,
                "at": paid_at,
                "invoice_number": INV1,
                "amount": Decimal("60.00"),
            }
        ),
    )
    event = mapper.to_domain_event(v1)
    assert isinstance(event, Order.PaymentRecorded)
    assert (event.method, event.amount) == ("transfer", Decimal("60.00"))
    history = [*order.collect_events(), event]
    replayed = replay(history, Order)
    assert replayed.payments[0].method == "transfer"
    assert replayed.invoice_payment_status(INV1) == PaymentStatus.PAID


def test_a_payment_is_stored_as_version_2() -> None:
    order = confirmed()
    order.invoice(AT, INV1, {"L1": Decimal("4")})
    order.record_payment(AT, INV1, Decimal("60.00"), "cheque")
    events = order.collect_events()
    mapper: Mapper[UUID] = Mapper(transcoder=domain_transcoder())
    stored = mapper.to_stored_event(events[-1])
    assert domain_transcoder().decode(stored.state)["class_version"] == 2
    assert state_of(replay(events, Order)) == state_of(order)
