"""E-mailing printed documents (issue 15, D4): each sending an event, never sent twice.

`send` issues the edition if it never was (so the attachment is the stored file), then
records `SendingRequested` (recipient, subject, Message-ID, the attachment's SHA-256)
under the command's idempotency key, and delivers it: `Sent` when the SMTP server took
the message, `SendingFailed` (and `MailNotDelivered`) when it did not. A retry with the
same key finds the same sending: a failed one is tried again, a sent one is not.
`deliver` is also what a background job calls to retry a failed sending.
"""

from __future__ import annotations

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
    ) -> Sending:
        """E-mail an issued edition (issuing it first if it never was): at most once per
        idempotency key, and never again once the server took it."""
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
            )
            return Outcome([printed], {"sending_id": sending_id})

        payload = {
            "kind": edition.kind,
            "source_id": source_id,
            "edition": file.edition,
            "recipient": recipient,
            "subject": subject,
        }
        result = self.runner.run(ctx, "documents.send", payload, build)
        return self.deliver(ctx, edition.kind, source_id, str(result.result["sending_id"]))

    def deliver(
        self,
        ctx: CommandContext,
        kind: PrintedKind,
        source_id: UUID,
        sending_id: str,
    ) -> Sending:
        """Send a requested (or failed) sending and record the outcome; a sent one is
        returned as it is. Raises `MailNotDelivered` after recording the failure."""
        printed = self.runner.load(PrintedDocument, printed_id(kind, source_id))
        sending = printed.sending(sending_id)
        if sending.status == SendingStatus.SENT:
            return sending
        issued = printed.rendition(sending.edition)
        message = document_message(
            sender=self.sender,
            recipient=sending.recipient,
            subject=sending.subject,
            body=f"Bonjour,\n\nVeuillez trouver ci-joint : {issued.title}.\n\nCordialement.\n",
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
