"""E-mailing printed documents over HTTP (issue 15, D4): send any issued document, follow
a sending, and send a quote reminder (Q11) with the quote attached.

`POST …/send` records the sending and answers 202 Accepted with its status URL (also the
`Location` header) while a dramatiq job delivers it, retried while the SMTP server
refuses (see `interfaces.document_jobs`); a sending already sent answers 200 as it is.
`?wait=true` delivers within the request instead: 200 when sent, 502 when refused.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Response

from adapters.documents.render import RendererUnavailable
from adapters.mail import MailNotDelivered
from application.access import Principal
from application.document_mail import DocumentMail, Requested
from application.documents import quiet
from application.journal import CommandContext
from domain.access import Role
from domain.errors import NotFound
from domain.printed_document import PrintedKind, SendingStatus, checked_recipient
from interfaces.document_jobs import document_mail, enqueue_delivery
from interfaces.http.deps import ServicesDep
from interfaces.http.problems import ERROR_RESPONSES, problem
from interfaces.http.routes.document_schemas import ReminderMailIn, SendIn, SendingView
from interfaces.http.security import READERS, allow, command
from interfaces.wiring import Services

router = APIRouter(tags=["documents"], responses=ERROR_RESPONSES)

SENDERS = READERS - {Role.AUDITOR}
Reader = Annotated[Principal, Depends(allow(READERS))]
Sender = Annotated[CommandContext, command(SENDERS)]
Wait = Annotated[
    bool, Query(description="Deliver within the request: 200 when sent, 502 if refused")
]
SEND_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"model": SendingView, "description": "Sent (`?wait=true`), or sent before"},
    502: ERROR_RESPONSES[409] | {"description": "The SMTP server refused (`?wait=true`)"},
}
REMINDER_BODY = (
    "Bonjour,\n\nNous revenons vers vous au sujet de notre {title}, que vous trouverez "
    "ci-joint. Nous restons à votre disposition pour toute question ou adaptation.\n\n"
    "Cordialement.\n"
)


def status_url(kind: PrintedKind, source_id: UUID, sending_id: str) -> str:
    return f"/documents/{kind}/{source_id}/sendings/{sending_id}"


@router.get(
    "/documents/{kind}/{source_id}/sendings/{sending_id}",
    summary="One e-mail of a document: requested, sent or failed (and why)",
)
def sending_status(
    kind: PrintedKind,
    source_id: UUID,
    sending_id: Annotated[str, Path(pattern=r"^[0-9]{1,9}$")],
    services: ServicesDep,
    _: Reader,
) -> SendingView:
    printed = services.app.documents.printed(kind, source_id)
    if printed is None:
        raise NotFound(f"nothing was issued as {kind} for document {source_id}")
    sending = printed.sending(sending_id)
    return SendingView.of(sending, status_url=status_url(kind, source_id, sending_id))


def _mail(services: Services) -> DocumentMail | Response:
    mail = document_mail(services.app.documents, services.settings)
    if mail is None:
        return problem(503, "mail-not-configured", "set COMPTOIR_SMTP_HOST to send e-mail")
    return mail


def _dispatch(
    services: Services,
    mail: DocumentMail,
    ctx: CommandContext,
    requested: Requested,
    wait: bool,
    response: Response,
) -> Response | SendingView:
    """Deliver now (`wait`) or enqueue the job; answer the sending and where to follow it."""
    sending = requested.sending
    try:
        if wait:
            sending = mail.deliver(ctx, requested.kind, requested.source_id, sending.sending_id)
        elif sending.status != SendingStatus.SENT:
            enqueue_delivery(services, requested, ctx.actor)
    except MailNotDelivered as error:
        return problem(502, "mail-not-delivered", str(error))
    url = status_url(requested.kind, requested.source_id, sending.sending_id)
    response.headers["Location"] = url
    response.headers["X-Document-SHA256"] = sending.sha256
    if sending.status == SendingStatus.SENT:
        response.status_code = 200
    return SendingView.of(sending, status_url=url)


@router.post(
    "/documents/{kind}/{source_id}/send",
    summary="E-mail an issued document as a PDF attachment (once per Idempotency-Key)",
    status_code=202,
    response_model=SendingView,
    responses=SEND_RESPONSES,
)
def send_document(
    kind: PrintedKind,
    source_id: UUID,
    body: SendIn,
    ctx: Sender,
    services: ServicesDep,
    response: Response,
    wait: Wait = False,
) -> Response | SendingView:
    """202: the sending is recorded and a job delivers it, retried while the SMTP server
    refuses; follow it at `status_url`. A dunning letter is `dunning_letter` with the
    edition `L1`, `L2` …"""
    checked_recipient(body.recipient)  # a client's mistake first, whatever the server
    mail = _mail(services)
    if isinstance(mail, Response):
        return mail
    ctx = replace(ctx, reason=body.reason)
    try:
        requested = mail.request(
            ctx, kind, source_id, body.edition, recipient=body.recipient, subject=body.subject
        )
    except RendererUnavailable as error:
        return problem(503, "renderer-unavailable", str(error))
    return _dispatch(services, mail, ctx, requested, wait, response)


@router.post(
    "/quotes/{quote_id}/reminders/send",
    summary="Remind the customer of a sent quote by e-mail, the quote attached (Q11)",
    status_code=202,
    response_model=SendingView,
    responses=SEND_RESPONSES,
)
def send_quote_reminder(
    quote_id: UUID,
    body: ReminderMailIn,
    ctx: Sender,
    services: ServicesDep,
    response: Response,
    wait: Wait = False,
) -> Response | SendingView:
    """Records the reminder (channel `email`) and e-mails the revision as sent, with a
    reminder's subject and text unless given."""
    checked_recipient(body.recipient)
    mail = _mail(services)
    if isinstance(mail, Response):
        return mail
    kind = PrintedKind.QUOTE
    try:
        services.app.quotes.remind(ctx, quote_id, channel="email", note=body.note)
        issued = services.app.documents.issued(quiet(ctx), kind, quote_id, None)
        printed = services.app.documents.printed(kind, quote_id)
        assert printed is not None  # issued just now or before
        title = printed.rendition(issued.edition).title
        key = ctx.idempotency_key
        requested = mail.request(
            replace(ctx, idempotency_key=f"{key}:mail" if key else None),
            kind,
            quote_id,
            issued.edition,
            recipient=body.recipient,
            subject=body.subject or f"Relance : {title}",
            body=body.body or REMINDER_BODY.format(title=title),
        )
    except RendererUnavailable as error:
        return problem(503, "renderer-unavailable", str(error))
    return _dispatch(services, mail, ctx, requested, wait, response)
