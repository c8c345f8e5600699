"""Value vouchers (S6, issue 14): issued for an amount and a validity, spent by payments
with `means: voucher` (`POST /payments`), cancelled. Accountants and managers issue and
cancel; sales and auditors read."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response, status

from application.journal import CommandContext
from domain.voucher import Voucher
from interfaces.http.deps import ServicesDep
from interfaces.http.history import AsOf, Version, document_history, read_document
from interfaces.http.problems import ERROR_RESPONSES
from interfaces.http.responses import OptionalBody, accepted, created, with_reason
from interfaces.http.results import VoucherCancelled, VoucherIssued
from interfaces.http.routes.voucher_schemas import VoucherIn, VoucherView
from interfaces.http.schemas import CommandAnswer, HistoryItem
from interfaces.http.security import BILLING, READERS, command, reader

router = APIRouter(prefix="/vouchers", tags=["vouchers"], responses=ERROR_RESPONSES)

Accountant = Annotated[CommandContext, command(BILLING)]
Reader = reader(READERS)
# Checked by the domain (`invalid-voucher-code`); bounded here so no long text reaches it.
Code = Annotated[str, Path(min_length=1, max_length=40)]

BASE = "/vouchers"


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Issue a voucher to a customer or to bearer; the result names its code",
)
def issue_voucher(
    body: VoucherIn, ctx: Accountant, services: ServicesDep, response: Response
) -> CommandAnswer[VoucherIssued]:
    outcome = services.app.vouchers.issue(with_reason(ctx, body), body.command(ctx.at.date()))
    return created(outcome, response, BASE, VoucherIssued)


@router.post(
    "/{voucher_id}/cancel",
    summary="Cancel a voucher: what it has left is forfeited (409 once spent or cancelled)",
)
def cancel_voucher(
    voucher_id: UUID,
    ctx: Accountant,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> CommandAnswer[VoucherCancelled]:
    outcome = services.app.vouchers.cancel(with_reason(ctx, body), voucher_id)
    return accepted(outcome, response, BASE, VoucherCancelled)


@router.get(
    "/by-code/{code}",
    summary="The voucher holding a code",
    dependencies=[Reader],
)
def voucher_by_code(code: Code, services: ServicesDep, response: Response) -> VoucherView:
    voucher = services.app.vouchers.by_code(code)
    response.headers["ETag"] = f'"{voucher.version}"'
    return VoucherView.of(voucher)


@router.get(
    "/{voucher_id}",
    summary="The voucher from the event store: now, at a version, or as of a recorded time",
    dependencies=[Reader],
)
def get_voucher(
    voucher_id: UUID,
    services: ServicesDep,
    response: Response,
    version: Version = None,
    as_of: AsOf = None,
) -> VoucherView:
    app = services.app
    voucher = read_document(app, Voucher, voucher_id, version, as_of, app.vouchers.get, response)
    return VoucherView.of(voucher)


@router.get(
    "/{voucher_id}/history",
    summary="Every event of the voucher with who, when and why",
    dependencies=[Reader],
)
def voucher_history(voucher_id: UUID, services: ServicesDep) -> list[HistoryItem]:
    return document_history(services.app, voucher_id, "Voucher")
