"""The Order aggregate (O1–O8): its events and the values they store.

An order is created from an accepted quote or directly, confirmed after a credit check,
delivered and invoiced in parts, amended by numbered deltas, paid invoice by invoice,
and closed once nothing is on backorder and everything is invoiced.

Quantities per line: *net delivered* = delivered − returned, *backorder* = ordered (as
amended) − net delivered, *net invoiced* = invoiced − credited by quantity. The invoicing
policy allows invoicing up to what was ordered, or up to what is net delivered.
The status follows that progress; `TRANSITIONS` lists every move it may make.

This module keeps what storage names: the `Order` class and its events (topics
`domain.order:Order.Created` …) and the value types its events and snapshots hold
(stored as `domain.order:OrderLine` …), with the verbs that build those values
(deliveries, returns, amendments). The rest is in mixins and rule modules:
`order_accounts` (state and queries), `order_lifecycle` (confirm, cancel, close,
delivery and return rules, affairs), `order_invoicing` (invoices, deposits, credit
notes, payments), `order_documents` (invoices issued as documents), `order_status`
and `order_checks`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import (
    DatedBeforeConfirmation,
    DeliveryDateInFuture,
    DomainError,
    DuplicateLine,
    EmptyOrder,
    InvalidInput,
    ReasonRequired,
    ReturnDateInFuture,
    UnknownLine,
)
from domain.invoicing import CreditNote, Invoice, Payment
from domain.order_accounts import add_to
from domain.order_checks import (
    bounded_change,
    bounded_line,
    bounded_totals,
    check_line,
    new_order_terms,
    positive,
    required,
)
from domain.order_documents import DocumentRef, OrderDocuments
from domain.order_lifecycle import OrderLifecycle
from domain.order_status import TRANSITIONS, InvoicePolicy, OrderStatus
from domain.quote_lines import CatalogueSource
from domain.values import ZERO, Discount, DiscountMode, PricedLine, check_finite

# The status and policy live in `domain.order_status`; importers keep finding them here.
__all__ = ["TRANSITIONS", "InvoicePolicy", "Order", "OrderStatus"]


@dataclass(frozen=True)
class OrderLine:
    """A line of an order: what, how many, at what price and VAT rate."""

    line_id: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    unit: str = "unit"
    product_ref: str | None = None
    discount: Discount | None = None
    unit_cost: Decimal | None = None

    def __post_init__(self) -> None:
        check_line(self)

    def priced(self) -> PricedLine:
        return PricedLine(
            self.quantity, self.unit_price, self.vat_rate, self.discount, self.unit_cost
        )

    @property
    def catalogue(self) -> CatalogueSource | None:
        """Where the catalogue line came from (P4); None for a line typed by hand."""
        return None


@dataclass(frozen=True)
class CatalogueLine(OrderLine):
    """An order line filled from the catalogue (P4), with its source: the product, the
    day and rule that priced it, and the fields given by hand.

    A type of its own rather than a new field of `OrderLine`, so the lines stored before
    the catalogue keep their stored form, byte for byte."""

    source: CatalogueSource | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if not isinstance(self.source, CatalogueSource):
            raise InvalidInput(f"a catalogue line needs its source, got {self.source!r}")

    @property
    def catalogue(self) -> CatalogueSource | None:
        return self.source


@dataclass(frozen=True)
class AddLine:
    """Amendment change: a new line."""

    line: OrderLine


@dataclass(frozen=True)
class ChangeLine:
    """Amendment change: a new quantity and/or unit price for a line."""

    line_id: str
    quantity: Decimal | None = None
    unit_price: Decimal | None = None

    def __post_init__(self) -> None:
        if self.quantity is None and self.unit_price is None:
            raise InvalidInput("a line change needs a new quantity or unit price")
        if self.quantity is not None:
            positive(self.quantity, "a line quantity")
        if self.unit_price is not None:
            check_finite(self.unit_price, "a unit price")


@dataclass(frozen=True)
class RemoveLine:
    """Amendment change: drop a line nothing was delivered or invoiced on."""

    line_id: str


@dataclass(frozen=True)
class RepriceLine:
    """Amendment change: a catalogue line's new quantity at the price the catalogue gives
    for it on the order's day (a quantity break), with the rule that gave it (P4)."""

    line_id: str
    quantity: Decimal
    unit_price: Decimal
    discount: Discount | None
    source: CatalogueSource

    def __post_init__(self) -> None:
        positive(self.quantity, "a line quantity")
        check_finite(self.unit_price, "a unit price")


LineChange = AddLine | ChangeLine | RemoveLine | RepriceLine


