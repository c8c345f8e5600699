"""The buyer's legal identity on invoices (issue 14): legal name, SIREN and SIRET, consistent
with the VAT number; a new verb and event on Customer, replayed like the others."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from eventsourcing.domain import Snapshot

from domain.customer import Customer
from domain.errors import IdentifiersDisagree, InvalidInput, InvalidSiren, InvalidSiret
from tests.unit.replay import replay, state_of

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


def customer(vat_number: str | None = None) -> Customer:
    return Customer.register(AT, "Boulangerie Martin", vat_number=vat_number)


def test_a_customer_has_no_legal_identity_until_one_is_set() -> None:
    c = customer()
    assert (c.legal_name, c.siren, c.siret) == (None, None, None)


def test_the_legal_name_siren_and_siret_are_set_and_cleared() -> None:
    c = customer("FR44732829320")
    c.set_legal_identity(AT, "Martin Boulangerie SARL", "732829320", "73282932000074")
    assert (c.legal_name, c.siren, c.siret) == (
        "Martin Boulangerie SARL",
        "732829320",
        "73282932000074",
    )
    c.set_legal_identity(AT, None, None, None)
    assert (c.legal_name, c.siren, c.siret) == (None, None, None)


def test_a_siret_alone_gives_its_siren() -> None:
    c = customer()
    c.set_legal_identity(AT, None, None, "73282932000074")
    assert c.siren == "732829320"


@pytest.mark.parametrize(
    ("legal_name", "siren", "siret", "error"),
    [
        (" ", None, None, InvalidInput),
        (None, "7328", None, InvalidSiren),
        (None, None, "732829", InvalidSiret),
        (None, "404833048", "73282932000074", IdentifiersDisagree),
        (None, "404833048", None, IdentifiersDisagree),  # the VAT number is 732829320's
    ],
)
def test_an_identity_that_is_malformed_or_disagrees_is_refused_and_records_nothing(
    legal_name: str | None, siren: str | None, siret: str | None, error: type[Exception]
) -> None:
    c = customer("FR44732829320")
    c.collect_events()
    with pytest.raises(error):
        c.set_legal_identity(AT, legal_name, siren, siret)
    assert c.collect_events() == []
    assert c.siren is None


def test_a_french_vat_number_set_later_must_be_the_sirens() -> None:
    c = customer()
    c.set_legal_identity(AT, None, "732829320", None)
    with pytest.raises(IdentifiersDisagree):
        c.set_vat_number(AT, "FR40303265045")
    c.set_vat_number(AT, "FR44732829320")
    c.set_vat_number(AT, "BE0403019261")  # a foreign number is not the SIREN's to check
    assert c.vat_number == "BE0403019261"


def test_replaying_the_events_gives_the_live_customer() -> None:
    c = customer("FR44732829320")
    c.set_legal_identity(AT, "Martin Boulangerie SARL", None, "73282932000074")
    assert state_of(replay(c.collect_events(), Customer)) == state_of(c)


def test_a_customer_snapshotted_without_the_identity_fields_still_loads() -> None:
    c = customer()
    snapshot = Snapshot.take(c)
    assert not {"legal_name", "siren", "siret"} & set(snapshot.state)
    restored = snapshot.mutate(None)
    assert (restored.legal_name, restored.siren, restored.siret) == (None, None, None)
