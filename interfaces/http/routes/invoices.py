"""Invoices and credit notes as documents (issue 14): drafts of free lines for a customer,
issuing under the series' next number, credit notes, and reads by id, number and time.

Accountants and managers issue and record; sales and auditors read.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response, status
from fastapi import Body as BodyParam

from application.journal import CommandContext
from domain.invoice import Invoice
from interfaces.http.deps import ServicesDep
from interfaces.http.diffs import DocumentDiff, diff_of
from interfaces.http.history import (
    AsOf,
    FromVersion,
    ToVersion,
    Version,
    document_history,
    read_document,
)
from interfaces.http.problems import ERROR_RESPONSES
from interfaces.http.responses import OptionalBody, accepted, created, with_reason
from interfaces.http.results import CreditNoteIssued, IssuedNumber, LineResult
from interfaces.http.routes.invoice_schemas import (
    CreditNoteIn,
    DetailsIn,
    InvoiceDraftIn,
    InvoiceLineIn,
    InvoiceLinePatch,
    InvoiceView,
    IssueIn,
)
from interfaces.http.routes.params import Day
from interfaces.http.schemas import Accepted, CommandAnswer, HistoryItem
from interfaces.http.security import BILLING, READERS, command, reader

router = APIRouter(prefix="/invoices", tags=["invoices"], responses=ERROR_RESPONSES)

Accountant = Annotated[CommandContext, command(BILLING)]
Reader = reader(READERS)
LineId = Annotated[str, Path(max_length=20)]
OverdueOn = Annotated[
    Day | None, Query(description="The day `overdue` answers for (absent: not computed)")
]
Number = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9-]+$")]

BASE = "/invoices"


@router.post("", status_code=status.HTTP_201_CREATED, summary="Draft an invoice (pro forma)")
def draft_invoice(
    body: InvoiceDraftIn, ctx: Accountant, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.invoices.draft(
        replace(ctx, reason=body.reason),
        customer_id=body.customer_id,
        currency=body.currency,
        details=body.details(),
    )
    return created(outcome, response, BASE)


@router.patch("/{invoice_id}", summary="Change a draft's terms, discounts or references")
def change_details(
    invoice_id: UUID, body: DetailsIn, ctx: Accountant, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.invoices.change_details(
        replace(ctx, reason=body.reason), invoice_id, body.changes()
    )
    return accepted(outcome, response, BASE)


@router.post(
    "/{invoice_id}/lines", status_code=status.HTTP_201_CREATED, summary="Add a line to a draft"
)
def add_line(
    invoice_id: UUID,
    body: InvoiceLineIn,
    ctx: Accountant,
    services: ServicesDep,
    response: Response,
) -> CommandAnswer[LineResult]:
    outcome = services.app.invoices.add_line(
        replace(ctx, reason=body.reason), invoice_id, body.line()
    )
    return accepted(outcome, response, BASE, LineResult)


@router.patch("/{invoice_id}/lines/{line_id}", summary="Change a draft's line")
def change_line(
    invoice_id: UUID,
    line_id: LineId,
    body: InvoiceLinePatch,
    ctx: Accountant,
    services: ServicesDep,
    response: Response,
) -> Accepted:
    outcome = services.app.invoices.change_line(
        replace(ctx, reason=body.reason), invoice_id, line_id, body.changes()
    )
    return accepted(outcome, response, BASE)


@router.delete("/{invoice_id}/lines/{line_id}", summary="Remove a draft's line")
def remove_line(
    invoice_id: UUID,
    line_id: LineId,
    ctx: Accountant,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> Accepted:
    outcome = services.app.invoices.remove_line(with_reason(ctx, body), invoice_id, line_id)
    return accepted(outcome, response, BASE)


@router.post(
    "/{invoice_id}/issue",
    summary="Issue a draft under the next INV number (409 for a date in the future or "
    "before the series' last)",
)
def issue_invoice(
    invoice_id: UUID,
    ctx: Accountant,
    services: ServicesDep,
    response: Response,
    body: Annotated[IssueIn | None, BodyParam()] = None,
) -> CommandAnswer[IssuedNumber]:
    body = body or IssueIn()
    outcome = services.app.invoices.issue(
        replace(ctx, reason=body.reason),
        invoice_id,
        issue_date=body.issue_date or ctx.at.date(),
    )
    return accepted(outcome, response, BASE, IssuedNumber)


@router.post(
    "/{invoice_id}/credit-notes",
    status_code=status.HTTP_201_CREATED,
    summary="Issue a credit note: whole, chosen lines, or an amount, never above what remains",
)
def credit_invoice(
    invoice_id: UUID,
    ctx: Accountant,
    services: ServicesDep,
    response: Response,
    body: Annotated[CreditNoteIn | None, BodyParam()] = None,
) -> CommandAnswer[CreditNoteIssued]:
    body = body or CreditNoteIn()
    outcome = services.app.invoices.credit(
        replace(ctx, reason=body.reason),
        invoice_id,
        request=body.request(),
        issue_date=body.issue_date or ctx.at.date(),
    )
    return created(outcome, response, BASE, CreditNoteIssued)


@router.get(
    "/by-number/{number}",
    summary="The invoice or credit note holding a number",
    dependencies=[Reader],
)
def invoice_by_number(
    number: Number, services: ServicesDep, response: Response, on: OverdueOn = None
) -> InvoiceView:
    invoice = services.app.invoices.by_number(number)
    response.headers["ETag"] = f'"{invoice.version}"'
    return InvoiceView.of(invoice, on)


@router.get(
    "/{invoice_id}",
    summary="The invoice from the event store: now, at a version, or as of a recorded time",
    dependencies=[Reader],
)
def get_invoice(
    invoice_id: UUID,
    services: ServicesDep,
    response: Response,
    version: Version = None,
    as_of: AsOf = None,
    on: OverdueOn = None,
) -> InvoiceView:
    app = services.app
    invoice = read_document(app, Invoice, invoice_id, version, as_of, app.invoices.get, response)
    return InvoiceView.of(invoice, on)


@router.get(
    "/{invoice_id}/history",
    summary="Every event of the invoice with who, when and why",
    dependencies=[Reader],
)
def invoice_history(invoice_id: UUID, services: ServicesDep) -> list[HistoryItem]:
    return document_history(services.app, invoice_id, "Invoice")


@router.get(
    "/{invoice_id}/diff",
    summary="What changed between two versions of the invoice (lines, status, credits, "
    "payments …), in the diff format of every document (H2)",
    dependencies=[Reader],
)
def invoice_diff(
    invoice_id: UUID, services: ServicesDep, from_: FromVersion, to: ToVersion
) -> DocumentDiff:
    get = services.app.invoices.get
    before, after = (InvoiceView.of(get(invoice_id, v), None) for v in (from_, to))
    return diff_of(before, after, from_, to)
