"""Payments (issue 14): money received from a customer, allocated across its issued
invoices; a payment by voucher (S6) spends the voucher it names in the same command.
Accountants and managers record; sales and auditors read."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Response, status

from application.journal import CommandContext
from domain.payment import Payment
from interfaces.http.deps import ServicesDep
from interfaces.http.history import AsOf, Version, document_history, read_document
from interfaces.http.problems import ERROR_RESPONSES
from interfaces.http.responses import created
from interfaces.http.results import PaymentResult
from interfaces.http.routes.payment_schemas import PaymentIn, PaymentView
from interfaces.http.schemas import CommandAnswer, HistoryItem
from interfaces.http.security import BILLING, READERS, command, reader

router = APIRouter(prefix="/payments", tags=["payments"], responses=ERROR_RESPONSES)

Accountant = Annotated[CommandContext, command(BILLING)]
Reader = reader(READERS)

BASE = "/payments"


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Record a payment allocated to a customer's invoices (409 above what is due, "
    "dated in the future, or beyond its voucher's balance or validity)",
)
def record_payment(
    body: PaymentIn, ctx: Accountant, services: ServicesDep, response: Response
) -> CommandAnswer[PaymentResult]:
    outcome = services.app.payments.record(
        replace(ctx, reason=body.reason), body.command(ctx.at.date())
    )
    return created(outcome, response, BASE, PaymentResult)


@router.get(
    "/{payment_id}",
    summary="The payment from the event store: now, at a version, or as of a recorded time",
    dependencies=[Reader],
)
def get_payment(
    payment_id: UUID,
    services: ServicesDep,
    response: Response,
    version: Version = None,
    as_of: AsOf = None,
) -> PaymentView:
    app = services.app
    payment = read_document(app, Payment, payment_id, version, as_of, app.payments.get, response)
    return PaymentView.of(payment)


@router.get(
    "/{payment_id}/history",
    summary="Every event of the payment with who, when and why",
    dependencies=[Reader],
)
def payment_history(payment_id: UUID, services: ServicesDep) -> list[HistoryItem]:
    return document_history(services.app, payment_id, "Payment")
