"""What an order has delivered, invoiced, credited and been paid (O3–O7), read from its
state, and the checks its verbs share.

A mixin of `domain.order.Order`: the aggregate's module keeps its events and the values
they store; its attributes, declared here, are the ones its events set (snapshots hold
them by these names).

Quantities per line: *net delivered* = delivered − returned, *backorder* = ordered (as
amended) − net delivered, *net invoiced* = invoiced − credited by quantity. On each
invoice, credit notes and payments make what is still due (`to_pay`, `due`); deposits
not yet set against an invoice make the `deposit_balance`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from domain import bounds
from domain.errors import (
    DuplicateInvoiceNumber,
    InvalidAmount,
    InvalidInput,
    InvalidTransition,
    InvoiceIsADocument,
    UnknownLine,
)
from domain.invoicing import (
    Amounts,
    CreditNote,
    Invoice,
    InvoiceKind,
    Payment,
    PaymentStatus,
    amounts_of,
    payment_status,
)
from domain.order_checks import positive, required
from domain.order_status import ALLOWED, OPEN, InvoicePolicy, OrderStatus
from domain.values import ZERO, DiscountMode, Totals, compute_totals, round_money

if TYPE_CHECKING:
    from domain.order import Amendment, CreditOverride, Delivery, OrderLine, Return
    from domain.order_documents import DocumentRef


def add_to(counts: dict[str, Decimal], quantities: Mapping[str, Decimal]) -> None:
    """Add quantities per line to running counts per line."""
    for line_id, quantity in quantities.items():
        counts[line_id] = counts.get(line_id, ZERO) + quantity


class OrderAccounts:
    """An order's state: its lines and what was delivered, invoiced, credited and paid."""

    created_at: datetime
    customer_id: UUID
    currency: str
    quote_id: UUID | None
    affair_id: UUID | None
    invoice_policy: InvoicePolicy
    discounts: list[Decimal]
    discount_mode: DiscountMode
    original_lines: dict[str, OrderLine]
    lines: dict[str, OrderLine]
    line_affairs: dict[str, UUID]
    status: OrderStatus
    confirmed_at: datetime | None
    credit_override: CreditOverride | None
    cancel_reason: str | None
    amendments: list[Amendment]
    deliveries: list[Delivery]
    returns: list[Return]
    delivered: dict[str, Decimal]
    returned: dict[str, Decimal]
    invoiced: dict[str, Decimal]
    credited: dict[str, Decimal]
    invoices: dict[str, Invoice]
    credit_notes: dict[str, CreditNote]
    payments: list[Payment]
    document_refs: dict[str, DocumentRef] | None

    # ---- lines ---------------------------------------------------------------------

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

    # ---- invoices: credit notes, payments, deposits -----------------------------------

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

    @property
    def documents(self) -> dict[str, DocumentRef]:
        """The invoice documents holding the order's invoice numbers, by number."""
        return self.document_refs or {}

    # ---- checks ----------------------------------------------------------------------

    def _require(self, verb: str) -> None:
        if self.status not in ALLOWED[verb]:
            raise InvalidTransition("order", self.status, verb)

    def _quantities(self, quantities: Mapping[str, Decimal]) -> dict[str, Decimal]:
        if not quantities:
            raise InvalidInput("at least one line quantity is required")
        for line_id, quantity in quantities.items():
            if line_id not in self.lines:
                raise UnknownLine(f"no line {line_id!r} on this order")
            positive(quantity, "a quantity")
            bounds.quantity(quantity, f"quantities[{line_id}]")
        return dict(quantities)

    def _new_number(self, number: str) -> str:
        required(number, "an invoice number")
        if number in self.invoices or number in self.credit_notes:
            raise DuplicateInvoiceNumber(f"invoice number {number} is already used")
        return number

    def _check_money(self, amount: Decimal, what: str) -> Decimal:
        positive(amount, what)
        bounds.amount(amount, "amount")
        if round_money(amount, self.currency) != amount:
            raise InvalidAmount(f"{what} has more decimals than {self.currency} allows")
        return amount

    def _not_a_document(self, invoice_number: str, verb: str) -> None:
        document = self.documents.get(invoice_number)
        if document is not None:
            raise InvoiceIsADocument(
                f"invoice {invoice_number} is a document of its own ({document.invoice_id}): "
                f"it is {verb} as one, through /invoices and /payments"
            )

    # ---- status -----------------------------------------------------------------------

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
