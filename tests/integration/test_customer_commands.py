"""Customer commands on the real SQLite and Postgres stores."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from application.app import Comptoir
from application.errors import IdempotencyKeyReused
from application.journal import CommandContext
from domain.customer import Address, AddressKind, Contact, CustomerStatus
from domain.errors import (
    CustomerStillActive,
    DuplicateAddress,
    InvalidAmount,
    InvalidInput,
    InvalidTransition,
    InvalidVatNumber,
    NotFound,
    ReasonRequired,
    UnknownAddress,
)
from interfaces.settings import Settings

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
HQ = Address(AddressKind.BILLING, "1 rue de la Paix", "75002", "Paris", "FR", "Head office")


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    yield app
    app.close()


def ctx(**kwargs: Any) -> CommandContext:
    kwargs.setdefault("actor", "alice")
    kwargs.setdefault("at", AT)
    return CommandContext(**kwargs)


def prospect(app: Comptoir, **kwargs: Any) -> UUID:
    return app.customers.register(ctx(), name="Boulangerie Martin", **kwargs).aggregate_id


def test_registering_stores_the_vat_number_in_compact_form_with_who_and_why(
    app: Comptoir,
) -> None:
    registered = app.customers.register(
        ctx(reason="trade fair"),
        name="Martin SA",
        status="customer",
        vat_number="FR 40 303 265 045",
        credit_limit=Decimal("5000.00"),
    )
    customer = app.customers.get(registered.aggregate_id)
    assert customer.vat_number == "FR40303265045"
    assert customer.status == CustomerStatus.CUSTOMER
    assert customer.credit_limit == Decimal("5000.00")
    history = app.history(registered.aggregate_id)
    assert [h.type for h in history] == ["Customer.Registered"]
    assert history[0].journal is not None
    record = history[0].journal.record
    assert (record.actor, record.reason, record.command) == (
        "alice",
        "trade fair",
        "customer.register",
    )


def test_an_invalid_vat_number_is_refused_before_the_domain_and_appends_nothing(
    app: Comptoir,
) -> None:
    before = app.log_position()
    with pytest.raises(InvalidVatNumber):
        app.customers.register(ctx(), name="Martin SA", vat_number="FR 40 303 265 046")
    customer_id = prospect(app)
    with pytest.raises(InvalidVatNumber):
        app.customers.set_vat_number(ctx(), customer_id, "XX123")
    assert app.log_position() == before + 1


def test_a_prospect_is_qualified_then_made_a_customer_and_cannot_go_back(
    app: Comptoir,
) -> None:
    customer_id = prospect(app)
    app.customers.qualify(ctx(), customer_id)
    assert app.customers.get(customer_id).status == CustomerStatus.QUALIFIED
    app.customers.make_customer(ctx(), customer_id)
    assert app.customers.get(customer_id).status == CustomerStatus.CUSTOMER
    with pytest.raises(InvalidTransition):
        app.customers.qualify(ctx(), customer_id)


def test_abandoning_needs_a_reason_and_reactivation_brings_the_prospect_back(
    app: Comptoir,
) -> None:
    customer_id = prospect(app)
    with pytest.raises(ReasonRequired):
        app.customers.abandon(ctx(), customer_id)
    app.customers.abandon(ctx(reason="went to a competitor"), customer_id)
    abandoned = app.customers.get(customer_id)
    assert abandoned.status == CustomerStatus.ABANDONED
    assert abandoned.abandon_reason == "went to a competitor"
    app.customers.reactivate(ctx(), customer_id)
    assert app.customers.get(customer_id).status == CustomerStatus.PROSPECT


def test_a_customer_quiet_for_18_months_is_marked_inactive_and_a_recent_one_is_not(
    app: Comptoir,
) -> None:
    customer_id = prospect(app, status="customer")
    with pytest.raises(CustomerStillActive):
        app.customers.mark_inactive(
            ctx(), customer_id, last_quote_at=datetime(2026, 1, 5, tzinfo=UTC)
        )
    later = ctx(at=datetime(2028, 6, 1, tzinfo=UTC))
    app.customers.mark_inactive(later, customer_id, last_quote_at=datetime(2026, 1, 5, tzinfo=UTC))
    assert app.customers.get(customer_id).status == CustomerStatus.INACTIVE
    app.customers.reactivate(ctx(at=datetime(2028, 7, 1, tzinfo=UTC)), customer_id)
    assert app.customers.get(customer_id).status == CustomerStatus.CUSTOMER


def test_the_inactivity_delay_comes_from_the_company_policy(settings: Settings) -> None:
    from application.policies import Policies

    app = Comptoir(settings.eventstore_env(), policies=Policies(inactive_after_months=6))
    try:
        customer_id = prospect(app)
        app.customers.mark_inactive(
            ctx(), customer_id, last_quote_at=datetime(2026, 4, 1, tzinfo=UTC)
        )
        assert app.history(customer_id)[-1].journal.record.command == "customer.mark_inactive"  # type: ignore[union-attr]
        assert app.customers.get(customer_id).status == CustomerStatus.INACTIVE
    finally:
        app.close()


def test_the_credit_limit_is_set_and_cleared_and_never_negative(app: Comptoir) -> None:
    customer_id = prospect(app)
    app.customers.set_credit_limit(ctx(actor="maud"), customer_id, Decimal("2500.00"))
    assert app.customers.get(customer_id).credit_limit == Decimal("2500.00")
    app.customers.set_credit_limit(ctx(), customer_id, None)
    assert app.customers.get(customer_id).credit_limit is None
    with pytest.raises(InvalidAmount):
        app.customers.set_credit_limit(ctx(), customer_id, Decimal("-1"))


def test_the_vat_number_is_set_compact_and_can_be_cleared(app: Comptoir) -> None:
    customer_id = prospect(app)
    app.customers.set_vat_number(ctx(), customer_id, "fr40303265045")
    assert app.customers.get(customer_id).vat_number == "FR40303265045"
    app.customers.set_vat_number(ctx(), customer_id, None)
    assert app.customers.get(customer_id).vat_number is None


def test_addresses_get_free_ids_and_are_changed_by_id(app: Comptoir) -> None:
    customer_id = prospect(app)
    first = app.customers.add_address(ctx(), customer_id, HQ)
    named = app.customers.add_address(ctx(), customer_id, HQ, address_id="A2")
    third = app.customers.add_address(ctx(), customer_id, HQ)
    assert [first.result, named.result, third.result] == [
        {"address_id": "A1"},
        {"address_id": "A2"},
        {"address_id": "A3"},
    ]
    depot = Address(AddressKind.DELIVERY, "5 quai Sud", "69007", "Lyon", "FR")
    app.customers.change_address(ctx(), customer_id, "A2", depot)
    assert app.customers.get(customer_id).addresses["A2"] == depot
    with pytest.raises(DuplicateAddress):
        app.customers.add_address(ctx(), customer_id, HQ, address_id="A1")
    with pytest.raises(UnknownAddress):
        app.customers.change_address(ctx(), customer_id, "Z9", depot)


def test_contacts_are_added_and_a_bad_email_is_refused(app: Comptoir) -> None:
    customer_id = prospect(app)
    app.customers.add_contact(ctx(), customer_id, Contact("Anne Martin", "anne@martin.fr"))
    assert [c.name for c in app.customers.get(customer_id).contacts] == ["Anne Martin"]
    with pytest.raises(InvalidInput):
        Contact("Bob", "not-an-email")


def test_a_retried_registration_returns_the_first_customer_and_a_reused_key_is_refused(
    app: Comptoir,
) -> None:
    first = app.customers.register(ctx(idempotency_key="c-1"), name="Martin SA")
    before = app.log_position()
    again = app.customers.register(ctx(idempotency_key="c-1"), name="Martin SA")
    assert again.replayed
    assert again.aggregate_id == first.aggregate_id
    with pytest.raises(IdempotencyKeyReused):
        app.customers.register(ctx(idempotency_key="c-1"), name="Dupont SA")
    assert app.log_position() == before


def test_a_customer_reads_as_it_stood_at_an_earlier_version(app: Comptoir) -> None:
    customer_id = prospect(app)
    app.customers.qualify(ctx(), customer_id)
    assert app.customers.get(customer_id, 1).status == CustomerStatus.PROSPECT
    assert app.customers.get(customer_id).version == 2
    with pytest.raises(NotFound):
        app.customers.get(customer_id, 5)
    with pytest.raises(NotFound):
        app.customers.qualify(ctx(), uuid4())
