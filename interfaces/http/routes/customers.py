"""Customer commands and reads (U1, U2): register, status, credit limit, VAT, addresses."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Response, status

from application.journal import CommandContext
from domain.customer import Customer
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
from interfaces.http.results import AddressResult
from interfaces.http.routes.customer_schemas import (
    AddressFields,
    AddressId,
    AddressIn,
    ContactIn,
    CreditLimitIn,
    CustomerIn,
    CustomerView,
    LegalIdentityIn,
    MarkInactiveIn,
    VatNumberIn,
)
from interfaces.http.schemas import Accepted, CommandAnswer, HistoryItem
from interfaces.http.security import MANAGERS, READERS, SELLERS, command, reader

router = APIRouter(prefix="/customers", tags=["customers"], responses=ERROR_RESPONSES)

Seller = Annotated[CommandContext, command(SELLERS)]
Manager = Annotated[CommandContext, command(MANAGERS)]
Reader = reader(READERS)

BASE = "/customers"


@router.post("", status_code=status.HTTP_201_CREATED, summary="Register a customer (U1)")
def register_customer(
    body: CustomerIn, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.customers.register(
        replace(ctx, reason=body.reason),
        name=body.name,
        status=body.status,
        vat_number=body.vat_number,
        credit_limit=body.credit_limit,
        currency=body.currency,
    )
    return created(outcome, response, BASE)


@router.post("/{customer_id}/qualify", summary="A prospect becomes qualified (U1)")
def qualify(
    customer_id: UUID,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> Accepted:
    outcome = services.app.customers.qualify(with_reason(ctx, body), customer_id)
    return accepted(outcome, response, BASE)


@router.post("/{customer_id}/make-customer", summary="A prospect becomes a customer (U1)")
def make_customer(
    customer_id: UUID,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> Accepted:
    outcome = services.app.customers.make_customer(with_reason(ctx, body), customer_id)
    return accepted(outcome, response, BASE)


@router.post("/{customer_id}/abandon", summary="Give up on a prospect, with a reason (U1)")
def abandon(
    customer_id: UUID,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> Accepted:
    outcome = services.app.customers.abandon(with_reason(ctx, body), customer_id)
    return accepted(outcome, response, BASE)


@router.post("/{customer_id}/reactivate", summary="Bring back an inactive or abandoned party")
def reactivate(
    customer_id: UUID,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> Accepted:
    outcome = services.app.customers.reactivate(with_reason(ctx, body), customer_id)
    return accepted(outcome, response, BASE)


@router.post("/{customer_id}/mark-inactive", summary="No quote for 18 months: inactive (U2)")
def mark_inactive(
    customer_id: UUID,
    body: MarkInactiveIn,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
) -> Accepted:
    outcome = services.app.customers.mark_inactive(
        replace(ctx, reason=body.reason), customer_id, last_quote_at=body.last_quote_at
    )
    return accepted(outcome, response, BASE)


@router.put("/{customer_id}/credit-limit", summary="Set the credit limit (managers)")
def set_credit_limit(
    customer_id: UUID,
    body: CreditLimitIn,
    ctx: Manager,
    services: ServicesDep,
    response: Response,
) -> Accepted:
    outcome = services.app.customers.set_credit_limit(
        replace(ctx, reason=body.reason), customer_id, body.credit_limit
    )
    return accepted(outcome, response, BASE)


@router.put("/{customer_id}/vat-number", summary="Set or clear the VAT number (checked)")
def set_vat_number(
    customer_id: UUID,
    body: VatNumberIn,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
) -> Accepted:
    outcome = services.app.customers.set_vat_number(
        replace(ctx, reason=body.reason), customer_id, body.vat_number
    )
    return accepted(outcome, response, BASE)


@router.put(
    "/{customer_id}/legal-identity",
    summary="Set the legal name, SIREN and SIRET invoices state (checked)",
)
def set_legal_identity(
    customer_id: UUID,
    body: LegalIdentityIn,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
) -> Accepted:
    outcome = services.app.customers.set_legal_identity(
        replace(ctx, reason=body.reason), customer_id, body.command()
    )
    return accepted(outcome, response, BASE)


@router.post(
    "/{customer_id}/addresses", status_code=status.HTTP_201_CREATED, summary="Add an address"
)
def add_address(
    customer_id: UUID,
    body: AddressIn,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
) -> CommandAnswer[AddressResult]:
    outcome = services.app.customers.add_address(
        replace(ctx, reason=body.reason), customer_id, body.value_object(), body.address_id
    )
    return accepted(outcome, response, BASE, AddressResult)


@router.put("/{customer_id}/addresses/{address_id}", summary="Replace an address")
def change_address(
    customer_id: UUID,
    address_id: AddressId,
    body: AddressFields,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
) -> CommandAnswer[AddressResult]:
    outcome = services.app.customers.change_address(
        replace(ctx, reason=body.reason), customer_id, address_id, body.value_object()
    )
    return accepted(outcome, response, BASE, AddressResult)


@router.post(
    "/{customer_id}/contacts", status_code=status.HTTP_201_CREATED, summary="Add a contact"
)
def add_contact(
    customer_id: UUID,
    body: ContactIn,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
) -> Accepted:
    outcome = services.app.customers.add_contact(
        replace(ctx, reason=body.reason), customer_id, body.value_object()
    )
    return accepted(outcome, response, BASE)


@router.get(
    "/{customer_id}",
    summary="The customer from the event store: now, at a version, or as of a recorded time",
    dependencies=[Reader],
)
def get_customer(
    customer_id: UUID,
    services: ServicesDep,
    response: Response,
    version: Version = None,
    as_of: AsOf = None,
) -> CustomerView:
    commands = services.app.customers
    customer = read_document(
        services.app, Customer, customer_id, version, as_of, commands.get, response
    )
    return CustomerView.of(customer)


@router.get(
    "/{customer_id}/history",
    summary="Every event of the customer with who, when and why",
    dependencies=[Reader],
)
def customer_history(customer_id: UUID, services: ServicesDep) -> list[HistoryItem]:
    return document_history(services.app, customer_id, "Customer")


@router.get(
    "/{customer_id}/diff",
    summary="What changed between two versions of the customer, in the diff format of "
    "every document (H2)",
    dependencies=[Reader],
)
def customer_diff(
    customer_id: UUID, services: ServicesDep, from_: FromVersion, to: ToVersion
) -> DocumentDiff:
    get = services.app.customers.get
    before, after = (CustomerView.of(get(customer_id, v)) for v in (from_, to))
    return diff_of(before, after, from_, to)
