"""The Order aggregate (O1–O8).

An order is created from an accepted quote or directly, confirmed after a credit check,
delivered and invoiced in parts, amended by numbered deltas, paid invoice by invoice,
and closed once nothing is on backorder and everything is invoiced.

Quantities per line: *net delivered* = delivered − returned, *backorder* = ordered (as
amended) − net delivered, *net invoiced* = invoiced − credited by quantity. The invoicing
policy allows invoicing up to what was ordered, or up to what is net delivered.
The status follows that progress; `TRANSITIONS` lists every move it may make.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import bounds
from domain.errors import (
    CreditLimitExceeded,
    DuplicateDocument,
    DuplicateInvoiceNumber,
    DuplicateLine,
    EmptyOrder,
    InvalidAmount,
    InvalidInput,
    InvalidTransition,
    InvoiceIsADocument,
    OrderHasOpenInvoices,
    OrderIncomplete,
    OverCrediting,
    OverDelivery,
    OverInvoicing,
    OverPayment,
    OverReturn,
    QuantityBelowFulfilled,
    ReasonRequired,
    UnknownInvoice,
    UnknownLine,
)
from domain.invoice_deposits import DepositDeduction
from domain.invoicing import (
    Amounts,
    CreditNote,
    Invoice,
    InvoiceKind,
    Payment,
    PaymentStatus,
    amounts_of,
    part_of_line,
    payment_status,
    share_of,
)
from domain.order_documents import DocumentRef, by_rate, deposit_deductions, deposits_left
from domain.values import (
    HUNDRED,
    MONEY_CONTEXT,
    ZERO,
    Discount,
    DiscountKind,
    DiscountMode,
    PricedLine,
    Totals,
    check_currency,
    check_finite,
    compute_totals,
    round_money,
)


class InvoicePolicy(StrEnum):
    ORDERED = "ordered"
    DELIVERED = "delivered"


class OrderStatus(StrEnum):
    DRAFT = "draft"
    CONFIRMED = "confirmed"
    PARTIALLY_DELIVERED = "partially_delivered"
    DELIVERED = "delivered"
    PARTIALLY_INVOICED = "partially_invoiced"
    INVOICED = "invoiced"
    CLOSED = "closed"
    CANCELLED = "cancelled"


S = OrderStatus
OPEN = frozenset(
    {S.CONFIRMED, S.PARTIALLY_DELIVERED, S.DELIVERED, S.PARTIALLY_INVOICED, S.INVOICED}
)

# The statuses in which each verb is allowed; in any other it is an InvalidTransition.
ALLOWED: dict[str, frozenset[OrderStatus]] = {
    "confirmed": frozenset({S.DRAFT}),
    "cancelled": frozenset({S.DRAFT, S.CONFIRMED}),
    "amended": OPEN,
    "delivered": OPEN,
    "returned": OPEN,
    "invoiced": OPEN,
    "credited": OPEN,
    "paid": OPEN | {S.CLOSED},
    "closed": frozenset({S.INVOICED}),
    "assigned to an affair": frozenset(S) - {S.CANCELLED},
}

# Every move the status may make (staying put is always allowed). Returns, credit notes
# and amendments that add quantities move an order back from delivered or invoiced.
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.DRAFT: frozenset({S.CONFIRMED, S.CANCELLED}),
    S.CONFIRMED: frozenset(
        {S.PARTIALLY_DELIVERED, S.DELIVERED, S.PARTIALLY_INVOICED, S.INVOICED, S.CANCELLED}
    ),
    S.PARTIALLY_DELIVERED: frozenset({S.DELIVERED, S.PARTIALLY_INVOICED, S.INVOICED}),
    S.DELIVERED: frozenset({S.PARTIALLY_DELIVERED, S.PARTIALLY_INVOICED, S.INVOICED}),
    S.PARTIALLY_INVOICED: frozenset({S.INVOICED, S.CONFIRMED, S.PARTIALLY_DELIVERED, S.DELIVERED}),
    S.INVOICED: frozenset(
        {S.PARTIALLY_INVOICED, S.CONFIRMED, S.PARTIALLY_DELIVERED, S.DELIVERED, S.CLOSED}
    ),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}


def _positive(value: Decimal, what: str) -> Decimal:
    check_finite(value, what)
    if value <= 0:
        raise InvalidAmount(f"{what} must be positive, got {value}")
    return value


def _bounded_line(line: OrderLine) -> OrderLine:
    """A new line whose quantity, prices, rate and amounts lie within the bounds."""
    field = f"lines[{line.line_id}]"
    bounds.quantity(line.quantity, f"{field}.quantity")
    bounds.unit_price(line.unit_price, f"{field}.unit_price")
    bounds.percent(line.vat_rate, f"{field}.vat_rate")
    if line.unit_cost is not None:
        bounds.unit_price(line.unit_cost, f"{field}.unit_cost")
    if line.discount is not None:
        bounds.within(line.discount.value, f"{field}.discount.value", bounds.MAX_AMOUNT)
    bounds.line_gross(line.quantity, line.unit_price, line.unit_cost, field)
    return line


def _bounded_change(change: LineChange) -> LineChange:
    """An amendment's change whose new line or values lie within the bounds."""
    if isinstance(change, AddLine):
        _bounded_line(change.line)
    elif isinstance(change, ChangeLine):
        field = f"changes[{change.line_id}]"
        if change.quantity is not None:
            bounds.quantity(change.quantity, f"{field}.quantity")
        if change.unit_price is not None:
            bounds.unit_price(change.unit_price, f"{field}.unit_price")
    return change


