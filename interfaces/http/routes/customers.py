"""Customer commands and reads (U1, U2): register, status, credit limit, VAT, addresses."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Response, status
from pydantic import BaseModel, Field

from application.journal import CommandContext
from domain.customer import Address, AddressKind, Contact, Customer
from interfaces.http.deps import ServicesDep
from interfaces.http.history import AsOf, Version, document_history, read_document
from interfaces.http.problems import ERROR_RESPONSES
from interfaces.http.responses import OptionalBody, accepted, created, with_reason
from interfaces.http.schemas import Accepted, Amount, Body, HistoryItem, ShortText
from interfaces.http.security import MANAGERS, READERS, SELLERS, command, reader

router = APIRouter(prefix="/customers", tags=["customers"], responses=ERROR_RESPONSES)

Seller = Annotated[CommandContext, command(SELLERS)]
Manager = Annotated[CommandContext, command(MANAGERS)]
Reader = reader(READERS)

BASE = "/customers"

VatNumber = Annotated[str, Field(min_length=2, max_length=40, examples=["FR40303265045"])]
AddressId = Annotated[str, Path(min_length=1, max_length=40)]


class CustomerIn(Body):
    """A new party: a prospect, a qualified prospect or a customer (U1)."""

    name: ShortText = Field(min_length=1, examples=["Boulangerie Martin"])
    status: Literal["prospect", "qualified", "customer"] = "prospect"
    vat_number: VatNumber | None = None
    credit_limit: Amount | None = Field(default=None, ge=0, examples=["5000.00"])
    currency: str = Field(default="EUR", min_length=3, max_length=3)


class MarkInactiveIn(Body):
    """When the customer's last quote was made (none: never), for the 18-month rule (U2)."""

    last_quote_at: datetime | None = None


class CreditLimitIn(Body):
    """A credit limit in the customer's currency; null for no limit."""

    credit_limit: Amount | None = Field(ge=0, examples=["5000.00"])


class VatNumberIn(Body):
    """A VAT number, with or without spaces; null clears it."""

    vat_number: VatNumber | None


class AddressFields(Body):
    kind: AddressKind
    street: ShortText = Field(min_length=1)
    postal_code: str = Field(max_length=20)
    city: ShortText = Field(min_length=1)
    country: str = Field(min_length=2, max_length=2, examples=["FR"])
    name: ShortText = ""

    def value_object(self) -> Address:
        return Address(self.kind, self.street, self.postal_code, self.city, self.country, self.name)


class AddressIn(AddressFields):
    """A new address; its id is generated (`A1`, `A2` …) when none is given."""

    address_id: str | None = Field(default=None, min_length=1, max_length=40)


class ContactIn(Body):
    """A contact person at the customer."""

    name: ShortText = Field(min_length=1)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    role: ShortText | None = None

    def value_object(self) -> Contact:
        return Contact(self.name, self.email, self.phone, self.role)


class AddressView(BaseModel):
    address_id: str
    kind: str
    street: str
    postal_code: str
    city: str
    country: str
    name: str


class ContactView(BaseModel):
    name: str
    email: str | None
    phone: str | None
    role: str | None


class CustomerView(BaseModel):
    """A customer as it stands (or stood, at a given version)."""

    id: UUID
    version: int
    name: str
    status: str
    vat_number: str | None
    credit_limit: Decimal | None
    currency: str
    addresses: list[AddressView]
    contacts: list[ContactView]
    abandon_reason: str | None
    registered_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, customer: Customer) -> CustomerView:
        return cls(
            id=customer.id,
            version=customer.version,
            name=customer.name,
            status=str(customer.status),
            vat_number=customer.vat_number,
            credit_limit=customer.credit_limit,
            currency=customer.currency,
            addresses=[
                AddressView(
                    address_id=address_id,
                    kind=str(a.kind),
                    street=a.street,
                    postal_code=a.postal_code,
                    city=a.city,
                    country=a.country,
                    name=a.name,
                )
                for address_id, a in customer.addresses.items()
            ],
            contacts=[
                ContactView(name=c.name, email=c.email, phone=c.phone, role=c.role)
                for c in customer.contacts
            ],
            abandon_reason=customer.abandon_reason,
            registered_at=customer.registered_at,
            updated_at=customer.modified_on,
        )


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


@router.post(
    "/{customer_id}/addresses", status_code=status.HTTP_201_CREATED, summary="Add an address"
)
def add_address(
    customer_id: UUID,
    body: AddressIn,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
) -> Accepted:
    outcome = services.app.customers.add_address(
        replace(ctx, reason=body.reason), customer_id, body.value_object(), body.address_id
    )
    return accepted(outcome, response, BASE)


@router.put("/{customer_id}/addresses/{address_id}", summary="Replace an address")
def change_address(
    customer_id: UUID,
    address_id: AddressId,
    body: AddressFields,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
) -> Accepted:
    outcome = services.app.customers.change_address(
        replace(ctx, reason=body.reason), customer_id, address_id, body.value_object()
    )
    return accepted(outcome, response, BASE)


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
