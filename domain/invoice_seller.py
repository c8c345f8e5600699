"""The seller as an issued invoice states it (issue 14): the company's details in effect
on the issue date, copied into the `Issued` event so the invoice never follows a later
amendment, and the hash of the logo it was printed with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.company_details import CompanyDetails
from domain.errors import InvalidInput, SellerNotEstablished


@dataclass(frozen=True)
class Seller:
    """Legal name and form, SIREN, VAT number, registration, capital, address, IBAN/BIC,
    late-payment rate and footer as in effect on the issue date, and the logo's SHA-256."""

    details: CompanyDetails
    logo_sha256: str | None = None


def checked_seller(seller: Seller | None, issue_date: date) -> Seller:
    """The seller an invoice of `issue_date` states; refused when no settings are in
    effect on that day (the company not established, or only later)."""
    if seller is None:
        raise SellerNotEstablished(
            f"no company settings are in effect on {issue_date}: establish the company "
            "(PUT /company) before issuing"
        )
    if not isinstance(seller, Seller) or not isinstance(seller.details, CompanyDetails):
        raise InvalidInput(f"a seller expected, got {seller!r}")
    return seller
