"""The accounting hand-over over HTTP (I7): the FEC file and the sales journal of a range
of issue dates, for accountants (and auditors and managers, who read every figure)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from application.accounting import load_mapping
from application.fec import SEPARATORS, AccountingExports, journal_json
from domain.access import Role
from interfaces.http.deps import ServicesDep
from interfaces.http.problems import ERROR_RESPONSES
from interfaces.http.routes.params import DAY_RULE, Day
from interfaces.http.security import reader
from interfaces.wiring import Services

router = APIRouter(prefix="/accounting", tags=["accounting"], responses=ERROR_RESPONSES)

ACCOUNTING = frozenset({Role.ACCOUNTANT, Role.AUDITOR, Role.MANAGER})
From = Annotated[Day, Query(alias="from", description=f"First issue date, {DAY_RULE}")]
To = Annotated[Day, Query(alias="to", description=f"Last issue date (included), {DAY_RULE}")]
MAX_LISTED = 50  # numbers named in the X-Not-Exported header


class JournalDocument(BaseModel):
    """One invoice or credit note of the sales journal; a credit note's amounts are < 0."""

    issue_date: date
    number: str
    kind: str
    customer_id: UUID
    customer: str
    currency: str
    credited_number: str | None
    net_by_rate: dict[str, Decimal]
    vat_by_rate: dict[str, Decimal]
    net: Decimal
    vat: Decimal
    gross: Decimal


class SalesJournal(BaseModel):
    """The documents issued in the range, totals per currency, and the numbers left out
    (orders' invoices, which no invoice document holds), with the dates they lie between."""

    from_: date = Field(alias="from")
    to: date
    documents: list[JournalDocument]
    totals: dict[str, dict[str, Decimal]]
    not_exported: list[str]


def exports(services: Services) -> AccountingExports:
    return AccountingExports(services.app.runner, load_mapping(services.settings.accounts_file))


@router.get(
    "/fec",
    summary="The FEC (art. A47 A-1 LPF) of the documents issued in the range, in EUR",
    dependencies=[reader(ACCOUNTING)],
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "The FEC file"}},
)
def fec(
    services: ServicesDep,
    start: From,
    end: To,
    separator: Annotated[Literal["tab", "pipe"], Query()] = "tab",
) -> Response:
    export = exports(services).fec(start, end, SEPARATORS[separator])
    missing = [line.split(" ")[0] for line in export.report.not_exported]
    headers = {
        "Content-Disposition": f'attachment; filename="{export.filename}"',
        "X-Documents": str(export.report.documents),
        "X-Not-Exported-Count": str(len(missing)),
    }
    if missing:
        headers["X-Not-Exported"] = " ".join(missing[:MAX_LISTED])
    return Response(export.text, media_type="text/plain; charset=utf-8", headers=headers)


@router.get(
    "/sales-journal",
    summary="The sales journal: each document's net and VAT per rate and total",
    dependencies=[reader(ACCOUNTING)],
)
def sales_journal(services: ServicesDep, start: From, end: To) -> SalesJournal:
    rows, report = exports(services).sales_journal(start, end)
    return SalesJournal.model_validate(journal_json(rows, report))
