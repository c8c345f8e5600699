"""What Comptoir issued as files (issue 15, D3, D4): one `PrintedDocument` per source
document and kind, and one `IssuedFile` register per SHA-256 of bytes issued.

A printed document records each *edition* it issued (a quote's revision `r2`, an order's
acknowledgement after amendment `a1`, delivery note `D1`, an invoice as `issued`) with
the SHA-256 of the exact bytes, their size, the template version and the source
document's version: the bytes live in the content-addressed blob store, the hash in the
event, so the hash chain covers what the customer received. Each e-mail is requested
(recipient, subject, Message-ID, the hash of the attachment), then recorded as sent or
failed: a sending already sent is never sent again.

`IssuedFile` answers "which document is this file?" from the hash alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import (
    EditionAlreadyIssued,
    EditionNotIssued,
    InvalidRecipient,
    SendingAlreadySent,
    UnknownSending,
)

SHA256 = re.compile(r"[0-9a-f]{64}")
# An address a message may go to: one mailbox, no display name, no header folding.
RECIPIENT = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
MAX_RECIPIENT = 254


class PrintedKind(StrEnum):
    """The kinds of documents Comptoir prints; one template each."""

    QUOTE = "quote"
    ORDER_ACKNOWLEDGEMENT = "order_acknowledgement"
    DELIVERY_NOTE = "delivery_note"
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    DUNNING_LETTER = "dunning_letter"


class SendingStatus(StrEnum):
    REQUESTED = "requested"
    SENT = "sent"
    FAILED = "failed"


def printed_id(kind: PrintedKind | str, source_id: UUID) -> UUID:
    """The id of the printed documents of `kind` for one source document."""
    return uuid5(NAMESPACE_URL, f"urn:comptoir:printed:{PrintedKind(kind)}:{source_id}")


def issued_file_id(sha256: str) -> UUID:
    """The id of the register of the file whose bytes hash to `sha256`."""
    return uuid5(NAMESPACE_URL, f"urn:comptoir:issued-file:{checked_sha256(sha256)}")


def checked_sha256(digest: str) -> str:
    if not isinstance(digest, str) or not SHA256.fullmatch(digest):
        raise ValueError(f"not a SHA-256 hex digest: {digest!r}")
    return digest


def checked_recipient(address: str) -> str:
    """The e-mail address, trimmed, if it is one plain mailbox (no name, no CR/LF)."""
    text = address.strip() if isinstance(address, str) else ""
    if len(text) > MAX_RECIPIENT or not RECIPIENT.fullmatch(text):
        raise InvalidRecipient(f"{address!r} is not an e-mail address such as name@example.fr")
    return text


@dataclass(frozen=True)
class Rendition:
    """One edition as issued: its bytes' hash and size, how and from what it was made."""

    edition: str
    sha256: str
    size: int
    media_type: str
    file_name: str
    title: str
    template_version: str
    source_version: int
    rendered_at: datetime


@dataclass(frozen=True)
class Sending:
    """One e-mail of an edition: to whom, with which subject, Message-ID and attachment."""

    sending_id: str
    edition: str
    sha256: str
    recipient: str
    subject: str
    message_id: str
    requested_at: datetime
    status: SendingStatus = SendingStatus.REQUESTED
    sent_at: datetime | None = None
    failure: str | None = None
    # the message's text; empty: the default one naming the attachment (sendings
    # requested before reminders and dunning letters carried no text of their own)
    body: str = ""


