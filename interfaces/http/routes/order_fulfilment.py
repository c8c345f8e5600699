"""Order fulfilment and billing: deliveries (O3), returns (O7), invoices, deposits and
credit notes (O5), payments (O6). Invoices and deposits are issued as invoice documents;
their credit notes and payments go through `/invoices` and `/payments`, reached from
here by the order's invoice number; invoices kept inside older orders stay as they were."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Response, status

from application.order_documents import credit_request_of, document_of, payment_of
from domain.order import NonConformity
from interfaces.http.deps import ServicesDep
from interfaces.http.problems import ERROR_RESPONSES
from interfaces.http.responses import accepted, created
from interfaces.http.results import (
    DeliveryResult,
    InvoiceIssued,
    OrderCredited,
    PaymentResult,
    ReturnResult,
)
from interfaces.http.routes.order_schemas import (
    CreditNoteIn,
    DeliveryIn,
    DepositIn,
    InvoiceIn,
    PaymentIn,
    ReturnIn,
)
from interfaces.http.routes.orders import BASE, Biller, OrderId, Seller
from interfaces.http.schemas import CommandAnswer

router = APIRouter(tags=["orders"], responses=ERROR_RESPONSES)


@router.post(
    f"{BASE}/{{order_id}}/deliveries",
    status_code=status.HTTP_201_CREATED,
    summary="Record a delivery (O3)",
)
def record_delivery(
    order_id: OrderId, body: DeliveryIn, ctx: Seller, services: ServicesDep, response: Response
) -> CommandAnswer[DeliveryResult]:
    outcome = services.app.orders.record_delivery(
        replace(ctx, reason=body.reason),
        order_id,
        body.quantities,
        body.delivery_id,
        body.delivered_on or ctx.at.date(),
    )
    return accepted(outcome, response, BASE, DeliveryResult)


@router.post(
    f"{BASE}/{{order_id}}/returns",
    status_code=status.HTTP_201_CREATED,
    summary="Record a return with its non-conformity (O7)",
)
def record_return(
    order_id: OrderId, body: ReturnIn, ctx: Seller, services: ServicesDep, response: Response
) -> CommandAnswer[ReturnResult]:
    nc = body.non_conformity
    outcome = services.app.orders.record_return(
        replace(ctx, reason=body.reason),
        order_id,
        body.quantities,
        NonConformity(nc.description, nc.cause, nc.action),
        body.return_id,
        body.returned_on or ctx.at.date(),
    )
    return accepted(outcome, response, BASE, ReturnResult)


@router.post(
    f"{BASE}/{{order_id}}/invoices",
    status_code=status.HTTP_201_CREATED,
    summary="Invoice quantities per line: an invoice document, deposits deducted (O5)",
)
def invoice_order(
    order_id: OrderId, body: InvoiceIn, ctx: Biller, services: ServicesDep, response: Response
) -> CommandAnswer[InvoiceIssued]:
    outcome = services.app.orders.invoice(
        replace(ctx, reason=body.reason), order_id, body.quantities, body.terms(ctx.at.date())
    )
    return accepted(outcome, response, BASE, InvoiceIssued)


@router.post(
    f"{BASE}/{{order_id}}/deposit-invoices",
    status_code=status.HTTP_201_CREATED,
    summary="Issue a deposit invoice document (O5)",
)
def deposit_invoice(
    order_id: OrderId, body: DepositIn, ctx: Biller, services: ServicesDep, response: Response
) -> CommandAnswer[InvoiceIssued]:
    outcome = services.app.orders.deposit_invoice(
        replace(ctx, reason=body.reason),
        order_id,
        percent=body.percent,
        amount=body.amount,
        terms=body.terms(ctx.at.date()),
    )
    return accepted(outcome, response, BASE, InvoiceIssued)


@router.post(
    f"{BASE}/{{order_id}}/credit-notes",
    status_code=status.HTTP_201_CREATED,
    summary="Issue a credit note against an invoice (O5); for an invoice document, the "
    "credit note is a document too (the answer names it, under /invoices)",
)
def credit_note(
    order_id: OrderId, body: CreditNoteIn, ctx: Biller, services: ServicesDep, response: Response
) -> CommandAnswer[OrderCredited]:
    app, ctx = services.app, replace(ctx, reason=body.reason)
    order = app.orders.get(order_id)
    invoice_id = document_of(order, body.invoice_number)
    if invoice_id is not None:
        request = credit_request_of(order, body.invoice_number, body.quantities, body.amount)
        day = body.issue_date or ctx.at.date()
        document_ctx = replace(ctx, expected_version=None)  # a version names the order's
        outcome = app.invoices.credit(document_ctx, invoice_id, request=request, issue_date=day)
        return created(outcome, response, "/invoices", OrderCredited)
    outcome = app.orders.credit_note(
        ctx, order_id, body.invoice_number, quantities=body.quantities, amount=body.amount
    )
    return accepted(outcome, response, BASE, OrderCredited)


@router.post(
    f"{BASE}/{{order_id}}/payments",
    status_code=status.HTTP_201_CREATED,
    summary="Record a payment against an invoice (O6); for an invoice document, a payment "
    "allocated to it (the answer names it, under /payments)",
)
def record_payment(
    order_id: OrderId, body: PaymentIn, ctx: Biller, services: ServicesDep, response: Response
) -> CommandAnswer[PaymentResult]:
    app, ctx = services.app, replace(ctx, reason=body.reason)
    order = app.orders.get(order_id)
    if document_of(order, body.invoice_number) is not None:
        day = body.value_date or ctx.at.date()
        payment = payment_of(order, body.invoice_number, body.amount, body.method, day)
        outcome = app.payments.record(replace(ctx, expected_version=None), payment)
        return created(outcome, response, "/payments", PaymentResult)
    outcome = app.orders.record_payment(
        ctx, order_id, body.invoice_number, body.amount, body.method
    )
    return accepted(outcome, response, BASE, PaymentResult)
