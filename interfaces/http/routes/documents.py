"""Printed documents over HTTP (issue 15): the PDF of a quote revision, an order
acknowledgement, a delivery note, an invoice or a credit note; what was issued and sent
for a document; e-mailing one; finding which document a file is.

`GET …pdf` answers the bytes issued (rendered, stored and recorded on first request,
then served from the store whatever the templates become); `?render=current` renders
the same edition with today's templates and records nothing; a draft has no PDF unless
`?preview=true` (marked PROJET, or PRO FORMA for an invoice; never stored).

`POST …/send` records the sending and answers 202 with its status URL while a dramatiq
job delivers it (see `interfaces.document_jobs`); `?wait=true` delivers in the request.
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Response

from adapters.documents.facturx_pdf import embedded_xml
from adapters.documents.render import RendererUnavailable
from application.access import Principal
from application.documents import PrintedFile
from application.dunning_letter_source import MAX_LEVEL
from application.journal import CommandContext
from domain.access import Role
from domain.errors import DocumentNotIssued, NotFound
from domain.printed_document import PrintedKind
from interfaces.http.deps import ServicesDep
from interfaces.http.problems import ERROR_RESPONSES, problem
from interfaces.http.routes.document_schemas import (
    FilePlaceView,
    IdentifiedView,
    PrintedView,
    RenditionView,
    SendingView,
)
from interfaces.http.routes.document_sending import router as sending_router
from interfaces.http.security import READERS, allow, command
from interfaces.wiring import Services

router = APIRouter(tags=["documents"], responses=ERROR_RESPONSES)

Reader = Annotated[Principal, Depends(allow(READERS))]
SENDERS = READERS - {Role.AUDITOR}
Sender = Annotated[CommandContext, command(SENDERS)]
Render = Annotated[
    Literal["issued", "current"],
    Query(description="`issued`: the bytes issued; `current`: re-rendered with today's templates"),
]
Preview = Annotated[bool, Query(description="Render a draft as a marked preview (never stored)")]
PDF_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {"application/pdf": {}}, "description": "The PDF"},
}


def _reading(services: Services, principal: Principal) -> CommandContext:
    """Who asks: the first request for an issued edition records it in their name."""
    return CommandContext(actor=principal.user, at=services.clock(), api_key=principal.key)


def _pdf(
    services: Services,
    principal: Principal,
    kind: PrintedKind,
    source_id: UUID,
    selector: str | None,
    render: str,
    preview: bool,
) -> Response:
    documents = services.app.documents
    ctx = _reading(services, principal)
    try:
        if render == "current":
            edition = documents.edition(kind, source_id, selector, ctx.at.date())
            if not edition.issued and not preview:
                raise DocumentNotIssued(
                    f"{kind.replace('_', ' ')} {edition.edition} is a draft: ask ?preview=true"
                )
            file = documents.rendered(kind, source_id, selector, ctx.at.date())
        else:
            try:
                file = documents.issued(ctx, kind, source_id, selector)
            except DocumentNotIssued:
                if not preview:
                    raise
                file = documents.rendered(kind, source_id, selector, ctx.at.date())
    except RendererUnavailable as error:
        return problem(503, "renderer-unavailable", str(error))
    return pdf_response(file, render if file.issued or render == "current" else "preview")


def pdf_response(file: PrintedFile, rendering: str) -> Response:
    return Response(
        content=file.data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{file.file_name}"',
            "ETag": f'"{file.sha256}"',
            "X-Document-SHA256": file.sha256,
            "X-Document-Edition": file.edition,
            "X-Template-Version": file.template_version,
            "X-Document-Rendering": rendering,
        },
    )


@router.get(
    "/quotes/{quote_id}/pdf",
    summary="A quote revision as sent (PDF/A-3b); the current or last sent revision by default",
    responses=PDF_RESPONSES,
    response_class=Response,
)
def quote_pdf(
    quote_id: UUID,
    services: ServicesDep,
    principal: Reader,
    revision: Annotated[int | None, Query(ge=1, le=2**31)] = None,
    render: Render = "issued",
    preview: Preview = False,
) -> Response:
    selector = None if revision is None else f"r{revision}"
    return _pdf(services, principal, PrintedKind.QUOTE, quote_id, selector, render, preview)


@router.get(
    "/orders/{order_id}/acknowledgement.pdf",
    summary="The order acknowledgement as confirmed or after amendment N (latest by default)",
    responses=PDF_RESPONSES,
    response_class=Response,
)
def acknowledgement_pdf(
    order_id: UUID,
    services: ServicesDep,
    principal: Reader,
    amendment: Annotated[int | None, Query(ge=0, le=2**31)] = None,
    render: Render = "issued",
    preview: Preview = False,
) -> Response:
    selector = None if amendment is None else f"a{amendment}"
    kind = PrintedKind.ORDER_ACKNOWLEDGEMENT
    return _pdf(services, principal, kind, order_id, selector, render, preview)


@router.get(
    "/orders/{order_id}/deliveries/{delivery_id}/pdf",
    summary="The delivery note of one recorded delivery",
    responses=PDF_RESPONSES,
    response_class=Response,
)
def delivery_pdf(
    order_id: UUID,
    delivery_id: Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9._-]+$")],
    services: ServicesDep,
    principal: Reader,
    render: Render = "issued",
) -> Response:
    kind = PrintedKind.DELIVERY_NOTE
    return _pdf(services, principal, kind, order_id, delivery_id, render, False)


@router.get(
    "/invoices/{invoice_id}/pdf",
    summary="The issued invoice or credit note as a Factur-X PDF/A-3 (EN 16931)",
    responses=PDF_RESPONSES,
    response_class=Response,
)
def invoice_pdf(
    invoice_id: UUID,
    services: ServicesDep,
    principal: Reader,
    render: Render = "issued",
    preview: Preview = False,
) -> Response:
    kind = PrintedKind.INVOICE
    return _pdf(services, principal, kind, invoice_id, None, render, preview)


@router.get(
    "/invoices/{invoice_id}/factur-x.xml",
    summary="The CII XML embedded in the issued invoice's PDF",
    responses={200: {"content": {"application/xml": {}}, "description": "The CII XML"}},
    response_class=Response,
)
def invoice_xml(invoice_id: UUID, services: ServicesDep, principal: Reader) -> Response:
    ctx = _reading(services, principal)
    try:
        file = services.app.documents.issued(ctx, PrintedKind.INVOICE, invoice_id, None)
    except RendererUnavailable as error:
        return problem(503, "renderer-unavailable", str(error))
    xml = embedded_xml(file.data)
    if xml is None:
        raise NotFound(f"invoice {invoice_id} was issued as a PDF without Factur-X XML")
    name = file.file_name.removesuffix(".pdf") + ".xml"
    return Response(
        content=xml,
        media_type="application/xml",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.get(
    "/invoices/{invoice_id}/dunning-letter.pdf",
    summary="The dunning letter of level N about an overdue invoice (issued once, then served)",
    responses=PDF_RESPONSES,
    response_class=Response,
)
def dunning_letter_pdf(
    invoice_id: UUID,
    services: ServicesDep,
    principal: Reader,
    level: Annotated[int, Query(ge=1, le=MAX_LEVEL)] = 1,
    render: Render = "issued",
    preview: Preview = False,
) -> Response:
    kind = PrintedKind.DUNNING_LETTER
    return _pdf(services, principal, kind, invoice_id, f"L{level}", render, preview)


@router.get(
    "/documents/by-sha256/{sha256}",
    summary="Which document a file is, by the SHA-256 of its bytes (404: not one issued)",
)
def identify(
    sha256: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")], services: ServicesDep, _: Reader
) -> IdentifiedView:
    found = services.app.documents.identify_digest(sha256)
    if found is None:
        raise NotFound(f"Comptoir issued no file whose SHA-256 is {sha256}")
    places = [
        FilePlaceView(
            kind=str(p.kind), source_id=p.source_id, edition=p.edition, rendered_at=p.rendered_at
        )
        for p in found.places
    ]
    return IdentifiedView(sha256=found.sha256, size=found.size, issued_as=places)


@router.get(
    "/documents/{kind}/{source_id}",
    summary="The editions issued (hash, template version) and the e-mails sent",
)
def printed_document(
    kind: PrintedKind, source_id: UUID, services: ServicesDep, _: Reader
) -> PrintedView:
    printed = services.app.documents.printed(kind, source_id)
    if printed is None:
        raise NotFound(f"nothing was issued as {kind} for document {source_id}")
    return PrintedView(
        kind=str(printed.kind),
        source_id=printed.source_id,
        editions=[RenditionView.of(r) for r in printed.editions.values()],
        sendings=[SendingView.of(s) for s in printed.sendings.values()],
    )


router.include_router(sending_router)
