"""The seller's settings that invoice and payment tests establish before issuing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from application.app import Comptoir
from application.company import SetCompanyDetails
from application.journal import CommandContext
from domain.company_details import CompanyDetails, LegalForm, Register, Registration
from domain.customer import Address, AddressKind
from domain.values import Money

DETAILS = CompanyDetails(
    legal_name="Comptoir Lyonnais SAS",
    legal_form=LegalForm.SAS,
    siren="732 829 320",
    address=Address(AddressKind.BILLING, "12 rue de la République", "69002", "Lyon", "FR"),
    vat_number="FR 44 732 829 320",
    registration=Registration(Register.RCS, "Lyon"),
    share_capital=Money(Decimal("10000"), "EUR"),
    iban="FR14 2004 1010 0505 0001 3M02 606",
    bic="PSSTFRPPLIL",
    late_payment_rate=Decimal("12.5"),
)


def establish_company(app: Comptoir, effective_on: date = date(2020, 1, 1)) -> None:
    """The company's settings in effect from `effective_on`."""
    at = datetime(2020, 1, 1, 8, tzinfo=UTC)
    app.company.establish(
        CommandContext(actor="maud", at=at), SetCompanyDetails(DETAILS, effective_on)
    )
