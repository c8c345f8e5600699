"""Order commands (O1–O8) and quote conversion (Q9): one method per verb, no rule here.

Cross-aggregate reads happen here and reach the order's verbs as values: the
customer's credit limit and outstanding amount at confirmation (O2; one confirmation
per customer at a time, by a claim on the customer's own sequence), the next
invoice or credit-note number of the year (`application.order_billing`), claimed in
the same transaction as the event so numbers stay sequential with no gaps (O5).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.utils import get_topic

from application.commands import CommandResult, CommandRunner, Outcome
from application.journal import CommandContext
from application.order_billing import OrderBillingCommands
from application.order_catalogue import (
    ChangeRequest,
    LineRequest,
    OrderCatalogue,
    ProductLineRequest,
    order_line,
)
from application.outstanding import Outstanding
from domain.affair import Affair
from domain.customer import Customer
from domain.order import (
    CreditOverride,
    InvoicePolicy,
    NonConformity,
    Order,
    OrderLine,
    diff_lines,
)
from domain.quote import Quote
from domain.values import DiscountMode

OutstandingOf = Callable[[UUID, str], Decimal]
"""What a customer owes in a currency (`application.outstanding.Outstanding`)."""

CREATED_TOPIC = get_topic(Order.Created)
PAGE = 500


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


class OrderCommands(OrderBillingCommands):
    """Use cases of the Order aggregate, and the conversion of a quote into an order; its
    invoices and payments are in `OrderBillingCommands`."""

    def __init__(self, runner: CommandRunner, outstanding_of: OutstandingOf | None = None) -> None:
        super().__init__(runner)
        self.outstanding_of = outstanding_of or Outstanding(runner)

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
        lines: Sequence[LineRequest],
        affair_id: UUID | None = None,
        invoice_policy: InvoicePolicy | str = InvoicePolicy.ORDERED,
        discounts: Sequence[Decimal] = (),
        discount_mode: DiscountMode | str = DiscountMode.CASCADING,
    ) -> CommandResult:
        """A draft order entered directly, for a known customer; lines asked for by
        product are filled from the catalogue on the order's day (P4)."""
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
            made: Sequence[LineRequest] = lines
            if any(isinstance(line, ProductLineRequest) for line in lines):
                catalogue = OrderCatalogue(self.runner)
                priced = catalogue.context(ctx.at.date(), currency, customer_id)
                made = catalogue.lines(priced, lines)
            return Outcome([Order.create(at=ctx.at, **{**fields, "lines": made})])

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
            # The customer's confirmations are serialised by a claim on a sequence of its
            # own, read before the outstanding amount: of two orders checked at the same
            # instant, the second loses the claim and is checked again with the first in.
            claim = self.runner.next_claim(f"credit-{order.customer_id}")
            override = (
                None
                if override_reason is None
                else CreditOverride(manager=ctx.actor, reason=override_reason)
            )
            order.confirm(
                at=ctx.at,
                outstanding=self.outstanding_of(order.customer_id, order.currency),
                credit_limit=customer.credit_limit,
                override=override,
            )
            affairs = self.ordered_revenue(ctx, order, {})
            return Outcome([order, *affairs], {}, [claim])

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
        delivered_on: date | None = None,
    ) -> CommandResult:
        """Record a delivery made on `delivered_on` (the command's day when absent)."""

        def verb(order: Order) -> dict[str, str]:
            order.record_delivery(
                at=ctx.at, quantities=quantities, delivery_id=delivery_id, delivered_on=delivered_on
            )
            return {"delivery_id": order.deliveries[-1].delivery_id}

        fields = {
            "quantities": dict(quantities),
            "delivery_id": delivery_id,
            "delivered_on": delivered_on,
        }
        return self._verb(ctx, order_id, "record_delivery", fields, verb)

    def record_return(
        self,
        ctx: CommandContext,
        order_id: UUID,
        quantities: Mapping[str, Decimal],
        non_conformity: NonConformity,
        return_id: str | None = None,
        returned_on: date | None = None,
    ) -> CommandResult:
        """Record goods returned on `returned_on` (the command's day when absent)."""

        def verb(order: Order) -> dict[str, str]:
            order.record_return(
                at=ctx.at,
                quantities=quantities,
                non_conformity=non_conformity,
                return_id=return_id,
                returned_on=returned_on,
            )
            return {"return_id": order.returns[-1].return_id}

        fields = {
            "quantities": dict(quantities),
            "non_conformity": non_conformity,
            "return_id": return_id,
            "returned_on": returned_on,
        }
        return self._verb(ctx, order_id, "record_return", fields, verb)

    # ---- O4: amendments ------------------------------------------------------------

    def amend(
        self, ctx: CommandContext, order_id: UUID, changes: Sequence[ChangeRequest]
    ) -> CommandResult:
        """A numbered amendment; the command's reason is the amendment's reason. Products
        become catalogue lines, and a catalogue line's new quantity is repriced when a
        quantity break applies (`application.order_catalogue`)."""

        def verb(order: Order) -> dict[str, int]:
            made = OrderCatalogue(self.runner).changes(order, changes)
            order.amend(at=ctx.at, reason=ctx.reason or "", changes=made)
            return {"amendment": order.amendments[-1].number}

        return self._verb(ctx, order_id, "amend", {"changes": list(changes)}, verb)

    # ---- O8: affairs ----------------------------------------------------------------

    def assign_to_affair(
        self, ctx: CommandContext, order_id: UUID, affair_id: UUID, line_id: str | None = None
    ) -> CommandResult:
        """Assign the order or a line to an affair; a confirmed order's net moves to the
        affair's ordered revenue (checked against its period) in the same command."""

        def verb(order: Order) -> None:
            # the affair's salesperson (or a manager) decides what it follows
            self.runner.load(Affair, affair_id, replace(ctx, expected_version=None))
            order.assign_to_affair(at=ctx.at, affair_id=affair_id, line_id=line_id)

        fields = {"affair_id": affair_id, "line_id": line_id}
        return self._verb(ctx, order_id, "assign_to_affair", fields, verb)
