"""An order's life outside invoicing (O1–O4, O7, O8): confirmation after the credit check,
cancellation, closing, the rules of deliveries and returns, the floor an amendment may
not go below, and the affairs its lines count towards.

A mixin of `domain.order.Order`. The events stay declared on the aggregate: their
topics name it, as stored events do. The verbs that record deliveries, returns and
amendments stay there too, beside the values they store (`Delivery`, `Return`, the
line changes), and call the checks below.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from domain.errors import (
    CreditLimitExceeded,
    DuplicateDocument,
    OrderHasOpenInvoices,
    OrderIncomplete,
    OverDelivery,
    OverReturn,
    QuantityBelowFulfilled,
    ReasonRequired,
    UnknownLine,
)
from domain.order_accounts import OrderAccounts
from domain.values import ZERO, check_finite

if TYPE_CHECKING:
    from domain.order import CreditOverride


class OrderLifecycle(OrderAccounts):
    """Confirm, cancel, close; deliver and return within what was ordered; affairs."""

    # ---- O1, O2: confirm, cancel, close -------------------------------------------

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

    def cancel(self, at: datetime, reason: str) -> None:
        """Cancel with a reason, while nothing is delivered and no invoice is left open."""
        if not reason or not reason.strip():
            raise ReasonRequired("cancelling an order needs a reason")
        self._require("cancelled")
        for number, invoice in self.invoices.items():
            if invoice.amounts.gross - self.credited_amounts(number).gross > 0:
                raise OrderHasOpenInvoices(f"invoice {number} must be credited first")
        self._cancel(at=at, reason=reason)

    def close(self, at: datetime) -> None:
        """Close a fully invoiced order once nothing is on backorder."""
        self._require("closed")
        waiting = {i: q for i, q in self.backorder().items() if q > 0}
        if waiting:
            raise OrderIncomplete(f"lines still on backorder: {sorted(waiting)}")
        self._close(at=at)

    # ---- O3, O4, O7: what deliveries, returns and amendments may do -----------------

    def _new_delivery_id(self, quantities: dict[str, Decimal], delivery_id: str | None) -> str:
        """The id of a new delivery of checked `quantities`: never more than ordered (as
        amended), numbered D1, D2 … unless given, and not already recorded."""
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
        return delivery_id

    def _new_return_id(self, quantities: dict[str, Decimal], return_id: str | None) -> str:
        """The id of a new return of checked `quantities`: never more than delivered and
        not returned, numbered R1, R2 … unless given, and not already recorded."""
        for line_id, quantity in quantities.items():
            if quantity > self.net_delivered(line_id):
                raise OverReturn(
                    f"line {line_id}: cannot return {quantity}, "
                    f"{self.net_delivered(line_id)} delivered and not returned"
                )
        return_id = return_id or f"R{len(self.returns) + 1}"
        if any(r.return_id == return_id for r in self.returns):
            raise DuplicateDocument(f"return {return_id} is already recorded")
        return return_id

    def _check_floor(self, line_id: str, quantity: Decimal) -> None:
        """An amended quantity (0: the line removed) never below what is done on it."""
        done = max(
            self.delivered.get(line_id, ZERO) if quantity == 0 else self.net_delivered(line_id),
            self.invoiced.get(line_id, ZERO) if quantity == 0 else self.net_invoiced(line_id),
        )
        if quantity < done or (quantity == 0 and done > 0):
            raise QuantityBelowFulfilled(
                f"line {line_id}: {quantity} is below the {done} already delivered or invoiced"
            )

    # ---- O8: affairs ----------------------------------------------------------------

    def assign_to_affair(self, at: datetime, affair_id: UUID, line_id: str | None = None) -> None:
        """Assign the whole order, or one of its lines, to an affair."""
        self._require("assigned to an affair")
        if line_id is not None and line_id not in self.lines:
            raise UnknownLine(f"no line {line_id!r} on this order")
        self._assign(at=at, affair_id=affair_id, line_id=line_id)

    def affair_of(self, line_id: str) -> UUID | None:
        """The affair a line counts towards: its own, else the order's."""
        return self.line_affairs.get(line_id, self.affair_id)

    # ---- the aggregate's events ------------------------------------------------------

    def _confirm(
        self,
        at: datetime,
        order_total: Decimal,
        outstanding: Decimal,
        credit_limit: Decimal | None,
        limit_exceeded: bool,
        credit_override: CreditOverride | None,
    ) -> None:
        raise NotImplementedError  # Order.Confirmed

    def _cancel(self, at: datetime, reason: str) -> None:
        raise NotImplementedError  # Order.Cancelled

    def _close(self, at: datetime) -> None:
        raise NotImplementedError  # Order.Closed

    def _assign(self, at: datetime, affair_id: UUID, line_id: str | None) -> None:
        raise NotImplementedError  # Order.AssignedToAffair