def _bounded_totals(
    lines: Sequence[OrderLine], currency: str, discounts: Sequence[Decimal], mode: DiscountMode
) -> None:
    """Refuse lines whose gross or document totals would pass the bounds."""
    for line in lines:
        bounds.line_gross(line.quantity, line.unit_price, line.unit_cost, f"lines[{line.line_id}]")
    priced = [line.priced() for line in lines]
    bounds.totals(compute_totals(priced, currency, list(discounts), mode), "the order's")


def _required(text: str, what: str) -> str:
    if not text or not text.strip():
        raise InvalidInput(f"{what} is required")
    return text


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
        _required(self.line_id, "a line id")
        _positive(self.quantity, "a line quantity")
        check_finite(self.unit_price, "a unit price")
        check_finite(self.vat_rate, "a VAT rate")
        if self.vat_rate > HUNDRED:
            raise InvalidAmount(f"a VAT rate cannot exceed 100 %, got {self.vat_rate}")
        if self.unit_cost is not None:
            check_finite(self.unit_cost, "a unit cost")
        if (
            self.discount is not None
            and self.discount.kind == DiscountKind.AMOUNT
            and self.discount.value > self.quantity * self.unit_price
        ):
            raise InvalidAmount(f"line {self.line_id}: a discount cannot exceed the line amount")

    def priced(self) -> PricedLine:
        return PricedLine(
            self.quantity, self.unit_price, self.vat_rate, self.discount, self.unit_cost
        )


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
            _positive(self.quantity, "a line quantity")
        if self.unit_price is not None:
            check_finite(self.unit_price, "a unit price")


@dataclass(frozen=True)
class RemoveLine:
    """Amendment change: drop a line nothing was delivered or invoiced on."""

    line_id: str


LineChange = AddLine | ChangeLine | RemoveLine


