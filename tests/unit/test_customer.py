"""Customer: status ladder, credit limit, addresses, contacts, VAT number, inactivity (U1, U2)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from domain.customer import (
    TRANSITIONS,
    Address,
    AddressKind,
    Contact,
    Customer,
    CustomerStatus,
    months_before,
)
from domain.errors import (
    CustomerStillActive,
    DomainError,
    DuplicateAddress,
    InvalidAmount,
    InvalidInput,
    InvalidTransition,
    InvalidVatNumber,
    ReasonRequired,
    UnknownAddress,
    UnknownCurrency,
)
from tests.unit.replay import replay, state_of

AT = datetime(2024, 1, 10, 9, tzinfo=UTC)
HQ = Address(AddressKind.BILLING, "12 rue de la Paix", "75002", "Paris", "FR")


def refused(customer: Customer, error: type[DomainError], command: Callable[[], object]) -> None:
    customer.collect_events()
    with pytest.raises(error):
        command()
    assert len(customer.collect_events()) == 0


def names(customer: Customer) -> list[str]:
    return [type(e).__qualname__ for e in customer.collect_events()]


def test_a_party_registers_as_a_prospect_by_default() -> None:
    customer = Customer.register(AT, "Boulangerie Martin")
    assert (customer.status, customer.currency, customer.credit_limit) == ("prospect", "EUR", None)
    assert names(customer) == ["Customer.Registered"]


def test_a_party_can_register_as_a_customer_with_vat_number_and_credit_limit() -> None:
    customer = Customer.register(
        AT, "Acme", status="customer", vat_number="FR40303265045", credit_limit=Decimal("5000")
    )
    assert (customer.status, customer.vat_number, customer.credit_limit) == (
        CustomerStatus.CUSTOMER,
        "FR40303265045",
        Decimal("5000"),
    )


def test_registration_refuses_bad_names_statuses_currencies_and_limits() -> None:
    with pytest.raises(InvalidInput):
        Customer.register(AT, " ")
    with pytest.raises(InvalidInput):
        Customer.register(AT, "Acme", status="inactive")
    with pytest.raises(UnknownCurrency):
        Customer.register(AT, "Acme", currency="ZZZ")
    with pytest.raises(InvalidAmount):
        Customer.register(AT, "Acme", credit_limit=Decimal("-1"))
    with pytest.raises(InvalidVatNumber):
        Customer.register(AT, "Acme", vat_number="fr 40 303")


def test_a_prospect_is_qualified_then_becomes_a_customer() -> None:
    customer = Customer.register(AT, "Acme")
    customer.collect_events()
    customer.qualify(AT)
    customer.make_customer(AT)
    assert names(customer) == ["Customer.Qualified", "Customer.BecameCustomer"]
    assert customer.status == CustomerStatus.CUSTOMER


def test_a_customer_cannot_go_back_to_prospect_or_be_abandoned() -> None:
    customer = Customer.register(AT, "Acme", status="customer")
    refused(customer, InvalidTransition, lambda: customer.qualify(AT))
    refused(customer, InvalidTransition, lambda: customer.abandon(AT, "gone"))
    refused(customer, InvalidTransition, lambda: customer.reactivate(AT))


def test_an_abandoned_prospect_needs_a_reason_and_can_be_reactivated() -> None:
    customer = Customer.register(AT, "Acme", status="qualified")
    refused(customer, ReasonRequired, lambda: customer.abandon(AT, ""))
    customer.abandon(AT, "chose a competitor")
    assert (customer.status, customer.abandon_reason) == ("abandoned", "chose a competitor")
    customer.reactivate(AT)
    assert (customer.status, customer.abandon_reason) == ("prospect", None)


def test_every_status_has_a_row_in_the_transition_table() -> None:
    assert set(TRANSITIONS) == set(CustomerStatus)


def test_credit_limit_vat_number_addresses_and_contacts_are_recorded() -> None:
    customer = Customer.register(AT, "Acme")
    customer.collect_events()
    customer.set_credit_limit(AT, Decimal("2500.00"))
    customer.set_vat_number(AT, "BE0403019261")
    customer.add_address(AT, "hq", HQ)
    site = Address(AddressKind.SITE, "1 quai Nord", "69001", "Lyon", "FR", name="Plant")
    customer.add_address(AT, "lyon", site)
    moved = Address(AddressKind.BILLING, "3 avenue Foch", "75016", "Paris", "FR")
    customer.change_address(AT, "hq", moved)
    customer.add_contact(AT, Contact("Jeanne Roux", "jeanne@acme.fr", "+33 1 23", "buyer"))
    assert names(customer) == [
        "Customer.CreditLimitSet",
        "Customer.VatNumberSet",
        "Customer.AddressAdded",
        "Customer.AddressAdded",
        "Customer.AddressChanged",
        "Customer.ContactAdded",
    ]
    assert customer.credit_limit == Decimal("2500.00")
    assert customer.addresses == {"hq": moved, "lyon": site}
    assert customer.contacts[0].role == "buyer"


def test_address_and_contact_mistakes_are_refused() -> None:
    customer = Customer.register(AT, "Acme")
    customer.add_address(AT, "hq", HQ)
    refused(customer, DuplicateAddress, lambda: customer.add_address(AT, "hq", HQ))
    refused(customer, UnknownAddress, lambda: customer.change_address(AT, "plant", HQ))
    refused(customer, InvalidVatNumber, lambda: customer.set_vat_number(AT, "FR 403"))
    refused(customer, InvalidAmount, lambda: customer.set_credit_limit(AT, Decimal("NaN")))
    with pytest.raises(InvalidInput):
        Address("office", "1 rue", "75001", "Paris", "FR")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        Address(AddressKind.SITE, "1 rue", "75001", "Paris", "France")
    with pytest.raises(InvalidInput):
        Contact("Jeanne", email="not-an-address")


# ---- U2: inactivity ---------------------------------------------------------------------


def test_eighteen_months_before_is_a_calendar_date() -> None:
    assert months_before(date(2026, 1, 15), 18) == date(2024, 7, 15)
    assert months_before(date(2025, 8, 31), 18) == date(2024, 2, 29)


def test_a_customer_with_no_quote_for_eighteen_months_becomes_inactive() -> None:
    customer = Customer.register(AT, "Acme", status="customer")
    customer.collect_events()
    last_quote = datetime(2024, 7, 15, 16, tzinfo=UTC)
    customer.mark_inactive(AT, last_quote_at=last_quote, today=date(2026, 1, 15))
    assert names(customer) == ["Customer.MarkedInactive"]
    assert customer.status == CustomerStatus.INACTIVE


def test_a_customer_with_a_quote_in_the_last_eighteen_months_stays_active() -> None:
    customer = Customer.register(AT, "Acme", status="customer")
    last_quote = datetime(2024, 7, 16, 8, tzinfo=UTC)
    refused(
        customer,
        CustomerStillActive,
        lambda: customer.mark_inactive(AT, last_quote_at=last_quote, today=date(2026, 1, 15)),
    )
    assert customer.status == CustomerStatus.CUSTOMER


def test_without_any_quote_the_registration_date_counts_as_last_activity() -> None:
    customer = Customer.register(AT, "Acme")  # registered 2024-01-10
    refused(
        customer,
        CustomerStillActive,
        lambda: customer.mark_inactive(AT, last_quote_at=None, today=date(2025, 7, 9)),
    )
    customer.mark_inactive(AT, last_quote_at=None, today=date(2025, 7, 10))
    assert customer.status == CustomerStatus.INACTIVE


def test_the_inactivity_period_can_be_shortened() -> None:
    customer = Customer.register(AT, "Acme", status="customer")
    last_quote = datetime(2025, 1, 15, tzinfo=UTC)
    customer.mark_inactive(AT, last_quote_at=last_quote, today=date(2026, 1, 15), months=12)
    assert customer.status == CustomerStatus.INACTIVE


def test_reactivating_restores_the_status_held_before_going_inactive() -> None:
    customer = Customer.register(AT, "Acme", status="qualified")
    customer.mark_inactive(AT, None, today=date(2026, 1, 1))
    refused(customer, InvalidTransition, lambda: customer.mark_inactive(AT, None, date(2027, 1, 1)))
    customer.collect_events()
    customer.reactivate(AT)
    assert names(customer) == ["Customer.Reactivated"]
    assert customer.status == CustomerStatus.QUALIFIED


def test_replaying_a_customer_gives_the_same_state() -> None:
    customer = Customer.register(AT, "Acme", vat_number="FR40303265045")
    customer.add_address(AT, "hq", HQ)
    customer.add_contact(AT, Contact("Jeanne Roux"))
    customer.make_customer(AT)
    customer.mark_inactive(AT, None, today=date(2026, 1, 1))
    events = customer.collect_events()
    assert state_of(replay(events, Customer)) == state_of(customer)
