"""An order's invoices kept inside it (O5, O6): invoices of line quantities up to what the
invoicing policy allows, deposits deducted; deposit invoices; credit notes by quantities
or by an amount; payments, never more than is due.

A mixin of `domain.order.Order`. The events stay declared on the aggregate (`_invoice`,
`_deposit`, `_credit`, `_pay`): their topics name it, as stored events do. Invoices
issued as documents of their own are `domain.order_documents`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from domain import bounds
from domain.errors import (
    InvalidAmount,
    InvalidInput,
    OverCrediting,
    OverInvoicing,
    OverPayment,
    UnknownInvoice,
)
from domain.invoicing import CreditNote, Invoice, InvoiceKind, amounts_of, part_of_line, share_of
from domain.order_accounts import OrderAccounts, add_to
from domain.order_checks import positive, required
from domain.values import HUNDRED, MONEY_CONTEXT, ZERO, round_money


class OrderInvoicing(OrderAccounts):
    """Invoices, deposit invoices, credit notes and payments recorded on the order."""

    # ---- O5: invoices and deposits ---------------------------------------------------

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
            if positive(percent, "a deposit percentage") > HUNDRED:
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

    # ---- O5: credit notes ------------------------------------------------------------

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
                add_to(counts, note.quantities)
        return counts

    # ---- O6: payments ----------------------------------------------------------------

    def record_payment(
        self, at: datetime, invoice_number: str, amount: Decimal, method: str = "transfer"
    ) -> None:
        """Record a payment, never more than is still due on that invoice."""
        self._require("paid")
        if invoice_number not in self.invoices:
            raise UnknownInvoice(f"no invoice {invoice_number} on this order")
        self._not_a_document(invoice_number, "paid")
        self._check_money(amount, "a payment")
        required(method, "a payment method")
        due = max(ZERO, self.due(invoice_number))
        if amount > due:
            raise OverPayment(f"{amount} is more than the {due} due on {invoice_number}")
        self._pay(at=at, invoice_number=invoice_number, amount=amount, method=method)

    # ---- the aggregate's events ------------------------------------------------------

    def _invoice(self, at: datetime, invoice: Invoice) -> None:
        raise NotImplementedError  # Order.Invoiced

    def _deposit(self, at: datetime, invoice: Invoice) -> None:
        raise NotImplementedError  # Order.DepositInvoiced

    def _credit(self, at: datetime, credit_note: CreditNote) -> None:
        raise NotImplementedError  # Order.CreditNoteIssued

    def _pay(self, at: datetime, invoice_number: str, amount: Decimal, method: str) -> None:
        raise NotImplementedError  # Order.PaymentRecorded