def with_source(line: OrderLine, source: CatalogueSource, **changes: Any) -> CatalogueLine:
    """`line` with `changes`, as a catalogue line from `source`."""
    fields = {f.name: getattr(line, f.name) for f in dataclasses.fields(OrderLine)}
    return CatalogueLine(**{**fields, **changes, "source": source})


def _changed(line: OrderLine, change: ChangeLine) -> OrderLine:
    """A line after a change by hand; a catalogue line records a new price as given by
    hand (its rule stays, as on quotes)."""
    quantity = line.quantity if change.quantity is None else change.quantity
    unit_price = line.unit_price if change.unit_price is None else change.unit_price
    source = line.catalogue
    if source is not None and unit_price != line.unit_price:
        source = replace(source, overridden=(*source.overridden, "unit_price"))
        return with_source(line, source, quantity=quantity, unit_price=unit_price)
    return replace(line, quantity=quantity, unit_price=unit_price)


def apply_changes(
    lines: Mapping[str, OrderLine], changes: Sequence[LineChange]
) -> dict[str, OrderLine]:
    """The lines after an amendment's changes, applied in order (no checks)."""
    result = dict(lines)
    for change in changes:
        if isinstance(change, AddLine):
            result[change.line.line_id] = change.line
        elif isinstance(change, ChangeLine):
            result[change.line_id] = _changed(result[change.line_id], change)
        elif isinstance(change, RepriceLine):
            result[change.line_id] = with_source(
                result[change.line_id],
                change.source,
                quantity=change.quantity,
                unit_price=change.unit_price,
                discount=change.discount,
            )
        else:
            del result[change.line_id]
    return result


def diff_lines(
    before: Mapping[str, OrderLine], after: Mapping[str, OrderLine]
) -> dict[str, tuple[OrderLine | None, OrderLine | None]]:
    """Lines that differ, by id: (before, after); None where the line did not exist."""
    ids = list(dict.fromkeys([*before, *after]))
    return {i: (before.get(i), after.get(i)) for i in ids if before.get(i) != after.get(i)}


@dataclass(frozen=True)
class Amendment:
    """A numbered amendment (avenant): why, when and the changes it made."""

    number: int
    at: datetime
    reason: str
    changes: list[LineChange]


@dataclass(frozen=True)
class CreditOverride:
    """A manager's decision to confirm an order over the customer's credit limit."""

    manager: str
    reason: str

    def __post_init__(self) -> None:
        required(self.manager, "the overriding manager")
        required(self.reason, "an override reason")


@dataclass(frozen=True)
class NonConformity:
    """What was wrong with returned goods, why, and what is done about it."""

    description: str
    cause: str = ""
    action: str = ""

    def __post_init__(self) -> None:
        required(self.description, "a non-conformity description")


@dataclass(frozen=True)
class Delivery:
    """A delivery (bon de livraison): quantities per line."""

    delivery_id: str
    at: datetime
    quantities: dict[str, Decimal]


@dataclass(frozen=True)
class Return:
    """Goods sent back, with the non-conformity record."""

    return_id: str
    at: datetime
    quantities: dict[str, Decimal]
    non_conformity: NonConformity


