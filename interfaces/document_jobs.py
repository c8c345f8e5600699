"""E-mail deliveries as dramatiq jobs with retries (issue 15, D4).

`POST /documents/{kind}/{id}/send` records the sending, then enqueues one
`deliver_document` message. With `COMPTOIR_REDIS_URL` the message goes to Redis and
`comptoir worker` runs it; without Redis (the embedded default) the same actor runs on
dramatiq's in-memory broker with one worker thread inside the process, so the
retries and their backoff are dramatiq's in both cases. An SMTP refusal raises
`MailNotDelivered` (the failure is recorded first) and dramatiq retries the message
after a growing, jittered delay; any other error is not retried.

A job never sends twice: `DocumentMail.deliver` returns a sending already sent as it
is (the `Sent` event is the guard), so a duplicated or retried message does nothing
once one of them succeeded. The message carries ids only, never the document.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

import dramatiq
from dramatiq.brokers.stub import StubBroker

from adapters.mail import MailNotDelivered, SmtpMailer, SmtpSettings
from application.document_mail import DocumentMail, Requested
from application.documents import DocumentCommands
from application.errors import ConcurrentUpdate
from application.journal import CommandContext
from domain.printed_document import PrintedKind
from interfaces.settings import Settings

if TYPE_CHECKING:
    from interfaces.wiring import Services

log = logging.getLogger(__name__)

QUEUE = "comptoir-mail"
ACTOR = "deliver_document"


@dataclass(frozen=True)
class Retrying:
    """How often and how patiently a delivery is retried (dramatiq's Retries options)."""

    max_retries: int = 8
    min_backoff_ms: int = 5_000
    max_backoff_ms: int = 15 * 60_000


# 5 s, 10 s, 20 s … up to 15 min between attempts: about an hour and a half in all
RETRYING = Retrying()
Deliver = Callable[[str, str, str, str], None]


def mailer_of(settings: Settings) -> SmtpMailer | None:
    """The SMTP mailer of `COMPTOIR_SMTP_*`; None while no host is set."""
    if not settings.smtp_host:
        return None
    return SmtpMailer(
        SmtpSettings(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_from,
            user=settings.smtp_user,
            password=settings.smtp_password,
            security=settings.smtp_security,
            timeout_s=settings.smtp_timeout_s,
        )
    )


def document_mail(documents: DocumentCommands, settings: Settings) -> DocumentMail | None:
    """Sending documents as the settings say; None while no SMTP host is set."""
    mailer = mailer_of(settings)
    return None if mailer is None else DocumentMail(documents, mailer, settings.smtp_from)


def run_delivery(
    mail: DocumentMail | None, at: datetime, kind: str, source_id: str, sending_id: str, actor: str
) -> None:
    """One attempt of one job: deliver the sending in the name of who asked for it."""
    if mail is None:
        log.error("sending %s of %s %s dropped: no SMTP host set", sending_id, kind, source_id)
        return
    ctx = CommandContext(actor=actor, at=at, reason="e-mail delivery")
    mail.deliver(ctx, PrintedKind(kind), UUID(source_id), sending_id)


def job_args(requested: Requested, actor: str) -> tuple[str, str, str, str]:
    """The message's arguments: ids only (kind, source, sending) and who asked."""
    return (str(requested.kind), str(requested.source_id), requested.sending.sending_id, actor)


def declare_delivery(broker: dramatiq.Broker, deliver: Deliver, retrying: Retrying) -> Any:
    """Declare `deliver_document(kind, source_id, sending_id, actor)` on `broker`:
    retried on `MailNotDelivered` (and a concurrent write), with exponential backoff."""

    def retry_when(retries: int, error: Exception) -> bool:
        transient = isinstance(error, MailNotDelivered | ConcurrentUpdate)
        return transient and retries <= retrying.max_retries

    decorate = dramatiq.actor(
        actor_name=ACTOR,
        queue_name=QUEUE,
        broker=broker,
        retry_when=retry_when,
        min_backoff=retrying.min_backoff_ms,
        max_backoff=retrying.max_backoff_ms,
    )
    return decorate(deliver)


class InProcessDeliveries:
    """The embedded default: dramatiq's in-memory broker and one worker thread."""

    def __init__(self, deliver: Deliver, retrying: Retrying = RETRYING) -> None:
        self.broker = StubBroker()
        self.actor = declare_delivery(self.broker, deliver, retrying)
        self.worker = dramatiq.Worker(self.broker, worker_threads=1, worker_timeout=100)
        self.worker.start()

    def enqueue(self, requested: Requested, actor: str) -> None:
        self.actor.send(
            str(requested.kind), str(requested.source_id), requested.sending.sending_id, actor
        )

    def join(self, timeout_ms: int = 30_000) -> None:
        """Wait until every delivery enqueued ran, retries included (tests, shutdown)."""
        self.broker.join(QUEUE, timeout=timeout_ms, fail_fast=False)
        self.worker.join()

    def close(self) -> None:
        self.worker.stop(timeout=5_000)


_IN_PROCESS: dict[int, InProcessDeliveries] = {}
_GUARD = threading.Lock()


def in_process(services: Services) -> InProcessDeliveries:
    """The process's in-memory queue for these services, started on first use and
    stopped when the services are gone."""
    with _GUARD:
        found = _IN_PROCESS.get(id(services))
        if found is None:
            owner = weakref.ref(services)

            def deliver(kind: str, source_id: str, sending_id: str, actor: str) -> None:
                alive = owner()
                if alive is None:
                    return
                mail = document_mail(alive.app.documents, alive.settings)
                run_delivery(mail, alive.clock(), kind, source_id, sending_id, actor)

            found = _IN_PROCESS[id(services)] = InProcessDeliveries(deliver)
            weakref.finalize(services, _forget, id(services))
        return found


def stop_in_process(services: Services) -> None:
    """Stop the in-memory queue of these services, if one was started (on close)."""
    _forget(id(services))


def _forget(key: int) -> None:
    with _GUARD:
        queue = _IN_PROCESS.pop(key, None)
    if queue is not None:
        queue.close()


def enqueue_delivery(services: Services, requested: Requested, actor: str) -> None:
    """Send the delivery job: to Redis when configured (in-process if Redis is down,
    so the sending still leaves), else to the in-process queue."""
    if services.waker is not None:
        try:
            services.waker.actors.deliver_document.send(*job_args(requested, actor))
            return
        except Exception as error:  # Redis unreachable: deliver from this process
            log.warning("could not enqueue the delivery on Redis, in-process: %s", error)
    in_process(services).enqueue(requested, actor)
