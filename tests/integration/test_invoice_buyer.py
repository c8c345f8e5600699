"""An issued invoice copies the buyer's legal identity and delivery address as they stood
that day: a later change to the customer never reaches it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from application.app import Comptoir
from application.customers import SetLegalIdentity
from domain.customer import Address, AddressKind
from interfaces.settings import Settings
from tests.integration.company_support import establish_company
from tests.integration.test_invoice_commands import TODAY, ctx, customer, draft

SITE = Address(AddressKind.DELIVERY, "8 quai des Docks", "13002", "Marseille", "FR")


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    establish_company(app)
    yield app
    app.close()


def test_the_buyer_is_named_by_its_legal_identity_as_it_stood(app: Comptoir) -> None:
    customer_id = customer(app)
    identity = SetLegalIdentity("Martin Société Anonyme", siret="303 265 045 00003")
    app.customers.set_legal_identity(ctx(), customer_id, identity)
    app.customers.add_address(ctx(), customer_id, SITE)
    invoice_id = draft(app, customer_id)
    app.invoices.issue(ctx(), invoice_id, issue_date=TODAY - timedelta(days=1))
    later = SetLegalIdentity("Martin Holding", siret="303 265 045 00003")
    app.customers.set_legal_identity(ctx(), customer_id, later)

    buyer = app.invoices.get(invoice_id).buyer
    assert buyer is not None
    assert buyer.name == "Martin Société Anonyme"
    assert (buyer.siren, buyer.siret) == ("303265045", "30326504500003")
    assert buyer.vat_number == "FR40303265045"
    assert buyer.billing_address is not None
    assert buyer.billing_address.city == "Paris"
    assert buyer.delivery_address == SITE
