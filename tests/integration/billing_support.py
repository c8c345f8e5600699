"""What a command that issues an invoice needs: the company established as the seller,
and a customer to bill (contracts, service cases and affairs bill their customer)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID
from weakref import WeakKeyDictionary

from application.app import Comptoir
from application.journal import CommandContext
from domain.customer import Address, AddressKind
from tests.integration.company_support import establish_company

_CUSTOMERS: WeakKeyDictionary[Comptoir, UUID] = WeakKeyDictionary()
REGISTERED_AT = datetime(2020, 1, 2, 9, tzinfo=UTC)


def billable_customer(app: Comptoir) -> UUID:
    """The application's customer with a billing address, registered on first use along
    with the company's settings (in effect from 2020)."""
    known = _CUSTOMERS.get(app)
    if known is not None:
        return known
    establish_company(app)
    ctx = CommandContext(actor="carla", at=REGISTERED_AT)
    customer_id = app.customers.register(ctx, name="Martin SA").aggregate_id
    address = Address(AddressKind.BILLING, "1 rue de la Paix", "75002", "Paris", "FR")
    app.customers.add_address(ctx, customer_id, address)
    _CUSTOMERS[app] = customer_id
    return customer_id
