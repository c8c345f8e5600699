"""Request and response bodies of the customers' routes (U1, U2)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import Path
from pydantic import BaseModel, Field

from application.customers import SetLegalIdentity
from domain.customer import Address, AddressKind, Contact, Customer
from interfaces.http.routes.params import Instant
from interfaces.http.schemas import Amount, Body, InCurrency, MoneyOut, ShortText

VatNumber = Annotated[str, Field(min_length=2, max_length=40, examples=["FR40303265045"])]
AddressId = Annotated[str, Path(min_length=1, max_length=40)]
Siren = Annotated[str, Field(min_length=9, max_length=20, examples=["732 829 320"])]
Siret = Annotated[str, Field(min_length=14, max_length=30, examples=["732 829 320 00074"])]


class CustomerIn(Body):
    """A new party: a prospect, a qualified prospect or a customer (U1)."""

    name: ShortText = Field(min_length=1, examples=["Boulangerie Martin"])
    status: Literal["prospect", "qualified", "customer"] = "prospect"
    vat_number: VatNumber | None = None
    credit_limit: Amount | None = Field(default=None, examples=["5000.00"])
    currency: str = Field(default="EUR", min_length=3, max_length=3)


class MarkInactiveIn(Body):
    """When the customer's last quote was made (none: never), for the 18-month rule (U2)."""

    last_quote_at: Instant | None = None


class CreditLimitIn(Body):
    """A credit limit in the customer's currency; null for no limit."""

    credit_limit: Amount | None = Field(examples=["5000.00"])


class VatNumberIn(Body):
    """A VAT number, with or without spaces; null clears it."""

    vat_number: VatNumber | None


class LegalIdentityIn(Body):
    """The buyer's identity on invoices; each is checked (python-stdnum), null clears it.

    A SIRET alone gives its SIREN; a French VAT number already set must be the SIREN's.
    """

    legal_name: ShortText | None = Field(default=None, examples=["Boulangerie Martin SARL"])
    siren: Siren | None = None
    siret: Siret | None = None

    def command(self) -> SetLegalIdentity:
        return SetLegalIdentity(self.legal_name, self.siren, self.siret)


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


class CustomerView(InCurrency):
    """A customer as it stands (or stood, at a given version)."""

    id: UUID
    version: int
    name: str
    status: str
    legal_name: str | None
    siren: str | None
    siret: str | None
    vat_number: str | None
    credit_limit: MoneyOut | None
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
            legal_name=customer.legal_name,
            siren=customer.siren,
            siret=customer.siret,
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