def apply_changes(
    lines: Mapping[str, OrderLine], changes: Sequence[LineChange]
) -> dict[str, OrderLine]:
    """The lines after an amendment's changes, applied in order (no checks)."""
    result = dict(lines)
    for change in changes:
        if isinstance(change, AddLine):
            result[change.line.line_id] = change.line
        elif isinstance(change, ChangeLine):
            line = result[change.line_id]
            result[change.line_id] = replace(
                line,
                quantity=line.quantity if change.quantity is None else change.quantity,
                unit_price=line.unit_price if change.unit_price is None else change.unit_price,
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
        _required(self.manager, "the overriding manager")
        _required(self.reason, "an override reason")


@dataclass(frozen=True)
class NonConformity:
    """What was wrong with returned goods, why, and what is done about it."""

    description: str
    cause: str = ""
    action: str = ""

    def __post_init__(self) -> None:
        _required(self.description, "a non-conformity description")


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


def _add(counts: dict[str, Decimal], quantities: Mapping[str, Decimal]) -> None:
    for line_id, quantity in quantities.items():
        counts[line_id] = counts.get(line_id, ZERO) + quantity


class Order(Aggregate):
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
        self.line_affairs: dict[str, UUID] = {}
        self.status = OrderStatus.DRAFT
        self.confirmed_at: datetime | None = None
        self.credit_override: CreditOverride | None = None
        self.cancel_reason: str | None = None
        self.amendments: list[Amendment] = []
        self.deliveries: list[Delivery] = []
        self.returns: list[Return] = []
        self.delivered: dict[str, Decimal] = {}
        self.returned: dict[str, Decimal] = {}
        self.invoiced: dict[str, Decimal] = {}
        self.credited: dict[str, Decimal] = {}
        self.invoices: dict[str, Invoice] = {}
        self.credit_notes: dict[str, CreditNote] = {}
        self.payments: list[Payment] = []

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
        check_currency(currency)
        if not lines:
            raise EmptyOrder("an order needs at least one line")
        ids = [line.line_id for line in lines]
        if len(set(ids)) != len(ids):
            raise DuplicateLine("line ids must be unique on an order")
        try:
            policy = InvoicePolicy(invoice_policy)
            mode = DiscountMode(discount_mode)
        except ValueError as e:
            raise InvalidInput(str(e)) from None
        for percent in discounts:
            check_finite(percent, "a document discount")
            if percent > HUNDRED:
                raise InvalidAmount(f"a discount cannot exceed 100 %, got {percent}")
        for line in lines:
            _bounded_line(line)
        _bounded_totals(lines, currency, bounds.discounts(discounts), mode)
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

    # ---- queries ---------------------------------------------------------------

    def totals(self) -> Totals:
        """Net, VAT per rate and total incl. tax of the order as amended."""
        priced = [line.priced() for line in self.lines.values()]
        return compute_totals(priced, self.currency, self.discounts, self.discount_mode)

    def amounts(self) -> Amounts:
        priced = [line.priced() for line in self.lines.values()]
        return amounts_of(priced, self.currency, self.discounts, self.discount_mode)

    def net_delivered(self, line_id: str) -> Decimal:
        return self.delivered.get(line_id, ZERO) - self.returned.get(line_id, ZERO)

    def net_invoiced(self, line_id: str) -> Decimal:
        return self.invoiced.get(line_id, ZERO) - self.credited.get(line_id, ZERO)

    def backorder(self) -> dict[str, Decimal]:
        """Per line: ordered (as amended) less net delivered."""
        return {i: line.quantity - self.net_delivered(i) for i, line in self.lines.items()}

    def invoiceable(self, line_id: str) -> Decimal:
        """What the invoicing policy still allows to invoice on a line."""
        if self.invoice_policy == InvoicePolicy.DELIVERED:
            allowed = self.net_delivered(line_id)
        else:
            allowed = self.lines[line_id].quantity
        return allowed - self.net_invoiced(line_id)

    def credited_amounts(self, invoice_number: str) -> Amounts:
        notes = (n for n in self.credit_notes.values() if n.invoice_number == invoice_number)
        total = Amounts()
        for note in notes:
            total = total.plus(note.amounts)
        return total

    def paid(self, invoice_number: str) -> Decimal:
        return sum((p.amount for p in self.payments if p.invoice_number == invoice_number), ZERO)

    def to_pay(self, invoice_number: str) -> Decimal:
        """What the customer owes on an invoice before payments.

        A credit note first reduces what is left to pay (incl. tax, after the deposit
        deducted); any excess gives the deducted deposit back (see `deposit_balance`).
        """
        invoice = self.invoices[invoice_number]
        return max(ZERO, invoice.payable - self.credited_amounts(invoice_number).gross)

    def due(self, invoice_number: str) -> Decimal:
        """Still to pay on an invoice; negative when the customer is owed money back."""
        return self.to_pay(invoice_number) - self.paid(invoice_number)

    def invoice_payment_status(self, invoice_number: str) -> PaymentStatus:
        return payment_status(self.to_pay(invoice_number), self.paid(invoice_number))

    def payment_status(self) -> PaymentStatus:
        """None, partial or paid over all the order's invoices."""
        if not self.invoices:
            return PaymentStatus.NONE
        to_pay = sum((self.to_pay(n) for n in self.invoices), ZERO)
        return payment_status(to_pay, sum((p.amount for p in self.payments), ZERO))

    def deposit_balance(self) -> Decimal:
        """Deposits (incl. tax, less their credit notes) not yet set against an invoice."""
        balance = ZERO
        for number, invoice in self.invoices.items():
            credited = self.credited_amounts(number).gross
            if invoice.kind == InvoiceKind.DEPOSIT:
                balance += invoice.amounts.gross - credited
            else:
                balance -= invoice.deposit_deducted - max(ZERO, credited - invoice.payable)
        return balance

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

    # ---- checks ----------------------------------------------------------------

    def _require(self, verb: str) -> None:
        if self.status not in ALLOWED[verb]:
            raise InvalidTransition("order", self.status, verb)

    def _quantities(self, quantities: Mapping[str, Decimal]) -> dict[str, Decimal]:
        if not quantities:
            raise InvalidInput("at least one line quantity is required")
        for line_id, quantity in quantities.items():
            if line_id not in self.lines:
                raise UnknownLine(f"no line {line_id!r} on this order")
            _positive(quantity, "a quantity")
            bounds.quantity(quantity, f"quantities[{line_id}]")
        return dict(quantities)

    def _new_number(self, number: str) -> str:
        _required(number, "an invoice number")
        if number in self.invoices or number in self.credit_notes:
            raise DuplicateInvoiceNumber(f"invoice number {number} is already used")
        return number

    def _check_money(self, amount: Decimal, what: str) -> Decimal:
        _positive(amount, what)
        bounds.amount(amount, "amount")
        if round_money(amount, self.currency) != amount:
            raise InvalidAmount(f"{what} has more decimals than {self.currency} allows")
        return amount

    # ---- O1, O2: confirm, cancel, close ---------------------------------------

    def confirm(
        self,
        at: datetime,
        outstanding: Decimal,
        credit_limit: Decimal | None,
        override: CreditOverride | None = None,
    ) -> None:
        """Confirm, unless outstanding + this order incl. tax exceeds the credit limit."""
        self._require("confirmed")
        check_finite(outstanding, "the outstanding amount", allow_negative=True)
        if credit_limit is not None:
            check_finite(credit_limit, "a credit limit")
        total = self.totals().gross
        exceeded = credit_limit is not None and outstanding + total > credit_limit
        if exceeded and override is None:
            raise CreditLimitExceeded(
                f"outstanding {outstanding} + order {total} {self.currency} "
                f"exceeds the credit limit {credit_limit}"
            )
        self._confirm(
            at=at,
            order_total=total,
            outstanding=outstanding,
            credit_limit=credit_limit,
            limit_exceeded=exceeded,
            credit_override=override,
        )

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

    def cancel(self, at: datetime, reason: str) -> None:
        """Cancel with a reason, while nothing is delivered and no invoice is left open."""
        if not reason or not reason.strip():
            raise ReasonRequired("cancelling an order needs a reason")
        self._require("cancelled")
        for number, invoice in self.invoices.items():
            if invoice.amounts.gross - self.credited_amounts(number).gross > 0:
                raise OrderHasOpenInvoices(f"invoice {number} must be credited first")
        self._cancel(at=at, reason=reason)

    @event("Cancelled")
    def _cancel(self, at: datetime, reason: str) -> None:
        self.cancel_reason = reason
        self.status = OrderStatus.CANCELLED

    def close(self, at: datetime) -> None:
        """Close a fully invoiced order once nothing is on backorder."""
        self._require("closed")
        waiting = {i: q for i, q in self.backorder().items() if q > 0}
        if waiting:
            raise OrderIncomplete(f"lines still on backorder: {sorted(waiting)}")
        self._close(at=at)

    @event("Closed")
    def _close(self, at: datetime) -> None:
        self.status = OrderStatus.CLOSED

    # ---- O3, O7: deliveries and returns ----------------------------------------

    def record_delivery(
        self, at: datetime, quantities: Mapping[str, Decimal], delivery_id: str | None = None
    ) -> None:
        """Deliver part or all of some lines; never more than ordered (as amended)."""
        self._require("delivered")
        quantities = self._quantities(quantities)
        for line_id, quantity in quantities.items():
            if self.net_delivered(line_id) + quantity > self.lines[line_id].quantity:
                raise OverDelivery(
                    f"line {line_id}: {quantity} more would exceed the "
                    f"{self.lines[line_id].quantity} ordered "
                    f"({self.net_delivered(line_id)} delivered)"
                )
        delivery_id = delivery_id or f"D{len(self.deliveries) + 1}"
        if any(d.delivery_id == delivery_id for d in self.deliveries):
            raise DuplicateDocument(f"delivery {delivery_id} is already recorded")
        self._deliver(at=at, delivery=Delivery(delivery_id, at, quantities))

    @event("DeliveryRecorded")
    def _deliver(self, at: datetime, delivery: Delivery) -> None:
        self.deliveries.append(delivery)
        _add(self.delivered, delivery.quantities)
        self._refresh_status()

    def record_return(
        self,
        at: datetime,
        quantities: Mapping[str, Decimal],
        non_conformity: NonConformity,
        return_id: str | None = None,
    ) -> None:
        """Take goods back with a non-conformity record; never more than delivered."""
        self._require("returned")
        quantities = self._quantities(quantities)
        for line_id, quantity in quantities.items():
            if quantity > self.net_delivered(line_id):
                raise OverReturn(
                    f"line {line_id}: cannot return {quantity}, "
                    f"{self.net_delivered(line_id)} delivered and not returned"
                )
        return_id = return_id or f"R{len(self.returns) + 1}"
        if any(r.return_id == return_id for r in self.returns):
            raise DuplicateDocument(f"return {return_id} is already recorded")
        self._return(at=at, goods_return=Return(return_id, at, quantities, non_conformity))

    @event("ReturnRecorded")
    def _return(self, at: datetime, goods_return: Return) -> None:
        self.returns.append(goods_return)
        _add(self.returned, goods_return.quantities)
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
            _bounded_change(change)
            if isinstance(change, AddLine):
                if change.line.line_id in lines:
                    raise DuplicateLine(f"line {change.line.line_id} already exists")
            elif change.line_id not in lines:
                raise UnknownLine(f"no line {change.line_id!r} on this order")
            elif isinstance(change, ChangeLine) and change.quantity is not None:
                self._check_floor(change.line_id, change.quantity)
            elif isinstance(change, RemoveLine):
                self._check_floor(change.line_id, ZERO)
            lines = apply_changes(lines, [change])
        if not lines:
            raise EmptyOrder("an amendment cannot remove every line")
        _bounded_totals(list(lines.values()), self.currency, self.discounts, self.discount_mode)
        number = len(self.amendments) + 1
        self._amend(at=at, number=number, reason=reason, changes=list(changes))

    def _check_floor(self, line_id: str, quantity: Decimal) -> None:
        done = max(
            self.delivered.get(line_id, ZERO) if quantity == 0 else self.net_delivered(line_id),
            self.invoiced.get(line_id, ZERO) if quantity == 0 else self.net_invoiced(line_id),
        )
        if quantity < done or (quantity == 0 and done > 0):
            raise QuantityBelowFulfilled(
                f"line {line_id}: {quantity} is below the {done} already delivered or invoiced"
            )

    @event("Amended")
    def _amend(self, at: datetime, number: int, reason: str, changes: list[LineChange]) -> None:
        self.amendments.append(Amendment(number, at, reason, changes))
        self.lines = apply_changes(self.lines, changes)
        for line_id in list(self.line_affairs):
            if line_id not in self.lines:
                del self.line_affairs[line_id]
        self._refresh_status()

    # ---- O5: invoices, deposits and credit notes --------------------------------

    def invoice(self, at: datetime, invoice_number: str, quantities: Mapping[str, Decimal]) -> None:
        """Invoice quantities per line, up to what the policy allows; deposits deducted."""
        self._require("invoiced")
        self._new_number(invoice_number)
        self._invoice(at=at, invoice=self.invoice_of(at, invoice_number, quantities))

    def invoice_of(self, at: datetime, number: str, quantities: Mapping[str, Decimal]) -> Invoice:
        """The invoice of `quantities` as the order would issue it under `number` (lines
        priced with the document discounts, deposits deducted), checked, not recorded."""
        self._require("invoiced")
        quantities = self._quantities(quantities)
        for line_id, quantity in quantities.items():
            if quantity > self.invoiceable(line_id):
                raise OverInvoicing(
                    f"line {line_id}: {quantity} is more than the {self.invoiceable(line_id)} "
                    f"the {self.invoice_policy} policy still allows"
                )
        lines = {
            i: part_of_line(self.lines[i].priced(), q, self.currency) for i, q in quantities.items()
        }
        amounts = amounts_of(lines.values(), self.currency, self.discounts, self.discount_mode)
        deducted = max(ZERO, min(self.deposit_balance(), amounts.gross))
        return Invoice(number, InvoiceKind.INVOICE, at, lines, amounts, deducted)

    @event("Invoiced")
    def _invoice(self, at: datetime, invoice: Invoice) -> None:
        self.invoices[invoice.number] = invoice
        _add(self.invoiced, {i: line.quantity for i, line in invoice.lines.items()})
        self._refresh_status()

    def deposit_invoice(
        self,
        at: datetime,
        invoice_number: str,
        percent: Decimal | None = None,
        amount: Decimal | None = None,
    ) -> None:
        """A deposit of a percentage or an amount (incl. tax) of the order total."""
        self._require("invoiced")
        self._new_number(invoice_number)
        self._deposit(at=at, invoice=self.deposit_of(at, invoice_number, percent, amount))

    def deposit_of(
        self, at: datetime, number: str, percent: Decimal | None, amount: Decimal | None
    ) -> Invoice:
        """The deposit invoice of a percentage or an amount (incl. tax) of the order total,
        shared over its VAT rates, checked, not recorded."""
        self._require("invoiced")
        order = self.amounts()
        if (percent is None) == (amount is None):
            raise InvalidInput("a deposit needs either a percentage or an amount")
        if percent is not None:
            if _positive(percent, "a deposit percentage") > HUNDRED:
                raise InvalidAmount(f"a deposit cannot exceed 100 %, got {percent}")
            bounds.percent(percent, "percent")
            share = MONEY_CONTEXT.divide(MONEY_CONTEXT.multiply(order.gross, percent), HUNDRED)
            target = round_money(share, self.currency)
        else:
            assert amount is not None
            target = self._check_money(amount, "a deposit amount")
        deposits = sum(
            (
                i.amounts.gross - self.credited_amounts(n).gross
                for n, i in self.invoices.items()
                if i.kind == InvoiceKind.DEPOSIT
            ),
            ZERO,
        )
        if deposits + target > order.gross:
            raise OverInvoicing(
                f"deposits of {deposits + target} would exceed the order total {order.gross}"
            )
        amounts = share_of(order, target, self.currency)
        return Invoice(number, InvoiceKind.DEPOSIT, at, {}, amounts)

    @event("DepositInvoiced")
    def _deposit(self, at: datetime, invoice: Invoice) -> None:
        self.invoices[invoice.number] = invoice

    def credit_note(
        self,
        at: datetime,
        number: str,
        invoice_number: str,
        quantities: Mapping[str, Decimal] | None = None,
        amount: Decimal | None = None,
    ) -> None:
        """Credit part of an invoice, by quantities or by an amount incl. tax."""
        self._require("credited")
        self._new_number(number)
        if invoice_number not in self.invoices:
            raise UnknownInvoice(f"no invoice {invoice_number} on this order")
        self._not_a_document(invoice_number, "credited")
        if (quantities is None) == (amount is None):
            raise InvalidInput("a credit note needs either quantities or an amount")
        invoice = self.invoices[invoice_number]
        remaining = invoice.amounts.minus(self.credited_amounts(invoice_number))
        if quantities is not None:
            quantities = self._quantities(quantities)
            credited = self._credited_quantities(invoice_number)
            for line_id, quantity in quantities.items():
                left = invoice.lines[line_id].quantity if line_id in invoice.lines else ZERO
                left -= credited.get(line_id, ZERO)
                if quantity > left:
                    raise OverCrediting(
                        f"line {line_id}: cannot credit {quantity}, {left} left on {invoice_number}"
                    )
            lines = [
                part_of_line(invoice.lines[i], q, self.currency) for i, q in quantities.items()
            ]
            amounts = amounts_of(lines, self.currency, self.discounts, self.discount_mode)
            amounts = amounts.capped_by(remaining)
        else:
            assert amount is not None
            self._check_money(amount, "a credit amount")
            if amount > remaining.gross:
                raise OverCrediting(
                    f"cannot credit {amount}, {remaining.gross} left on {invoice_number}"
                )
            amounts = share_of(remaining, amount, self.currency)
        if invoice.kind == InvoiceKind.DEPOSIT and amounts.gross > self.deposit_balance():
            raise OverCrediting(
                f"only {self.deposit_balance()} of deposits is not yet deducted from invoices"
            )
        note = CreditNote(number, invoice_number, at, dict(quantities or {}), amounts)
        self._credit(at=at, credit_note=note)

    def _credited_quantities(self, invoice_number: str) -> dict[str, Decimal]:
        counts: dict[str, Decimal] = {}
        for note in self.credit_notes.values():
            if note.invoice_number == invoice_number:
                _add(counts, note.quantities)
        return counts

    @event("CreditNoteIssued")
    def _credit(self, at: datetime, credit_note: CreditNote) -> None:
        self.credit_notes[credit_note.number] = credit_note
        _add(self.credited, credit_note.quantities)
        self._refresh_status()

    # ---- O6: payments -------------------------------------------------------------

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

    def record_payment(
        self, at: datetime, invoice_number: str, amount: Decimal, method: str = "transfer"
    ) -> None:
        """Record a payment, never more than is still due on that invoice."""
        self._require("paid")
        if invoice_number not in self.invoices:
            raise UnknownInvoice(f"no invoice {invoice_number} on this order")
        self._not_a_document(invoice_number, "paid")
        self._check_money(amount, "a payment")
        _required(method, "a payment method")
        due = max(ZERO, self.due(invoice_number))
        if amount > due:
            raise OverPayment(f"{amount} is more than the {due} due on {invoice_number}")
        self._pay(at=at, invoice_number=invoice_number, amount=amount, method=method)

    @event(PaymentRecorded)
    def _pay(self, at: datetime, invoice_number: str, amount: Decimal, method: str) -> None:
        self.payments.append(Payment(invoice_number, at, amount, method))

    # ---- O5: invoices issued as documents of their own (`domain.order_documents`) ----

    # per invoice number; a class default for orders recorded before invoice documents
    document_refs: dict[str, DocumentRef] | None = None

    @property
    def documents(self) -> dict[str, DocumentRef]:
        """The invoice documents holding the order's invoice numbers, by number."""
        return self.document_refs or {}

    def record_invoice_document(
        self,
        at: datetime,
        number: str,
        document: DocumentRef,
        quantities: Mapping[str, Decimal] | None = None,
        percent: Decimal | None = None,
        amount: Decimal | None = None,
    ) -> Invoice:
        """Record the invoice of `quantities` (or the deposit of `percent` or `amount`)
        issued as the document `document` under `number`, by the same rules as `invoice`
        and `deposit_invoice`; return it as the order keeps it."""
        self._require("invoiced")
        self._new_number(number)
        if quantities is not None:
            invoice = self.invoice_of(at, number, quantities)
            unknown = set(document.lines.values()) - set(invoice.lines)
            if unknown or len(document.lines) != len(invoice.lines):
                raise InvalidInput("the document's lines must bill the invoiced order lines")
        else:
            invoice = self.deposit_of(at, number, percent, amount)
        self._record_document(at=at, invoice=invoice, document=document)
        return invoice

    @event("InvoiceDocumentRecorded")
    def _record_document(self, at: datetime, invoice: Invoice, document: DocumentRef) -> None:
        self.invoices[invoice.number] = invoice
        self.document_refs = {**self.documents, invoice.number: document}
        _add(self.invoiced, {i: line.quantity for i, line in invoice.lines.items()})
        self._refresh_status()

    def deposit_deductions(self, amount: Decimal) -> list[DepositDeduction]:
        """The deposit invoices an invoice deducting `amount` takes it from, oldest first."""
        deposits = [
            (n, i.amounts.gross - self.credited_amounts(n).gross)
            for n, i in self.invoices.items()
            if i.kind == InvoiceKind.DEPOSIT
        ]
        left = deposits_left(deposits, self.deposit_balance())
        return [
            DepositDeduction(n, part, self.documents[n].invoice_id if n in self.documents else None)
            for n, part in deposit_deductions(left, amount)
        ]

    def follow_credit_note(
        self,
        at: datetime,
        number: str,
        invoice_number: str,
        quantities: Mapping[str, Decimal],
        amounts: Amounts,
    ) -> None:
        """Record a credit note issued against one of the order's invoice documents:
        `quantities` per document line re-open the order lines they billed; a deposit is
        credited only for what invoices have not deducted of it."""
        self._require("credited")
        self._new_number(number)
        document = self.documents.get(invoice_number)
        if document is None:
            raise UnknownInvoice(f"no invoice document {invoice_number} on this order")
        invoice = self.invoices[invoice_number]
        credited = {document.lines[k]: q for k, q in quantities.items() if k in document.lines}
        amounts = by_rate(amounts)
        if invoice.kind == InvoiceKind.DEPOSIT and amounts.gross > self.deposit_balance():
            raise OverCrediting(
                f"only {self.deposit_balance()} of deposits is not yet deducted from invoices"
            )
        self._credit(at=at, credit_note=CreditNote(number, invoice_number, at, credited, amounts))

    def _not_a_document(self, invoice_number: str, verb: str) -> None:
        document = self.documents.get(invoice_number)
        if document is not None:
            raise InvoiceIsADocument(
                f"invoice {invoice_number} is a document of its own ({document.invoice_id}): "
                f"it is {verb} as one, through /invoices and /payments"
            )

    # ---- O8: affairs ----------------------------------------------------------------

    def assign_to_affair(self, at: datetime, affair_id: UUID, line_id: str | None = None) -> None:
        """Assign the whole order, or one of its lines, to an affair."""
        self._require("assigned to an affair")
        if line_id is not None and line_id not in self.lines:
            raise UnknownLine(f"no line {line_id!r} on this order")
        self._assign(at=at, affair_id=affair_id, line_id=line_id)

    @event("AssignedToAffair")
    def _assign(self, at: datetime, affair_id: UUID, line_id: str | None) -> None:
        if line_id is None:
            self.affair_id = affair_id
        else:
            self.line_affairs[line_id] = affair_id

    def affair_of(self, line_id: str) -> UUID | None:
        """The affair a line counts towards: its own, else the order's."""
        return self.line_affairs.get(line_id, self.affair_id)

    # ---- status -------------------------------------------------------------------

    def _refresh_status(self) -> None:
        if self.status not in OPEN:
            return
        lines = self.lines
        if all(self.net_invoiced(i) >= line.quantity for i, line in lines.items()):
            self.status = OrderStatus.INVOICED
        elif any(self.net_invoiced(i) > 0 for i in lines):
            self.status = OrderStatus.PARTIALLY_INVOICED
        elif all(self.net_delivered(i) >= line.quantity for i, line in lines.items()):
            self.status = OrderStatus.DELIVERED
        elif any(self.delivered.get(i, ZERO) > 0 for i in lines):
            self.status = OrderStatus.PARTIALLY_DELIVERED
        else:
            self.status = OrderStatus.CONFIRMED
