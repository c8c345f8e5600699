"""Payment commands (issue 14): record money received from a customer, allocated across
its issued invoices, in one transaction with each allocation recorded on its invoice.

Without explicit allocations the customer's invoice index (`domain.invoice_index`) gives
the invoices to settle, oldest due first. No rule lives here: `Payment.record` allocates
and refuses, each `Invoice.record_payment` refuses above what it has due.

A payment by voucher (S6) redeems its voucher for the payment's amount in the same
command: `Voucher.redeem` refuses beyond its balance or validity, or for another
customer unless it is to bearer, and then nothing is recorded, payment or allocations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.commands import CommandResult, CommandRunner, Outcome
from application.journal import CommandContext, ResultValue
from application.numbers import money_text
from domain.customer import Customer
from domain.errors import NotFound
from domain.invoice import DocumentKind, Invoice, InvoiceStatus
from domain.invoice_index import CustomerInvoices, index_id
from domain.payment import Payment, PaymentMeans, Receivable
from domain.voucher import Voucher


@dataclass(frozen=True)
class RecordPayment:
    """A payment received on `value_date`; `allocations` per invoice id, or None for the
    oldest due first; `currency` the customer's when None; `voucher_id` the voucher a
    payment by voucher spends."""

    customer_id: UUID
    value_date: date
    amount: Decimal
    means: PaymentMeans
    reference: str | None = None
    currency: str | None = None
    allocations: dict[UUID, Decimal] | None = None
    voucher_id: UUID | None = None


def receivable_of(invoice: Invoice) -> Receivable | None:
    """What is due on an issued invoice; None for a draft or a credit note."""
    if invoice.kind != DocumentKind.INVOICE or invoice.status != InvoiceStatus.ISSUED:
        return None
    assert invoice.number is not None
    assert invoice.issue_date is not None
    assert invoice.due_date is not None
    return Receivable(
        invoice.id,
        invoice.number,
        invoice.customer_id,
        invoice.currency,
        invoice.issue_date,
        invoice.due_date,
        invoice.amount_due,
    )


class PaymentCommands:
    """Use cases of the Payment aggregate."""

    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner

    def get(self, payment_id: UUID, version: int | None = None) -> Payment:
        """The payment as it stands now, or as it stood at `version`."""
        payment = self.runner.load(Payment, payment_id)
        if version is None or version == payment.version:
            return payment
        return self.runner.load_version(Payment, payment_id, version)

    def open_invoices(self, customer_id: UUID) -> list[Invoice]:
        """The customer's invoices, as listed when drafted."""
        try:
            index = self.runner.load(CustomerInvoices, index_id(customer_id))
        except NotFound:
            return []
        return [self.runner.load(Invoice, i) for i in index.invoice_ids]

    def record(self, ctx: CommandContext, command: RecordPayment) -> CommandResult:
        """Record a payment and its part on each invoice it settles; the result names
        the invoices' numbers and the amounts allocated."""

        def build() -> Outcome:
            customer = self.runner.load(Customer, command.customer_id)
            if command.allocations is None:
                invoices = self.open_invoices(command.customer_id)
            else:
                invoices = [self.runner.load(Invoice, i) for i in command.allocations]
            by_id = {invoice.id: invoice for invoice in invoices}
            receivables = [r for r in map(receivable_of, invoices) if r is not None]
            payment = Payment.record(
                at=ctx.at,
                customer_id=command.customer_id,
                currency=command.currency or customer.currency,
                value_date=command.value_date,
                amount=command.amount,
                means=command.means,
                reference=command.reference,
                receivables=receivables,
                asked=command.allocations,
                voucher_id=command.voucher_id,
            )
            spent = self._redeem(ctx, payment)
            settled: list[Aggregate] = []
            for allocation in payment.allocations:
                invoice = by_id[allocation.invoice_id]
                invoice.record_payment(
                    at=ctx.at,
                    payment_id=payment.id,
                    amount=allocation.amount,
                    value_date=command.value_date,
                )
                settled.append(invoice)
            result: dict[str, ResultValue] = {
                "allocations": {
                    a.number: money_text(a.amount, payment.currency) for a in payment.allocations
                }
            }
            if spent is not None:
                result["voucher_balance"] = money_text(spent.balance, spent.currency)
                settled.append(spent)
            return Outcome([payment, *settled], result)

        return self.runner.run(ctx, "payment.record", _payload(command), build)

    def _redeem(self, ctx: CommandContext, payment: Payment) -> Voucher | None:
        """The voucher a payment by voucher spends, redeemed for the payment's amount."""
        if payment.voucher_id is None:
            return None
        voucher = self.runner.load(Voucher, payment.voucher_id)
        voucher.redeem(
            at=ctx.at,
            amount=payment.amount,
            on_day=payment.value_date,
            payment_id=payment.id,
            customer_id=payment.customer_id,
            currency=payment.currency,
        )
        return voucher


def _payload(command: RecordPayment) -> dict[str, object]:
    allocations = command.allocations
    payload: dict[str, object] = {
        "customer_id": command.customer_id,
        "value_date": command.value_date,
        "amount": command.amount,
        "means": command.means,
        "reference": command.reference,
        "currency": command.currency,
        "allocations": None if allocations is None else {str(k): v for k, v in allocations.items()},
    }
    if command.voucher_id is not None:  # so a retry recorded before vouchers still matches
        payload["voucher_id"] = command.voucher_id
    return payload
