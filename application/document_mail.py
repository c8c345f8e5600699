"""E-mailing printed documents (issue 15, D4): each sending an event, never sent twice.

`request` issues the edition if it never was (so the attachment is the stored file),
then records `SendingRequested` (recipient, subject, text, Message-ID, the attachment's
SHA-256) under the command's idempotency key: a retry with the same key finds the same
sending. `deliver` sends it and records `Sent` when the SMTP server took the message,
`SendingFailed` (and raises `MailNotDelivered`) when it did not; it is what the
background job runs, retried by dramatiq. `Sent` is the guard: a sending already sent
is returned as it is, so a retried or duplicated job never sends twice, and deliveries
of one sending in one process take turns. `send` does both at once (`?wait=true`).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.domain import Aggregate

from adapters.mail import Mailer, MailNotDelivered, document_message, new_message_id
from application.commands import Outcome
from application.documents import DocumentCommands, quiet
from application.journal import CommandContext
from domain.printed_document import (
    PrintedDocument,
    PrintedKind,
    Sending,
    SendingStatus,
    checked_recipient,
    printed_id,
)

DEFAULT_BODY = "Bonjour,\n\nVeuillez trouver ci-joint : {title}.\n\nCordialement.\n"
# one lock per sending in this process: a duplicated job waits for the first to finish,
# then finds it sent
_TURNS: defaultdict[tuple[str, UUID, str], threading.Lock] = defaultdict(threading.Lock)
_TURNS_GUARD = threading.Lock()


def _turn(kind: PrintedKind, source_id: UUID, sending_id: str) -> threading.Lock:
    with _TURNS_GUARD:
        return _TURNS[(str(kind), source_id, sending_id)]


@dataclass(frozen=True)
class Requested:
    """A sending recorded: of which printed document (its kind as printed: an invoice's
    credit note is a `credit_note`), and the sending as it stands."""

    kind: PrintedKind
    source_id: UUID
    sending: Sending


class DocumentMail:
    """Sends issued documents through a `Mailer`, from `sender`."""

    def __init__(self, documents: DocumentCommands, mailer: Mailer, sender: str) -> None:
        self.documents = documents
        self.mailer = mailer
        self.sender = sender
        self.runner = documents.runner

    def send(
        self,
        ctx: CommandContext,
        kind: PrintedKind,
        source_id: UUID,
        selector: str | None,
        *,
        recipient: str,
        subject: str | None,
        body: str | None = None,
    ) -> Sending:
        """Request and deliver at once (raises `MailNotDelivered` after recording it)."""
        requested = self.request(
            ctx, kind, source_id, selector, recipient=recipient, subject=subject, body=body
        )
        return self.deliver(ctx, requested.kind, source_id, requested.sending.sending_id)

    def request(
        self,
        ctx: CommandContext,
        kind: PrintedKind,
        source_id: UUID,
        selector: str | None,
        *,
        recipient: str,
        subject: str | None,
        body: str | None = None,
    ) -> Requested:
        """Record that an issued edition is to be e-mailed (issuing it first if it never
        was): once per idempotency key. Nothing is sent yet."""
        recipient = checked_recipient(recipient)
        if ctx.owner_only:  # a salesperson sends only what is assigned to them
            self.runner.load(Aggregate, source_id, ctx)
        file = self.documents.issued(quiet(ctx), kind, source_id, selector)
        edition = self.documents.edition(kind, source_id, file.edition, ctx.at.date())
        message_id = new_message_id(self.sender)

        def build() -> Outcome:
            printed = self.runner.load(PrintedDocument, printed_id(edition.kind, source_id))
            sending_id = printed.request_sending(
                at=ctx.at,
                edition=file.edition,
                recipient=recipient,
                subject=subject or "",
                message_id=message_id,
                body=body or "",
            )
            return Outcome([printed], {"sending_id": sending_id})

        payload = {
            "kind": edition.kind,
            "source_id": source_id,
            "edition": file.edition,
            "recipient": recipient,
            "subject": subject,
            "body": body,
        }
        result = self.runner.run(ctx, "documents.send", payload, build)
        printed = self.runner.load(PrintedDocument, printed_id(edition.kind, source_id))
        sending = printed.sending(str(result.result["sending_id"]))
        return Requested(edition.kind, source_id, sending)

    def deliver(
        self,
        ctx: CommandContext,
        kind: PrintedKind,
        source_id: UUID,
        sending_id: str,
    ) -> Sending:
        """Send a requested (or failed) sending and record the outcome; a sent one is
        returned as it is. Raises `MailNotDelivered` after recording the failure."""
        with _turn(kind, source_id, sending_id):
            return self._deliver(ctx, kind, source_id, sending_id)

    def _deliver(
        self, ctx: CommandContext, kind: PrintedKind, source_id: UUID, sending_id: str
    ) -> Sending:
        printed = self.runner.load(PrintedDocument, printed_id(kind, source_id))
        sending = printed.sending(sending_id)
        if sending.status == SendingStatus.SENT:
            return sending
        issued = printed.rendition(sending.edition)
        message = document_message(
            sender=self.sender,
            recipient=sending.recipient,
            subject=sending.subject,
            body=sending.body or DEFAULT_BODY.format(title=issued.title),
            message_id=sending.message_id,
            attachment=self.documents.blobs.get(sending.sha256),
            file_name=issued.file_name,
        )
        follow_up = quiet(ctx)
        try:
            self.mailer.send(message)
        except MailNotDelivered as error:
            self._outcome(follow_up, kind, source_id, sending_id, str(error))
            raise
        return self._outcome(follow_up, kind, source_id, sending_id, None)

    def _outcome(
        self,
        ctx: CommandContext,
        kind: PrintedKind,
        source_id: UUID,
        sending_id: str,
        failure: str | None,
    ) -> Sending:
        def build() -> Outcome:
            printed = self.runner.load(PrintedDocument, printed_id(kind, source_id))
            if failure is None:
                printed.record_sent(at=ctx.at, sending_id=sending_id)
            else:
                printed.record_failure(at=ctx.at, sending_id=sending_id, reason=failure)
            return Outcome([printed], {"sending_id": sending_id})

        verb = "documents.sent" if failure is None else "documents.send_failed"
        self.runner.run(ctx, verb, {"source_id": source_id, "sending_id": sending_id}, build)
        return self.runner.load(PrintedDocument, printed_id(kind, source_id)).sending(sending_id)
