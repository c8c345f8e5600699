"""Legal and bank identifiers (issue 14): python-stdnum's check digits in the adapter, shape
and consistency in the domain, with real valid and invalid numbers (stdnum's own)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import tva as stdnum_tva

from adapters import identifiers as ids
from domain.errors import (
    IdentifiersDisagree,
    InvalidBic,
    InvalidIban,
    InvalidIdentifier,
    InvalidSiren,
    InvalidSiret,
    InvalidVatNumber,
)
from domain.identifiers import check_siren, check_siret, check_vat_of, french_vat_of


@pytest.mark.parametrize(
    ("typed", "compact"),
    [("732829320", "732829320"), ("404 833 048", "404833048"), ("552.008.443", "552008443")],
)
def test_a_siren_with_a_right_check_digit_is_taken_in_compact_form(
    typed: str, compact: str
) -> None:
    assert ids.siren(typed) == compact


@pytest.mark.parametrize("number", ["732829321", "404833047", "12345678", "73282932A", ""])
def test_a_siren_with_a_wrong_check_digit_or_length_is_refused_naming_the_field(
    number: str,
) -> None:
    with pytest.raises(InvalidSiren) as refused:
        ids.siren(number, "buyer.siren")
    assert refused.value.field == "buyer.siren"
    assert str(refused.value).startswith("buyer.siren: ")


def test_a_siret_is_checked_with_its_establishment_digits() -> None:
    assert ids.siret("732 829 320 00074") == "73282932000074"
    assert ids.siret("35600000000048") == "35600000000048"  # La Poste's own rule
    for wrong in ("73282932000079", "7328293200007", "7328293200007A"):
        with pytest.raises(InvalidSiret):
            ids.siret(wrong)


def test_an_iban_is_checked_by_country_format_and_mod_97() -> None:
    assert ids.iban("FR14 2004 1010 0505 0001 3M02 606") == "FR1420041010050500013M02606"
    assert ids.iban("GB82 WEST 1234 5698 7654 32") == "GB82WEST12345698765432"
    for wrong in ("FR15 2004 1010 0505 0001 3M02 606", "FR14 2004 1010", "XX00 1234 5678 9012"):
        with pytest.raises(InvalidIban) as refused:
            ids.iban(wrong)
        assert refused.value.field == "iban"


def test_a_bic_has_8_or_11_characters_and_a_known_country() -> None:
    assert ids.bic("AGRIFRPP882") == "AGRIFRPP882"
    assert ids.bic("psst fr pp lil") == "PSSTFRPPLIL"
    for wrong in ("AGRIFRPP88", "AGRI1RPP", "AGRIXXPP"):
        with pytest.raises(InvalidBic):
            ids.bic(wrong)


def test_a_vat_number_is_checked_for_its_country_and_names_its_field() -> None:
    assert ids.vat_number("FR 44 732 829 320") == "FR44732829320"
    assert ids.vat_number("BE0403019261") == "BE0403019261"
    with pytest.raises(InvalidVatNumber, match=r"^seller.vat_number: "):
        ids.vat_number("FR45732829320", "seller.vat_number")


def test_an_optional_identifier_passes_none_through() -> None:
    assert ids.optional(ids.siret, None, "siret") is None
    assert ids.optional(ids.siret, "73282932000074", "siret") == "73282932000074"


def test_every_identifier_error_is_an_invalid_identifier_carrying_the_value() -> None:
    with pytest.raises(InvalidIdentifier) as refused:
        ids.iban("FR00", "iban")
    assert refused.value.value == "FR00"


def test_the_french_vat_number_of_a_siren_is_made_of_its_key() -> None:
    assert french_vat_of("732829320") == "FR44732829320"
    assert french_vat_of("303265045") == "FR40303265045"


@given(st.integers(min_value=0, max_value=10**8 - 1))
def test_the_domain_key_agrees_with_python_stdnum_for_any_siren(prefix: int) -> None:
    digits = f"{prefix:08d}"
    siren = digits + luhn.calc_check_digit(digits)
    vat = french_vat_of(siren)
    assert stdnum_tva.is_valid(vat)
    assert vat == "FR" + stdnum_siren.to_tva(siren)


def test_the_domain_checks_shapes_and_that_identifiers_belong_together() -> None:
    assert check_siren("732829320") == "732829320"
    with pytest.raises(InvalidSiren):
        check_siren("73282932")
    assert check_siret("73282932000074", "732829320") == "73282932000074"
    with pytest.raises(InvalidSiret):
        check_siret("7328293200007", None)
    with pytest.raises(IdentifiersDisagree, match=r"^siret: "):
        check_siret("40483304800022", "732829320")
    assert check_vat_of("FR44732829320", "732829320") == "FR44732829320"
    assert check_vat_of("BE0403019261", "732829320") == "BE0403019261"  # not French
    with pytest.raises(IdentifiersDisagree, match=r"^vat_number: "):
        check_vat_of("FR40303265045", "732829320")
