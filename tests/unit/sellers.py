"""A seller for invoice unit tests: the company's details an issued invoice states."""

from __future__ import annotations

from decimal import Decimal

from domain.company_details import CompanyDetails, LegalForm, Register, Registration
from domain.customer import Address, AddressKind
from domain.invoice_seller import Seller
from domain.values import Money

SELLER = Seller(
    CompanyDetails(
        legal_name="Comptoir Lyonnais SAS",
        legal_form=LegalForm.SAS,
        siren="732829320",
        address=Address(AddressKind.BILLING, "12 rue de la République", "69002", "Lyon", "FR"),
        vat_number="FR44732829320",
        registration=Registration(Register.RCS, "Lyon"),
        share_capital=Money(Decimal("10000"), "EUR"),
        iban="FR1420041010050500013M02606",
        bic="PSSTFRPPLIL",
        late_payment_rate=Decimal("12.5"),
    ),
    logo_sha256="ab" * 32,
)
