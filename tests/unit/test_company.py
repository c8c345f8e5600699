"""Company (issue 14): the seller's settings, established once, amended with a reason and an
effective date, with a logo checked by its bytes; replaying the events gives the same state."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.company import COMPANY_ID, Company
from domain.company_details import (
    LOGO_MAX_BYTES,
    CompanyDetails,
    LegalForm,
    Register,
    Registration,
    check_details,
    logo_of,
)
from domain.customer import Address, AddressKind
from domain.errors import (
    AmendmentBeforeLastEffective,
    AmendmentChangesNothing,
    AmountOutOfBounds,
    DomainError,
    IdentifiersDisagree,
    InvalidAmount,
    InvalidBic,
    InvalidIban,
    InvalidInput,
    InvalidLogo,
    InvalidSiren,
    InvalidSiret,
    InvalidVatNumber,
    ReasonRequired,
    UnknownCurrency,
)
from domain.values import Money
from tests.unit.replay import replay, state_of

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
JAN = date(2026, 1, 1)
LYON = Address(AddressKind.BILLING, "12 rue de la République", "69002", "Lyon", "FR")
SAS = CompanyDetails(
    legal_name="Comptoir Lyonnais SAS",
    legal_form=LegalForm.SAS,
    siren="732829320",
    address=LYON,
    siret="73282932000074",
    vat_number="FR44732829320",
    registration=Registration(Register.RCS, "Lyon"),
    share_capital=Money(Decimal("10000"), "EUR"),
    iban="FR1420041010050500013M02606",
    bic="PSSTFRPPLIL",
    late_payment_rate=Decimal("12"),
    footer="Escompte pour paiement anticipé : néant.",
)
NEW_IBAN = "FR7630006000011234567890189"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>'


def refused(company: Company, error: type[DomainError], command: Callable[[], object]) -> None:
    """The command raises `error` and records nothing."""
    company.collect_events()
    version = company.version
    with pytest.raises(error):
        command()
    assert company.collect_events() == []
    assert company.version == version


def established() -> Company:
    return Company.establish(AT, SAS, JAN)


def test_the_company_is_established_under_the_one_fixed_id() -> None:
    company = established()
    assert company.id == COMPANY_ID
    assert Company.establish(AT, SAS, JAN).id == COMPANY_ID
    assert company.details == SAS
    assert company.effective_on == JAN
    assert company.logo is None


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"legal_name": " "}, InvalidInput),
        ({"legal_name": "x" * 201}, InvalidInput),
        ({"footer": "x" * 2001}, InvalidInput),
        ({"legal_form": "GmbH"}, InvalidInput),
        ({"siren": "73282932"}, InvalidSiren),
        ({"siret": "7328293200007"}, InvalidSiret),
        ({"siret": "40483304800022"}, IdentifiersDisagree),
        ({"vat_number": "FR 44 732"}, InvalidVatNumber),
        ({"vat_number": "FR40303265045"}, IdentifiersDisagree),
        ({"registration": None}, InvalidInput),
        ({"registration": Registration(Register.RCS, "")}, InvalidInput),
        ({"registration": Registration("XYZ", "Lyon")}, InvalidInput),  # type: ignore[arg-type]
        ({"share_capital": None}, InvalidInput),
        ({"share_capital": Money(Decimal("0"), "EUR")}, InvalidAmount),
        ({"share_capital": Money(Decimal("1E13"), "EUR")}, AmountOutOfBounds),
        ({"share_capital": Money(Decimal("0.0000001"), "EUR")}, AmountOutOfBounds),
        ({"iban": "FR14 2004"}, InvalidIban),
        ({"bic": "PSSTFRPP1"}, InvalidBic),
        ({"iban": None}, InvalidInput),  # a BIC without an IBAN
        ({"late_payment_rate": Decimal("-1")}, InvalidAmount),
        ({"late_payment_rate": Decimal("101")}, AmountOutOfBounds),
    ],
)
def test_establishing_refuses_details_an_invoice_could_not_state(
    change: dict[str, object], error: type[DomainError]
) -> None:
    with pytest.raises(error):
        Company.establish(AT, replace(SAS, **change), JAN)  # type: ignore[arg-type]


def test_an_unknown_capital_currency_is_refused() -> None:
    with pytest.raises(UnknownCurrency):
        check_details(replace(SAS, share_capital=Money(Decimal(1), "ZZZ")))


def test_a_sole_trader_states_no_capital_and_may_be_registered_nowhere() -> None:
    micro = replace(
        SAS,
        legal_form=LegalForm.MICRO_ENTREPRENEUR,
        share_capital=None,
        registration=None,
        vat_number=None,
        iban=None,
        bic=None,
    )
    assert Company.establish(AT, micro, JAN).details.share_capital is None
    craftsman = replace(micro, legal_form=LegalForm.EI, registration=Registration("RM", "Rhône"))
    assert str(Company.establish(AT, craftsman, JAN).details.registration) == "RM Rhône"
    with pytest.raises(InvalidInput, match="share_capital"):
        Company.establish(AT, replace(micro, share_capital=Money(Decimal(1), "EUR")), JAN)


def test_an_amendment_records_what_changed_why_and_from_when() -> None:
    company = established()
    company.collect_events()
    company.amend(AT, replace(SAS, iban=NEW_IBAN), "new bank", date(2026, 4, 1))
    (event,) = company.collect_events()
    assert type(event).__qualname__ == "Company.Amended"
    assert event.changed == ["iban"]  # type: ignore[attr-defined]
    assert event.reason == "new bank"  # type: ignore[attr-defined]
    assert company.details.iban == NEW_IBAN
    assert company.effective_on == date(2026, 4, 1)


def test_an_amendment_needs_a_reason_a_change_and_a_date_not_before_the_last() -> None:
    company = established()
    company.amend(AT, replace(SAS, iban=NEW_IBAN), "new bank", date(2026, 4, 1))
    moved = replace(SAS, iban=NEW_IBAN, legal_name="Comptoir Rhodanien SAS")
    refused(company, ReasonRequired, lambda: company.amend(AT, moved, " ", date(2026, 5, 1)))
    refused(
        company,
        AmendmentChangesNothing,
        lambda: company.amend(AT, replace(SAS, iban=NEW_IBAN), "again", date(2026, 5, 1)),
    )
    refused(
        company,
        AmendmentBeforeLastEffective,
        lambda: company.amend(AT, moved, "renamed", date(2026, 3, 31)),
    )
    refused(
        company,
        InvalidSiren,
        lambda: company.amend(AT, replace(moved, siren="1"), "typo", date(2026, 5, 1)),
    )
    company.amend(AT, moved, "renamed", date(2026, 4, 1))  # the same day is fine
    assert company.details == moved


def test_the_details_in_effect_on_a_day_follow_the_effective_dates() -> None:
    company = established()
    company.amend(AT, replace(SAS, iban=NEW_IBAN), "new bank", date(2026, 4, 1))
    company.amend(AT, replace(SAS, iban=NEW_IBAN, footer=""), "shorter", date(2026, 4, 1))
    assert company.details_on(date(2025, 12, 31)) is None
    assert company.details_on(date(2026, 3, 31)) == SAS
    assert company.details_on(date(2026, 4, 1)) == replace(SAS, iban=NEW_IBAN, footer="")
    assert company.details_on(date(2030, 1, 1)) == company.details


def test_a_logo_is_referenced_by_the_sha256_of_its_bytes() -> None:
    company = established()
    logo = logo_of(PNG, "image/png")
    assert logo.sha256 == hashlib.sha256(PNG).hexdigest()
    assert logo.size == len(PNG)
    company.change_logo(AT, logo)
    assert company.logo == logo
    refused(company, AmendmentChangesNothing, lambda: company.change_logo(AT, logo))
    company.change_logo(AT, logo_of(JPEG, "image/jpeg"))
    assert company.logo is not None
    assert company.logo.media_type == "image/jpeg"


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (PNG, "image/gif"),
        (b"", "image/png"),
        (JPEG, "image/png"),
        (PNG, "image/jpeg"),
        (PNG, "image/svg+xml"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * LOGO_MAX_BYTES, "image/png"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/svg+xml",
        ),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"></svg>', "image/svg+xml"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><svg/>', "image/svg+xml"),
        (b"<html><body></body></html>", "image/svg+xml"),
    ],
)
def test_a_logo_that_is_not_the_image_it_claims_or_too_large_is_refused(
    data: bytes, media_type: str
) -> None:
    with pytest.raises(InvalidLogo):
        logo_of(data, media_type)


def test_a_plain_svg_and_a_logo_of_exactly_512_kib_are_taken() -> None:
    assert logo_of(SVG, "image/svg+xml").media_type == "image/svg+xml"
    largest = b"\x89PNG\r\n\x1a\n" + b"\x00" * (LOGO_MAX_BYTES - 8)
    assert logo_of(largest, "image/png").size == LOGO_MAX_BYTES


def test_replaying_the_events_gives_the_live_company() -> None:
    company = established()
    company.amend(AT, replace(SAS, iban=NEW_IBAN), "new bank", date(2026, 4, 1))
    company.change_logo(AT, logo_of(SVG, "image/svg+xml"))
    replayed = replay(company.collect_events(), Company)
    assert state_of(replayed) == state_of(company)
    assert replayed.details_on(date(2026, 3, 1)) == SAS


IBANS = st.sampled_from([SAS.iban, NEW_IBAN, "GB82WEST12345698765432", None])
FOOTERS = st.sampled_from(["", "Pénalités : 3 × le taux légal.", "TVA acquittée sur les débits"])


@given(
    st.lists(
        st.tuples(IBANS, FOOTERS, st.integers(min_value=-30, max_value=60), st.booleans()),
        max_size=12,
    )
)
def test_any_sequence_of_amendments_keeps_dates_in_order_and_replays(
    steps: list[tuple[str | None, str, int, bool]],
) -> None:
    company = established()
    for iban, footer, days, with_reason in steps:
        details = replace(SAS, iban=iban, bic=None, footer=footer)
        on = company.effective_on + timedelta(days=days)
        try:
            company.amend(AT, details, "why" if with_reason else "", on)
        except DomainError:
            continue
        assert company.details == details
    dates = [entry.on for entry in company.timeline]
    assert dates == sorted(dates)
    assert company.details_on(company.effective_on) == company.details
    assert state_of(replay(company.collect_events(), Company)) == state_of(company)
