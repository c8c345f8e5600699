"""An order's invoicing policy and status, and the moves its status may make (O1–O8).

The status follows the order's progress (`OrderAccounts._refresh_status`); `ALLOWED`
lists the statuses in which each verb is accepted, `TRANSITIONS` every move the status
may make. Both enums are `str` enums: events and snapshots store their values.
"""

from __future__ import annotations

from enum import StrEnum


class InvoicePolicy(StrEnum):
    """What an order line may be invoiced up to: what was ordered, or what is delivered."""

    ORDERED = "ordered"
    DELIVERED = "delivered"


class OrderStatus(StrEnum):
    """Where an order stands, from draft to closed or cancelled."""

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
