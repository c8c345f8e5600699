"""The buyer and the seller as an issued invoice names them (issue 14), as response bodies."""

from __future__ import annotations

from pydantic import BaseModel, Field

from domain.customer import Address
from domain.invoice_seller import Seller
from domain.invoice_terms import Buyer
from interfaces.http.schemas import InCurrency, MoneyOut, NumberOut


class AddressView(BaseModel):
    street: str
    postal_code: str
    city: str
    country: str
    name: str


class BuyerView(BaseModel):
    name: str
    vat_number: str | None
    billing_address: AddressView | None
    siren: str | None = None
    siret: str | None = None
    delivery_address: AddressView | None = None


class CapitalView(InCurrency):
    amount: MoneyOut
    currency: str


class SellerView(BaseModel):
    """The company's details in effect on the issue date, as the invoice states them."""

    legal_name: str
    legal_form: str
    siren: str
    siret: str | None
    vat_number: str | None
    registration: str | None = Field(examples=["RCS Lyon"])
    share_capital: CapitalView | None
    address: AddressView
    iban: str | None
    bic: str | None
    late_payment_rate: NumberOut | None = Field(description="Percent a year")
    footer: str
    logo_sha256: str | None = Field(description="The logo the invoice was issued with")


def address_view(address: Address) -> AddressView:
    return AddressView(
        street=address.street,
        postal_code=address.postal_code,
        city=address.city,
        country=address.country,
        name=address.name,
    )


def buyer_view(buyer: Buyer | None) -> BuyerView | None:
    if buyer is None:
        return None
    address = buyer.billing_address
    return BuyerView(
        name=buyer.name,
        vat_number=buyer.vat_number,
        billing_address=None if address is None else address_view(address),
        siren=buyer.siren,
        siret=buyer.siret,
        delivery_address=None
        if buyer.delivery_address is None
        else address_view(buyer.delivery_address),
    )


def seller_view(seller: Seller | None) -> SellerView | None:
    if seller is None:
        return None
    details, capital = seller.details, seller.details.share_capital
    return SellerView(
        legal_name=details.legal_name,
        legal_form=details.legal_form,
        siren=details.siren,
        siret=details.siret,
        vat_number=details.vat_number,
        registration=None if details.registration is None else str(details.registration),
        share_capital=None
        if capital is None
        else CapitalView(amount=capital.amount, currency=capital.currency),
        address=address_view(details.address),
        iban=details.iban,
        bic=details.bic,
        late_payment_rate=details.late_payment_rate,
        footer=details.footer,
        logo_sha256=seller.logo_sha256,
    )
