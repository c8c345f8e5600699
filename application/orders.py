"""Order commands (O1–O8) and quote conversion (Q9): one method per verb, no rule here.

Cross-aggregate reads happen here and reach the order's verbs as values: the
customer's credit limit and outstanding amount at confirmation (O2), the next
invoice or credit-note number of the year, claimed in the same transaction as the
event so numbers stay sequential with no gaps (O5).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.utils import get_topic

from adapters.eventstore.claims import SequenceClaim
from application.commands import CommandResult, CommandRunner, Outcome
from application.journal import CommandContext
from domain.affair import Affair
from domain.customer import Customer
from domain.invoicing import format_invoice_number
from domain.order import (
    CreditOverride,
    InvoicePolicy,
    LineChange,
    NonConformity,
    Order,
    OrderLine,
    OrderStatus,
    diff_lines,
)
from domain.quote import Quote, QuoteLine
from domain.values import ZERO, DiscountMode

OutstandingOf = Callable[[UUID], Decimal]

CREATED_TOPIC = get_topic(Order.Created)
PAGE = 500
# Each numbered document: its yearly sequence's name, its number's prefix, its result key.
INVOICES = ("invoice", "INV", "invoice_number")
CREDIT_NOTES = ("credit-note", "CN", "credit_note_number")
NOT_OWED = frozenset({OrderStatus.DRAFT, OrderStatus.CANCELLED})


def order_ids_of(runner: CommandRunner, customer_id: UUID) -> Iterator[UUID]:
    """The ids of a customer's orders, found in the log's `Order.Created` events."""
    app = runner.app
    start = 1
    while True:
        page = app.recorder.select_notifications(start, PAGE, topics=[CREATED_TOPIC])
        for notification in page:
            created: Any = app.mapper.to_domain_event(notification)
            if created.customer_id == customer_id:
                yield created.originator_id
        if len(page) < PAGE:
            return
        start = page[-1].id + 1


def outstanding_from_log(runner: CommandRunner) -> OutstandingOf:
    """What a customer owes: over its confirmed orders, total incl. tax less payments.

    It scans the log's order creations and loads each of the customer's orders; the
    orders read model (V8) will answer this with one query and replace it.
    """

    def outstanding_of(customer_id: UUID) -> Decimal:
        total = ZERO
        for order_id in order_ids_of(runner, customer_id):
            order = runner.load(Order, order_id)
            if order.status in NOT_OWED:
                continue
            paid = sum((p.amount for p in order.payments), ZERO)
            total += max(ZERO, order.totals().gross - paid)
        return total

    return outstanding_of


def order_line(line: QuoteLine) -> OrderLine:
    """The order line a converted quote line becomes."""
    return OrderLine(
        line_id=line.line_id,
        description=line.description,
        quantity=line.quantity,
        unit_price=line.unit_price,
        vat_rate=line.vat_rate,
        unit=line.unit,
        product_ref=line.product_ref,
        discount=line.discount,
        unit_cost=line.unit_cost,
    )


class OrderCommands:
    """Use cases of the Order aggregate, and the conversion of a quote into an order."""

    def __init__(self, runner: CommandRunner, outstanding_of: OutstandingOf | None = None) -> None:
        self.runner = runner
        self.outstanding_of = outstanding_of or outstanding_from_log(runner)

    # ---- reads -------------------------------------------------------------------

    def get(self, order_id: UUID, version: int | None = None) -> Order:
        """The order as it stands now, or as it stood at `version`."""
        order = self.runner.load(Order, order_id)
        if version is None or version == order.version:
            return order
        return self.runner.load_version(Order, order_id, version)

    def diff(
        self, order_id: UUID, from_version: int, to_version: int
    ) -> dict[str, tuple[OrderLine | None, OrderLine | None]]:
        """Lines that differ between two versions of the order: (before, after) by id."""
        before = self.get(order_id, from_version)
        after = self.get(order_id, to_version)
        return diff_lines(before.lines, after.lines)

    # ---- O1: create, convert, confirm, cancel, close --------------------------------

    def create(
        self,
        ctx: CommandContext,
        *,
        customer_id: UUID,
        currency: str,
        lines: Sequence[OrderLine],
        affair_id: UUID | None = None,
        invoice_policy: InvoicePolicy | str = InvoicePolicy.ORDERED,
        discounts: Sequence[Decimal] = (),
        discount_mode: DiscountMode | str = DiscountMode.CASCADING,
    ) -> CommandResult:
        """A draft order entered directly, for a known customer."""
        fields: dict[str, Any] = {
            "customer_id": customer_id,
            "currency": currency,
            "lines": list(lines),
            "affair_id": affair_id,
            "invoice_policy": str(invoice_policy),
            "discounts": list(discounts),
            "discount_mode": str(discount_mode),
        }

        def build() -> Outcome:
            self.runner.load(Customer, customer_id)
            if affair_id is not None:
                self.runner.load(Affair, affair_id)
            return Outcome([Order.create(at=ctx.at, **fields)])

        return self.runner.run(ctx, "order.create", fields, build)

    def convert_quote(
        self,
        ctx: CommandContext,
        quote_id: UUID,
        line_ids: list[str] | None = None,
        customer_id: UUID | None = None,
    ) -> CommandResult:
        """Convert an accepted quote into a draft order; both are saved in one transaction.

        The quote decides which lines go and whose order it is; a first copy of the
        quote is converted to learn them, so the order exists (with its id) before the
        quote records the conversion under that id.
        """

        def build() -> Outcome:
            probe = self.runner.load(Quote, quote_id, ctx)
            chosen = probe.convert(
                at=ctx.at, order_id=uuid4(), line_ids=line_ids, customer_id=customer_id
            )
            assert probe.customer_id is not None
            self.runner.load(Customer, probe.customer_id)
            order = Order.create(
                at=ctx.at,
                customer_id=probe.customer_id,
                currency=probe.currency,
                lines=[order_line(line) for line in chosen],
                quote_id=probe.id,
                affair_id=probe.affair_id,
                discounts=probe.discounts,
                discount_mode=probe.discount_mode,
            )
            quote = self.runner.load(Quote, quote_id, ctx)
            quote.convert(at=ctx.at, order_id=order.id, line_ids=line_ids, customer_id=customer_id)
            return Outcome([order, quote], {"order_id": str(order.id), "quote_id": str(quote_id)})

        payload = {"quote_id": quote_id, "line_ids": line_ids, "customer_id": customer_id}
        return self.runner.run(ctx, "order.convert_quote", payload, build)

    def confirm(
        self, ctx: CommandContext, order_id: UUID, *, override_reason: str | None = None
    ) -> CommandResult:
        """Confirm after the credit check (O2); a manager's override reason lets it pass.

        Who may override is checked by the caller (the HTTP layer admits managers only).
        """

        def build() -> Outcome:
            order = self.runner.load(Order, order_id, ctx)
            customer = self.runner.load(Customer, order.customer_id)
            override = (
                None
                if override_reason is None
                else CreditOverride(manager=ctx.actor, reason=override_reason)
            )
            order.confirm(
                at=ctx.at,
                outstanding=self.outstanding_of(order.customer_id),
                credit_limit=customer.credit_limit,
                override=override,
            )
            return Outcome([order])

        payload = {"order_id": order_id, "override_reason": override_reason}
        return self.runner.run(ctx, "order.confirm", payload, build)

    def cancel(self, ctx: CommandContext, order_id: UUID) -> CommandResult:
        """Cancel the order; the command's reason is the cancel reason."""
        return self._verb(
            ctx, order_id, "cancel", {}, lambda o: o.cancel(at=ctx.at, reason=ctx.reason or "")
        )

    def close(self, ctx: CommandContext, order_id: UUID) -> CommandResult:
        return self._verb(ctx, order_id, "close", {}, lambda o: o.close(at=ctx.at))

    # ---- O3, O7: deliveries and returns -----------------------------------------

    def record_delivery(
        self,
        ctx: CommandContext,
        order_id: UUID,
        quantities: Mapping[str, Decimal],
        delivery_id: str | None = None,
    ) -> CommandResult:
        def verb(order: Order) -> dict[str, str]:
            order.record_delivery(at=ctx.at, quantities=quantities, delivery_id=delivery_id)
            return {"delivery_id": order.deliveries[-1].delivery_id}

        fields = {"quantities": dict(quantities), "delivery_id": delivery_id}
        return self._verb(ctx, order_id, "record_delivery", fields, verb)

    def record_return(
        self,
        ctx: CommandContext,
        order_id: UUID,
        quantities: Mapping[str, Decimal],
        non_conformity: NonConformity,
        return_id: str | None = None,
    ) -> CommandResult:
        def verb(order: Order) -> dict[str, str]:
            order.record_return(
                at=ctx.at,
                quantities=quantities,
                non_conformity=non_conformity,
                return_id=return_id,
            )
            return {"return_id": order.returns[-1].return_id}

        fields = {
            "quantities": dict(quantities),
            "non_conformity": non_conformity,
            "return_id": return_id,
        }
        return self._verb(ctx, order_id, "record_return", fields, verb)

    # ---- O4: amendments ------------------------------------------------------------

    def amend(
        self, ctx: CommandContext, order_id: UUID, changes: Sequence[LineChange]
    ) -> CommandResult:
        """A numbered amendment; the command's reason is the amendment's reason."""

        def verb(order: Order) -> dict[str, str]:
            order.amend(at=ctx.at, reason=ctx.reason or "", changes=list(changes))
            return {"amendment": str(order.amendments[-1].number)}

        return self._verb(ctx, order_id, "amend", {"changes": list(changes)}, verb)

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

    # ---- O8: affairs ----------------------------------------------------------------

    def assign_to_affair(
        self, ctx: CommandContext, order_id: UUID, affair_id: UUID, line_id: str | None = None
    ) -> CommandResult:
        def verb(order: Order) -> None:
            self.runner.load(Affair, affair_id)
            order.assign_to_affair(at=ctx.at, affair_id=affair_id, line_id=line_id)

        fields = {"affair_id": affair_id, "line_id": line_id}
        return self._verb(ctx, order_id, "assign_to_affair", fields, verb)

    # ---- the common paths -----------------------------------------------------------

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
        recorder: Any = self.runner.app.recorder

        def build() -> Outcome:
            order = self.runner.load(Order, order_id, ctx)
            value = int(recorder.sequence_value(sequence)) + 1
            number = format_invoice_number(year, value, prefix)
            verb(order, number)
            return Outcome([order], {key: number}, [SequenceClaim(sequence, value)])

        payload = {"order_id": order_id, **fields}
        return self.runner.run(ctx, f"order.{name}", payload, build)
