"""An order's revenue on its affairs (A5): ordered revenue follows the order once it is
confirmed, as amended, cancelled or reassigned; invoiced revenue follows its invoices
and the credit notes against them.

Each order command computes, per affair, what the order counts towards it before and
after its verb and records the difference on the affair (`Affair.record_revenue`, which
checks the date against the affair's period under its policy), in the command's own
transaction: the affair is just another aggregate of the `Outcome`, so a retried
command (same idempotency key) is answered from the journal and never counts twice.
Amounts are net of VAT, with the order's document discounts; an affair in another
currency than the order's is left out (its revenue is kept in its own currency).
Deposit invoices are not revenue: the final invoice is, in full.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from uuid import UUID

from application.commands import CommandRunner
from application.journal import CommandContext
from domain.affair import Affair
from domain.invoicing import Invoice, InvoiceKind, amounts_of
from domain.order import Order, OrderStatus
from domain.values import ZERO, PricedLine, round_money

NOT_ORDERED = frozenset({OrderStatus.DRAFT, OrderStatus.CANCELLED})


def _net_by_affair(order: Order, lines: Mapping[str, PricedLine]) -> dict[UUID, Decimal]:
    groups: dict[UUID, list[PricedLine]] = {}
    for line_id, line in lines.items():
        affair_id = order.affair_of(line_id)
        if affair_id is not None:
            groups.setdefault(affair_id, []).append(line)
    currency, discounts, mode = order.currency, order.discounts, order.discount_mode
    return {a: amounts_of(group, currency, discounts, mode).net for a, group in groups.items()}


def ordered_by_affair(order: Order) -> dict[UUID, Decimal]:
    """Per affair, the net of the order's lines assigned to it, once confirmed."""
    if order.status in NOT_ORDERED:
        return {}
    return _net_by_affair(order, {i: line.priced() for i, line in order.lines.items()})


def invoiced_by_affair(order: Order, invoice: Invoice) -> dict[UUID, Decimal]:
    """Per affair, the net an invoice of the order bills for its lines (none for a deposit)."""
    if invoice.kind != InvoiceKind.INVOICE:
        return {}
    return _net_by_affair(order, invoice.lines)


def credited_by_affair(
    order: Order, invoice: Invoice, credited_net: Decimal
) -> dict[UUID, Decimal]:
    """Per affair, minus its share of `credited_net` taken off `invoice` (pro rata of
    what the invoice billed for it)."""
    billed = invoiced_by_affair(order, invoice)
    net = invoice.amounts.net
    if net <= 0:
        return {}
    return {
        a: -round_money(part * credited_net / net, order.currency) for a, part in billed.items()
    }


def difference(
    before: Mapping[UUID, Decimal], after: Mapping[UUID, Decimal]
) -> dict[UUID, Decimal]:
    """Per affair, what changed from `before` to `after`."""
    keys = list(dict.fromkeys([*before, *after]))
    return {k: after.get(k, ZERO) - before.get(k, ZERO) for k in keys}


class AffairRevenue:
    """Records revenue changes on the affairs they concern."""

    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner

    def record(
        self,
        ctx: CommandContext,
        order: Order,
        kind: str,
        changes: Mapping[UUID, Decimal],
        document_ref: str,
        day: date,
    ) -> list[Affair]:
        """The affairs whose `kind` revenue changed, each with its change recorded."""
        changed: list[Affair] = []
        for affair_id, amount in changes.items():
            if amount == 0:
                continue
            affair = self.runner.load(Affair, affair_id)
            if affair.currency != order.currency:
                continue
            affair.record_revenue(
                at=ctx.at, kind=kind, amount=amount, document_ref=document_ref, document_date=day
            )
            changed.append(affair)
        return changed