class PrintedDocument(Aggregate):
    """The files issued for one source document of one kind, and their sendings."""

    @staticmethod
    def create_id(kind: str, source_id: UUID, **_: Any) -> UUID:
        return printed_id(kind, source_id)

    @event("Opened")
    def __init__(self, *, kind: str, source_id: UUID, at: datetime) -> None:
        self.kind = PrintedKind(kind)
        self.source_id = source_id
        self.opened_at = at
        self.editions: dict[str, Rendition] = {}
        self.sendings: dict[str, Sending] = {}

    def rendition(self, edition: str) -> Rendition:
        """The edition as issued; `EditionNotIssued` before it is."""
        try:
            return self.editions[edition]
        except KeyError:
            raise EditionNotIssued(f"{self.kind} {edition} was not issued yet") from None

    def sending(self, sending_id: str) -> Sending:
        try:
            return self.sendings[sending_id]
        except KeyError:
            raise UnknownSending(f"no sending {sending_id!r} of this document") from None

    def record_rendition(self, *, at: datetime, rendition: Rendition) -> None:
        """Record the bytes an edition was issued as: once, never replaced."""
        if rendition.edition in self.editions:
            raise EditionAlreadyIssued(f"{self.kind} {rendition.edition} is already issued")
        checked_sha256(rendition.sha256)
        self._render(at=at, rendition=rendition)

    @event("Rendered")
    def _render(self, at: datetime, rendition: Rendition) -> None:
        self.editions[rendition.edition] = rendition

    def request_sending(
        self,
        *,
        at: datetime,
        edition: str,
        recipient: str,
        subject: str,
        message_id: str,
        body: str = "",
    ) -> str:
        """Ask for an issued edition to be e-mailed; return the sending's id."""
        issued = self.rendition(edition)
        sending = Sending(
            sending_id=str(len(self.sendings) + 1),
            edition=edition,
            sha256=issued.sha256,
            recipient=checked_recipient(recipient),
            subject=subject.strip() or issued.title,
            message_id=message_id,
            requested_at=at,
            body=body.strip(),
        )
        self._request(at=at, sending=sending)
        return sending.sending_id

    @event("SendingRequested")
    def _request(self, at: datetime, sending: Sending) -> None:
        self.sendings[sending.sending_id] = sending

    def record_sent(self, *, at: datetime, sending_id: str) -> None:
        """The SMTP server accepted the message; a sending is sent once."""
        if self.sending(sending_id).status == SendingStatus.SENT:
            raise SendingAlreadySent(f"sending {sending_id} was already sent")
        self._sent(at=at, sending_id=sending_id)

    @event("Sent")
    def _sent(self, at: datetime, sending_id: str) -> None:
        sending = self.sendings[sending_id]
        self.sendings[sending_id] = replace(
            sending, status=SendingStatus.SENT, sent_at=at, failure=None
        )

    def record_failure(self, *, at: datetime, sending_id: str, reason: str) -> None:
        """The SMTP server refused or could not be reached; the sending may be retried."""
        if self.sending(sending_id).status == SendingStatus.SENT:
            raise SendingAlreadySent(f"sending {sending_id} was already sent")
        self._failed(at=at, sending_id=sending_id, reason=reason[:500])

    @event("SendingFailed")
    def _failed(self, at: datetime, sending_id: str, reason: str) -> None:
        sending = self.sendings[sending_id]
        self.sendings[sending_id] = replace(sending, status=SendingStatus.FAILED, failure=reason)


@dataclass(frozen=True)
class FilePlace:
    """Where an issued file belongs: the printed document, its kind, source and edition."""

    printed_id: UUID
    kind: PrintedKind
    source_id: UUID
    edition: str
    rendered_at: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", PrintedKind(self.kind))


class IssuedFile(Aggregate):
    """The register of one file issued, by the SHA-256 of its bytes."""

    @staticmethod
    def create_id(sha256: str, **_: Any) -> UUID:
        return issued_file_id(sha256)

    @event("Registered")
    def __init__(self, *, sha256: str, size: int, place: FilePlace, at: datetime) -> None:
        self.sha256 = sha256
        self.size = size
        self.places: list[FilePlace] = [place]

    def register_again(self, *, at: datetime, place: FilePlace) -> None:
        """The same bytes issued as another edition (the same content twice)."""
        if place not in self.places:
            self._again(at=at, place=place)

    @event("RegisteredAgain")
    def _again(self, at: datetime, place: FilePlace) -> None:
        self.places.append(place)
