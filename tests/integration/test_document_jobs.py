"""E-mail deliveries as dramatiq jobs on the real stores and a real SMTP server: a job
retried while the server refuses sends once it takes the message, and a duplicated
job sends nothing more."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest

from adapters.mail import SmtpMailer, SmtpSettings
from application.app import Comptoir
from application.document_mail import DocumentMail, Requested
from domain.printed_document import PrintedKind, SendingStatus
from interfaces.document_jobs import InProcessDeliveries, Retrying, run_delivery
from interfaces.settings import Settings
from tests.integration.company_support import establish_company
from tests.integration.document_support import ctx, customer, sent_quote
from tests.integration.mailbox import attachment_of, free_port, sha256, smtp_server

QUOTE = PrintedKind.QUOTE
SENDER = "ventes@comptoir.example"
QUICK = Retrying(max_retries=20, min_backoff_ms=50, max_backoff_ms=200)


@pytest.fixture
def app(settings: Settings, tmp_path: Path) -> Iterator[Comptoir]:
    app = Comptoir(settings.model_copy(update={"blob_dir": tmp_path / "blobs"}).eventstore_env())
    establish_company(app)
    yield app
    app.close()


def mail_to(app: Comptoir, port: int) -> DocumentMail:
    mailer = SmtpMailer(SmtpSettings("127.0.0.1", port, SENDER, timeout_s=2))
    return DocumentMail(app.documents, mailer, SENDER)


def queue_for(mail: DocumentMail) -> InProcessDeliveries:
    def deliver(kind: str, source_id: str, sending_id: str, actor: str) -> None:
        run_delivery(mail, datetime.now(UTC), kind, source_id, sending_id, actor)

    return InProcessDeliveries(deliver, QUICK)


def requested_quote(app: Comptoir, mail: DocumentMail) -> Requested:
    quote_id = sent_quote(app, customer(app))
    return mail.request(
        ctx(), QUOTE, quote_id, None, recipient="achats@martin.example", subject="Votre devis"
    )


def status_of(app: Comptoir, quote_id: UUID) -> SendingStatus:
    printed = app.documents.printed(QUOTE, quote_id)
    assert printed is not None
    return printed.sending("1").status


def test_a_job_retried_while_the_server_refuses_sends_the_message_once_it_takes_it(
    app: Comptoir,
) -> None:
    port = free_port()  # nothing listens there yet: the first attempts fail
    mail = mail_to(app, port)
    requested = requested_quote(app, mail)
    assert requested.sending.status == SendingStatus.REQUESTED
    queue = queue_for(mail)
    try:
        queue.enqueue(requested, "alice")
        deadline = time.monotonic() + 20
        while status_of(app, requested.source_id) != SendingStatus.FAILED:
            assert time.monotonic() < deadline, "the first attempt never failed"
            time.sleep(0.02)
        with smtp_server(port) as mailbox:
            queue.join()
    finally:
        queue.close()

    printed = app.documents.printed(QUOTE, requested.source_id)
    assert printed is not None
    sending = printed.sending("1")
    assert (sending.status, sending.failure) == (SendingStatus.SENT, None)
    assert [m["Message-ID"] for m in mailbox.messages] == [requested.sending.message_id]
    name, data = attachment_of(mailbox.messages[0])
    assert sha256(data) == sending.sha256 == printed.editions["r1"].sha256
    assert name == printed.editions["r1"].file_name


def test_a_duplicated_job_sends_one_message(app: Comptoir) -> None:
    with smtp_server() as mailbox:
        mail = mail_to(app, mailbox.port)
        requested = requested_quote(app, mail)
        queue = queue_for(mail)
        try:
            for _ in range(3):  # delivered at least once: the same message thrice
                queue.enqueue(requested, "alice")
            queue.join()
            queue.enqueue(requested, "alice")  # and again after it was sent
            queue.join()
        finally:
            queue.close()

    assert status_of(app, requested.source_id) == SendingStatus.SENT
    assert [m["Message-ID"] for m in mailbox.messages] == [requested.sending.message_id]
    assert mailbox.messages[0]["Subject"] == "Votre devis"
