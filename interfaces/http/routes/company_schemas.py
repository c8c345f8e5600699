"""Request and response bodies of the company's routes (issue 14)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from application.company import SetCompanyDetails
from domain.company import Company
from domain.company_details import CompanyDetails, LegalForm, Register, Registration
from domain.customer import Address, AddressKind
from domain.values import Money
from interfaces.http.routes.params import Day
from interfaces.http.schemas import Body, Percent, PositiveAmount, ShortText, Text

Identifier = Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[^\x00]*$")]


class RegistrationIn(BaseModel):
    """Where the company is registered: RCS (companies) or RM (craftspeople), and the city."""

    model_config = ConfigDict(extra="forbid")

    register_: Register = Field(default=Register.RCS, alias="register")
    city: ShortText = Field(min_length=1, examples=["Lyon"])


class CapitalIn(BaseModel):
    """The share capital and its currency."""

    model_config = ConfigDict(extra="forbid")

    amount: PositiveAmount = Field(examples=["10000"])
    currency: str = Field(default="EUR", min_length=3, max_length=3)


class SellerAddressIn(BaseModel):
    """The company's registered address, as invoices show it."""

    model_config = ConfigDict(extra="forbid")

    street: ShortText = Field(min_length=1, examples=["12 rue de la République"])
    postal_code: str = Field(max_length=20, examples=["69002"])
    city: ShortText = Field(min_length=1, examples=["Lyon"])
    country: str = Field(default="FR", min_length=2, max_length=2)


class CompanyIn(Body):
    """The seller's details. The first PUT establishes them; later ones amend them and
    need a `reason`. Identifiers may be typed with spaces; they are checked and stored
    compact. Companies (not EI, micro-entrepreneur or association) state a register and a
    share capital."""

    legal_name: ShortText = Field(min_length=1, examples=["Comptoir Lyonnais SAS"])
    legal_form: LegalForm
    siren: Identifier = Field(examples=["732 829 320"])
    siret: Identifier | None = Field(default=None, examples=["732 829 320 00074"])
    vat_number: Identifier | None = Field(default=None, examples=["FR44732829320"])
    registration: RegistrationIn | None = None
    share_capital: CapitalIn | None = None
    address: SellerAddressIn
    iban: Identifier | None = Field(default=None, examples=["FR14 2004 1010 0505 0001 3M02 606"])
    bic: Identifier | None = Field(default=None, examples=["PSSTFRPPLIL"])
    late_payment_rate: Percent | None = Field(
        default=None, description="Late-payment penalty rate, percent a year", examples=["12"]
    )
    footer: Text = Field(default="", description="Mentions printed at the foot of invoices")
    reporting_currency: str = Field(
        default="EUR",
        min_length=3,
        max_length=3,
        description="ISO 4217 code of the currency the views report in (pipeline, forecast, "
        "KPIs); a new value applies once the views are rebuilt or the server restarts",
        examples=["EUR"],
    )
    effective_on: Day | None = Field(
        default=None, description="The day these details take effect (default: today)"
    )

    def command(self, today: date) -> SetCompanyDetails:
        capital = self.share_capital
        registration = self.registration
        details = CompanyDetails(
            legal_name=self.legal_name,
            legal_form=self.legal_form,
            siren=self.siren,
            address=Address(
                AddressKind.BILLING,
                self.address.street,
                self.address.postal_code,
                self.address.city,
                self.address.country,
                self.legal_name,
            ),
            siret=self.siret,
            vat_number=self.vat_number,
            registration=None
            if registration is None
            else Registration(registration.register_, registration.city),
            share_capital=None if capital is None else Money(capital.amount, capital.currency),
            iban=self.iban,
            bic=self.bic,
            late_payment_rate=self.late_payment_rate,
            footer=self.footer,
            reporting_currency=self.reporting_currency,
        )
        return SetCompanyDetails(details, self.effective_on or today)


class LogoView(BaseModel):
    sha256: str
    media_type: str
    size: int
    href: str = "/company/logo"


class CompanyView(BaseModel):
    """The seller's details as they stand (or stood, at a version or a recorded time)."""

    id: UUID
    version: int
    legal_name: str
    legal_form: str
    siren: str
    siret: str | None
    vat_number: str | None
    registration: str | None
    share_capital: Decimal | None
    capital_currency: str | None
    address: SellerAddressIn
    iban: str | None
    bic: str | None
    late_payment_rate: Decimal | None
    footer: str
    reporting_currency: str
    effective_on: date
    logo: LogoView | None
    established_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, company: Company) -> CompanyView:
        d = company.details
        logo = company.logo
        return cls(
            id=company.id,
            version=company.version,
            legal_name=d.legal_name,
            legal_form=str(d.legal_form),
            siren=d.siren,
            siret=d.siret,
            vat_number=d.vat_number,
            registration=None if d.registration is None else str(d.registration),
            share_capital=None if d.share_capital is None else d.share_capital.amount,
            capital_currency=None if d.share_capital is None else d.share_capital.currency,
            address=SellerAddressIn(
                street=d.address.street,
                postal_code=d.address.postal_code,
                city=d.address.city,
                country=d.address.country,
            ),
            iban=d.iban,
            bic=d.bic,
            late_payment_rate=d.late_payment_rate,
            footer=d.footer,
            reporting_currency=d.reporting_currency,
            effective_on=company.effective_on,
            logo=None if logo is None else LogoView(**vars(logo)),
            established_at=company.established_at,
            updated_at=company.modified_on,
        )
