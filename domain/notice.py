"""Notices the scheduled jobs raise: a renewal coming due, a warranty about to expire.

A notice's id is derived from what it is about (kind, document, due date), so raising
the same notice twice is the same document: the second attempt finds it and adds nothing.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidInput, InvalidTransition


class NoticeKind(StrEnum):
    RENEWAL_DUE = "renewal_due"
    WARRANTY_EXPIRING = "warranty_expiring"
    DUNNING = "dunning"  # an invoice reached a dunning level (days past its due date)
    VIEW_QUARANTINE = "view_quarantine"  # the views stopped folding a document (admins)
    INTEGRITY_ALERT = "integrity_alert"  # the sealer refused an event Comptoir did not write


def notice_id(kind: NoticeKind | str, document_id: UUID, subject: str, due: date) -> UUID:
    """The one id a notice about this document, subject and due date can have."""
    return uuid5(NAMESPACE_URL, f"comptoir:notice:{kind}:{document_id}:{subject}:{due}")


class Notice(Aggregate):
    """A flag raised for people to act on, until someone acknowledges it."""

    @staticmethod
    def create_id(kind: str, document_id: UUID, subject: str, due: date) -> UUID:
        return notice_id(kind, document_id, subject, due)

    @event("Raised")
    def __init__(
        self,
        *,
        at: datetime,
        kind: str,
        document_id: UUID,
        subject: str,
        due: date,
        message: str,
    ) -> None:
        self.raised_at = at
        self.kind = kind
        self.document_id = document_id
        self.subject = subject
        self.due = due
        self.message = message
        self.acknowledged_by: str | None = None
        self.acknowledged_at: datetime | None = None

    @classmethod
    def raise_notice(
        cls,
        *,
        at: datetime,
        kind: NoticeKind | str,
        document_id: UUID,
        subject: str,
        due: date,
        message: str,
    ) -> Notice:
        """Raise a notice about `document_id` (e.g. subject "term" or a warranty kind)."""
        if not message.strip():
            raise InvalidInput("a notice needs a message")
        return cls(
            at=at,
            kind=str(NoticeKind(kind)),
            document_id=document_id,
            subject=subject,
            due=due,
            message=message.strip(),
        )

    @property
    def open(self) -> bool:
        return self.acknowledged_at is None

    def acknowledge(self, *, at: datetime, by: str) -> None:
        """Someone has taken the notice in hand."""
        if not self.open:
            raise InvalidTransition("notice", "acknowledged", "acknowledged")
        self._acknowledge(at=at, by=by)

    @event("Acknowledged")
    def _acknowledge(self, at: datetime, by: str) -> None:
        self.acknowledged_at = at
        self.acknowledged_by = by