class Order(OrderLifecycle, OrderDocuments, Aggregate):
    """A customer order, from confirmation to closing."""

    @event("Created")
    def __init__(
        self,
        at: datetime,
        customer_id: UUID,
        currency: str,
        lines: list[OrderLine],
        quote_id: UUID | None,
        affair_id: UUID | None,
        invoice_policy: str,
        discounts: list[Decimal],
        discount_mode: str,
    ) -> None:
        self.created_at = at
        self.customer_id = customer_id
        self.currency = currency
        self.quote_id = quote_id
        self.affair_id = affair_id
        self.invoice_policy = InvoicePolicy(invoice_policy)
        self.discounts = list(discounts)
        self.discount_mode = DiscountMode(discount_mode)
        self.original_lines = {line.line_id: line for line in lines}
        self.lines = dict(self.original_lines)
        self.line_affairs = {}
        self.status = OrderStatus.DRAFT
        self.confirmed_at = None
        self.credit_override = None
        self.cancel_reason = None
        self.amendments = []
        self.deliveries = []
        self.returns = []
        self.delivered = {}
        self.returned = {}
        self.invoiced = {}
        self.credited = {}
        self.invoices = {}
        self.credit_notes = {}
        self.payments = []

    @classmethod
    def create(
        cls,
        at: datetime,
        customer_id: UUID,
        currency: str,
        lines: Sequence[OrderLine],
        quote_id: UUID | None = None,
        affair_id: UUID | None = None,
        invoice_policy: InvoicePolicy | str = InvoicePolicy.ORDERED,
        discounts: Sequence[Decimal] = (),
        discount_mode: DiscountMode | str = DiscountMode.CASCADING,
    ) -> Order:
        """A draft order, from an accepted quote's lines or entered directly."""
        policy, mode = new_order_terms(currency, lines, invoice_policy, discounts, discount_mode)
        return cls(
            at=at,
            customer_id=customer_id,
            currency=currency,
            lines=list(lines),
            quote_id=quote_id,
            affair_id=affair_id,
            invoice_policy=policy,
            discounts=list(discounts),
            discount_mode=mode,
        )

    def lines_as_of(self, amendment_number: int) -> dict[str, OrderLine]:
        """The lines after amendment `amendment_number` (0: as confirmed)."""
        lines = dict(self.original_lines)
        for amendment in self.amendments[:amendment_number]:
            lines = apply_changes(lines, amendment.changes)
        return lines

    def diff(
        self, from_number: int, to_number: int
    ) -> dict[str, tuple[OrderLine | None, OrderLine | None]]:
        """What changed on the lines between two amendment numbers."""
        return diff_lines(self.lines_as_of(from_number), self.lines_as_of(to_number))

    # ---- O1, O2: confirm, cancel, close (`domain.order_lifecycle`) -------------------

    @event("Confirmed")
    def _confirm(
        self,
        at: datetime,
        order_total: Decimal,
        outstanding: Decimal,
        credit_limit: Decimal | None,
        limit_exceeded: bool,
        credit_override: CreditOverride | None,
    ) -> None:
        self.confirmed_at = at
        self.credit_override = credit_override
        self.status = OrderStatus.CONFIRMED

    @event("Cancelled")
    def _cancel(self, at: datetime, reason: str) -> None:
        self.cancel_reason = reason
        self.status = OrderStatus.CANCELLED

    @event("Closed")
    def _close(self, at: datetime) -> None:
        self.status = OrderStatus.CLOSED

    # ---- O3, O7: deliveries and returns ----------------------------------------

    # The days the user stated, per delivery and return id. Class defaults of None for
    # orders (and snapshots) from before stated days; read them by `delivered_on` and
    # `returned_on`, which fall back to the day each was recorded.
    delivery_days: dict[str, date] | None = None
    return_days: dict[str, date] | None = None

    def delivered_on(self, delivery_id: str) -> date:
        """The day delivery `delivery_id` was made: as stated, else the day recorded."""
        delivery = next(d for d in self.deliveries if d.delivery_id == delivery_id)
        return (self.delivery_days or {}).get(delivery_id, delivery.at.date())

    def returned_on(self, return_id: str) -> date:
        """The day return `return_id` came back: as stated, else the day recorded."""
        goods_return = next(r for r in self.returns if r.return_id == return_id)
        return (self.return_days or {}).get(return_id, goods_return.at.date())

    def _stated_day(
        self, at: datetime, day: date | None, what: str, future: type[DomainError]
    ) -> date:
        """The day a user states for a delivery or return (the command's day when none):
        never after the command's day, never before the order's confirmation day."""
        if day is None:
            return at.date()
        if not isinstance(day, date) or isinstance(day, datetime):
            raise InvalidInput(f"a {what} day must be a date, got {day!r}")
        if day > at.date():
            raise future(f"a {what} is recorded once made: {day} is after {at.date()}")
        if self.confirmed_at is not None and day < self.confirmed_at.date():
            raise DatedBeforeConfirmation(
                f"a {what} dated {day} is before the order's confirmation "
                f"on {self.confirmed_at.date()}"
            )
        return day

    def record_delivery(
        self,
        at: datetime,
        quantities: Mapping[str, Decimal],
        delivery_id: str | None = None,
        delivered_on: date | None = None,
    ) -> None:
        """Deliver part or all of some lines; never more than ordered (as amended).
        `delivered_on` is the day stated (the command's day when absent)."""
        self._require("delivered")
        day = self._stated_day(at, delivered_on, "delivery", DeliveryDateInFuture)
        quantities = self._quantities(quantities)
        delivery_id = self._new_delivery_id(quantities, delivery_id)
        self._deliver(at=at, delivery=Delivery(delivery_id, at, quantities), delivered_on=day)

    @event("DeliveryRecorded")
    def _deliver(self, at: datetime, delivery: Delivery, delivered_on: date | None = None) -> None:
        if delivered_on is not None:
            self.delivery_days = {**(self.delivery_days or {}), delivery.delivery_id: delivered_on}
        self.deliveries.append(delivery)
        add_to(self.delivered, delivery.quantities)
        self._refresh_status()

    def record_return(
        self,
        at: datetime,
        quantities: Mapping[str, Decimal],
        non_conformity: NonConformity,
        return_id: str | None = None,
        returned_on: date | None = None,
    ) -> None:
        """Take goods back with a non-conformity record; never more than delivered.
        `returned_on` is the day stated (the command's day when absent)."""
        self._require("returned")
        day = self._stated_day(at, returned_on, "return", ReturnDateInFuture)
        quantities = self._quantities(quantities)
        return_id = self._new_return_id(quantities, return_id)
        goods_return = Return(return_id, at, quantities, non_conformity)
        self._return(at=at, goods_return=goods_return, returned_on=day)

    @event("ReturnRecorded")
    def _return(self, at: datetime, goods_return: Return, returned_on: date | None = None) -> None:
        if returned_on is not None:
            self.return_days = {**(self.return_days or {}), goods_return.return_id: returned_on}
        self.returns.append(goods_return)
        add_to(self.returned, goods_return.quantities)
        self._refresh_status()

    # ---- O4: amendments ----------------------------------------------------------

    def amend(self, at: datetime, reason: str, changes: Sequence[LineChange]) -> None:
        """A numbered amendment: add, change or remove lines, never below what is done."""
        if not reason or not reason.strip():
            raise ReasonRequired("an amendment needs a reason")
        self._require("amended")
        if not changes:
            raise InvalidInput("an amendment needs at least one change")
        lines = dict(self.lines)
        for change in changes:
            if isinstance(change, AddLine):
                bounded_line(change.line)
                if change.line.line_id in lines:
                    raise DuplicateLine(f"line {change.line.line_id} already exists")
            else:
                if isinstance(change, ChangeLine | RepriceLine):
                    bounded_change(change)
                if change.line_id not in lines:
                    raise UnknownLine(f"no line {change.line_id!r} on this order")
                if isinstance(change, RepriceLine) and lines[change.line_id].catalogue is None:
                    raise InvalidInput(f"line {change.line_id} is not from the catalogue")
                floor = change.quantity if isinstance(change, ChangeLine | RepriceLine) else ZERO
                if floor is not None:
                    self._check_floor(change.line_id, floor)
            lines = apply_changes(lines, [change])
        if not lines:
            raise EmptyOrder("an amendment cannot remove every line")
        bounded_totals(list(lines.values()), self.currency, self.discounts, self.discount_mode)
        number = len(self.amendments) + 1
        self._amend(at=at, number=number, reason=reason, changes=list(changes))

    @event("Amended")
    def _amend(self, at: datetime, number: int, reason: str, changes: list[LineChange]) -> None:
        self.amendments.append(Amendment(number, at, reason, changes))
        self.lines = apply_changes(self.lines, changes)
        for line_id in list(self.line_affairs):
            if line_id not in self.lines:
                del self.line_affairs[line_id]
        self._refresh_status()

    # ---- O5, O6: invoices, deposits, credit notes, payments (`order_invoicing`) -------

    @event("Invoiced")
    def _invoice(self, at: datetime, invoice: Invoice) -> None:
        self.invoices[invoice.number] = invoice
        add_to(self.invoiced, {i: line.quantity for i, line in invoice.lines.items()})
        self._refresh_status()

    @event("DepositInvoiced")
    def _deposit(self, at: datetime, invoice: Invoice) -> None:
        self.invoices[invoice.number] = invoice

    @event("CreditNoteIssued")
    def _credit(self, at: datetime, credit_note: CreditNote) -> None:
        self.credit_notes[credit_note.number] = credit_note
        add_to(self.credited, credit_note.quantities)
        self._refresh_status()

    class PaymentRecorded(Aggregate.Event):
        """A payment against an invoice. v2 added `method` (v1 payments were transfers)."""

        class_version = 2
        at: datetime
        invoice_number: str
        amount: Decimal
        method: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["method"] = "transfer"

    @event(PaymentRecorded)
    def _pay(self, at: datetime, invoice_number: str, amount: Decimal, method: str) -> None:
        self.payments.append(Payment(invoice_number, at, amount, method))

    # ---- O5: invoices issued as documents of their own (`domain.order_documents`) ----

    # per invoice number; a class default for orders recorded before invoice documents
    document_refs: dict[str, DocumentRef] | None = None

    @event("InvoiceDocumentRecorded")
    def _record_document(self, at: datetime, invoice: Invoice, document: DocumentRef) -> None:
        self.invoices[invoice.number] = invoice
        self.document_refs = {**self.documents, invoice.number: document}
        add_to(self.invoiced, {i: line.quantity for i, line in invoice.lines.items()})
        self._refresh_status()

    # ---- O8: affairs (`domain.order_lifecycle`) ---------------------------------------

    @event("AssignedToAffair")
    def _assign(self, at: datetime, affair_id: UUID, line_id: str | None) -> None:
        if line_id is None:
            self.affair_id = affair_id
        else:
            self.line_affairs[line_id] = affair_id
