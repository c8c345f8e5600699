"""Order billing (O5, O6): invoices, deposit invoices, credit notes and payments, and the
common path of every order verb: load, call one verb, save. No business rule here.

An invoice or credit note takes the next number of its yearly sequence, claimed in the
same transaction as the event, so numbers stay sequential with no gaps.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.commands import CommandResult, CommandRunner, Outcome
from application.journal import CommandContext
from domain.invoicing import format_invoice_number
from domain.order import Order

# Each numbered document: its yearly sequence's name, its number's prefix, its result key.
INVOICES = ("invoice", "INV", "invoice_number")
CREDIT_NOTES = ("credit-note", "CN", "credit_note_number")


class OrderVerbs:
    """The common paths: load the order, call one verb (numbered or not), record it."""

    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner

    def _verb(
        self,
        ctx: CommandContext,
        order_id: UUID,
        name: str,
        fields: dict[str, Any],
        verb: Callable[[Order], dict[str, str] | None],
    ) -> CommandResult:
        def build() -> Outcome:
            order = self.runner.load(Order, order_id, ctx)
            return Outcome([order], verb(order) or {})

        payload = {"order_id": order_id, **fields}
        return self.runner.run(ctx, f"order.{name}", payload, build)

    def _numbered(
        self,
        ctx: CommandContext,
        order_id: UUID,
        name: str,
        fields: dict[str, Any],
        numbering: tuple[str, str, str],
        verb: Callable[[Order, str], None],
    ) -> CommandResult:
        """Run a verb that issues a document under the next number of its yearly sequence.

        The number is read and claimed inside `build`, which the runner calls again
        when another command claimed that number first.
        """
        kind, prefix, key = numbering
        year = ctx.at.year
        sequence = f"{kind}-{year}"

        def build() -> Outcome:
            order = self.runner.load(Order, order_id, ctx)
            claim = self.runner.next_claim(sequence)
            number = format_invoice_number(year, claim.value, prefix)
            verb(order, number)
            return Outcome([order], {key: number}, [claim])

        payload = {"order_id": order_id, **fields}
        return self.runner.run(ctx, f"order.{name}", payload, build)


class OrderBillingCommands(OrderVerbs):
    """Use cases of an order's invoices, credit notes and payments."""

    # ---- O5, O6: invoices, deposits, credit notes, payments ----------------------

    def invoice(
        self, ctx: CommandContext, order_id: UUID, quantities: Mapping[str, Decimal]
    ) -> CommandResult:
        """Invoice quantities per line under the next invoice number of the year."""

        def verb(order: Order, number: str) -> None:
            order.invoice(at=ctx.at, invoice_number=number, quantities=quantities)

        fields = {"quantities": dict(quantities)}
        return self._numbered(ctx, order_id, "invoice", fields, INVOICES, verb)

    def deposit_invoice(
        self,
        ctx: CommandContext,
        order_id: UUID,
        *,
        percent: Decimal | None = None,
        amount: Decimal | None = None,
    ) -> CommandResult:
        """A deposit invoice; deposits share the invoices' sequence of numbers."""

        def verb(order: Order, number: str) -> None:
            order.deposit_invoice(at=ctx.at, invoice_number=number, percent=percent, amount=amount)

        fields = {"percent": percent, "amount": amount}
        return self._numbered(ctx, order_id, "deposit_invoice", fields, INVOICES, verb)

    def credit_note(
        self,
        ctx: CommandContext,
        order_id: UUID,
        invoice_number: str,
        *,
        quantities: Mapping[str, Decimal] | None = None,
        amount: Decimal | None = None,
    ) -> CommandResult:
        """A credit note against an invoice, numbered in the credit notes' own sequence."""

        def verb(order: Order, number: str) -> None:
            order.credit_note(
                at=ctx.at,
                number=number,
                invoice_number=invoice_number,
                quantities=quantities,
                amount=amount,
            )

        fields = {
            "invoice_number": invoice_number,
            "quantities": None if quantities is None else dict(quantities),
            "amount": amount,
        }
        return self._numbered(ctx, order_id, "credit_note", fields, CREDIT_NOTES, verb)

    def record_payment(
        self,
        ctx: CommandContext,
        order_id: UUID,
        invoice_number: str,
        amount: Decimal,
        method: str = "transfer",
    ) -> CommandResult:
        fields = {"invoice_number": invoice_number, "amount": amount, "method": method}
        return self._verb(
            ctx,
            order_id,
            "record_payment",
            fields,
            lambda o: o.record_payment(
                at=ctx.at, invoice_number=invoice_number, amount=amount, method=method
            ),
        )
