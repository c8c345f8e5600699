"""Comparing two states of a quote (Q6): its own fields and its lines."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from domain.quote import Quote
from domain.quote_lines import FieldChange, LineChange, RevisionRecord

# The quote's own fields a version diff compares; lines are compared by `diff_lines`.
QUOTE_FIELDS: tuple[str, ...] = (
    "status",
    "currency",
    "customer_id",
    "prospect",
    "title",
    "salesperson",
    "channel",
    "valid_until",
    "revision",
    "revision_reason",
    "discounts",
    "discount_mode",
    "approval",
    "sent_at",
    "decided_at",
    "decline_reason",
    "abandon_reason",
    "expired_at",
    "reminders_recorded",
    "last_reminded_at",
    "affair_id",
    "order_id",
)
REVISION_FIELDS: tuple[str, ...] = tuple(
    f.name for f in dataclasses.fields(RevisionRecord) if f.name != "lines"
)


@dataclass(frozen=True)
class QuoteDiff:
    """How a quote differs between two versions or two revisions."""

    fields: list[FieldChange]
    lines: list[LineChange]


def quote_field_changes(
    before: Quote | RevisionRecord, after: Quote | RevisionRecord
) -> list[FieldChange]:
    """The quote's own fields that differ, in a stable order, with before and after."""
    names = QUOTE_FIELDS if isinstance(before, Quote) else REVISION_FIELDS
    return [
        FieldChange(name, getattr(before, name), getattr(after, name))
        for name in names
        if getattr(before, name) != getattr(after, name)
    ]
