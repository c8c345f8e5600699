"""Company commands on the real SQLite and Postgres stores: who changed the IBAN, when and
why; the settings as they stood; the logo's bytes by their hash; the buyer's identity."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from application.app import Comptoir
from application.company import SetCompanyDetails
from application.customers import SetLegalIdentity
from application.journal import CommandContext
from domain.company import COMPANY_ID, Company
from domain.company_details import CompanyDetails, LegalForm, Register, Registration
from domain.customer import Address, AddressKind
from domain.errors import (
    CompanyAlreadyEstablished,
    CompanyNotEstablished,
    InvalidIban,
    InvalidSiren,
    NotFound,
    ReasonRequired,
)
from domain.values import Money
from interfaces.settings import Settings

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
TYPED = CompanyDetails(
    legal_name="Comptoir Lyonnais SAS",
    legal_form=LegalForm.SAS,
    siren="732 829 320",
    address=Address(AddressKind.BILLING, "12 rue de la République", "69002", "Lyon", "FR"),
    siret="732 829 320 00074",
    vat_number="FR 44 732 829 320",
    registration=Registration(Register.RCS, "Lyon"),
    share_capital=Money(Decimal("10000"), "EUR"),
    iban="FR14 2004 1010 0505 0001 3M02 606",
    bic="PSSTFRPPLIL",
)
OLD_IBAN = "FR1420041010050500013M02606"
NEW_IBAN = "FR7630006000011234567890189"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture
def config(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(update={"blob_dir": tmp_path / "blobs"})


@pytest.fixture
def app(config: Settings) -> Iterator[Comptoir]:
    app = Comptoir(config.eventstore_env())
    yield app
    app.close()


def ctx(**kwargs: Any) -> CommandContext:
    kwargs.setdefault("actor", "alice")
    kwargs.setdefault("at", AT)
    return CommandContext(**kwargs)


def establish(app: Comptoir) -> None:
    app.company.establish(ctx(actor="ines"), SetCompanyDetails(TYPED, date(2026, 1, 1)))


def test_the_history_shows_who_changed_the_iban_when_and_why(app: Comptoir) -> None:
    establish(app)
    amended = app.company.amend(
        ctx(actor="maud", reason="bank moved to BNP"),
        SetCompanyDetails(replace(TYPED, iban=NEW_IBAN), date(2026, 12, 1)),
    )
    assert amended.result == {"changed": ["iban"]}
    history = app.history(COMPANY_ID)
    assert [entry.type for entry in history] == ["Company.Established", "Company.Amended"]
    change = history[1]
    assert change.journal is not None
    assert change.journal.record.actor == "maud"
    assert change.journal.record.reason == "bank moved to BNP"
    assert change.event.changed == ["iban"]  # type: ignore[attr-defined]
    assert change.event.effective_on == date(2026, 12, 1)  # type: ignore[attr-defined]
    assert history[0].journal is not None
    assert history[0].journal.record.actor == "ines"


def test_the_settings_as_of_a_recorded_time_and_at_a_version_give_the_old_iban(
    app: Comptoir,
) -> None:
    establish(app)
    app.company.amend(
        ctx(reason="new bank"), SetCompanyDetails(replace(TYPED, iban=NEW_IBAN), date(2026, 12, 1))
    )
    first = app.history(COMPANY_ID)[0].recorded_at
    assert app.runner.load_as_of(Company, COMPANY_ID, first).details.iban == OLD_IBAN
    assert app.company.get(COMPANY_ID, 1).details.iban == OLD_IBAN
    now = app.company.get()
    assert now.details.iban == NEW_IBAN
    assert now.details_on(date(2026, 11, 30)) is not None
    assert now.details_on(date(2026, 11, 30)).iban == OLD_IBAN  # type: ignore[union-attr]


def test_identifiers_are_stored_compact_and_a_bad_one_records_nothing(app: Comptoir) -> None:
    establish(app)
    details = app.company.get().details
    assert (details.siren, details.siret, details.vat_number) == (
        "732829320",
        "73282932000074",
        "FR44732829320",
    )
    before = app.log_position()
    with pytest.raises(InvalidIban, match=r"^iban: "):
        app.company.amend(
            ctx(reason="typo"),
            SetCompanyDetails(replace(TYPED, iban="FR76 3000 6000"), date(2026, 12, 1)),
        )
    assert app.log_position() == before


def test_the_company_is_established_once_then_only_amended_with_a_reason(app: Comptoir) -> None:
    command = SetCompanyDetails(TYPED, date(2026, 1, 1))
    with pytest.raises(CompanyNotEstablished):
        app.company.amend(ctx(reason="early"), command)
    with pytest.raises(CompanyNotEstablished):
        app.company.get()
    assert not app.company.exists()
    establish(app)
    assert app.company.exists()
    with pytest.raises(CompanyAlreadyEstablished):
        app.company.establish(ctx(), command)
    with pytest.raises(ReasonRequired):
        app.company.amend(ctx(), SetCompanyDetails(replace(TYPED, iban=NEW_IBAN), AT.date()))
    assert app.company.get().version == 1


def test_a_retried_amendment_with_its_idempotency_key_is_recorded_once(app: Comptoir) -> None:
    establish(app)
    command = SetCompanyDetails(replace(TYPED, iban=NEW_IBAN), date(2026, 12, 1))
    first = app.company.amend(ctx(reason="new bank", idempotency_key="k1"), command)
    again = app.company.amend(ctx(reason="new bank", idempotency_key="k1"), command)
    assert again.replayed
    assert again.version == first.version == 2


def test_the_logo_bytes_come_back_identical_from_a_fresh_process(
    app: Comptoir, config: Settings
) -> None:
    establish(app)
    with pytest.raises(NotFound):
        app.company.logo()
    changed = app.company.change_logo(ctx(), PNG, "image/png")
    reopened = Comptoir(config.eventstore_env())
    try:
        logo, data = reopened.company.logo()
    finally:
        reopened.close()
    assert data == PNG
    assert logo.sha256 == changed.result["sha256"]
    assert (config.blob_dir / logo.sha256[:2] / logo.sha256).read_bytes() == PNG


def test_the_buyers_identity_is_checked_and_stored_compact(app: Comptoir) -> None:
    customer_id = app.customers.register(
        ctx(), name="Martin", vat_number="FR44732829320"
    ).aggregate_id
    app.customers.set_legal_identity(
        ctx(), customer_id, SetLegalIdentity("Martin SARL", None, "732 829 320 00074")
    )
    customer = app.customers.get(customer_id)
    assert (customer.legal_name, customer.siren, customer.siret) == (
        "Martin SARL",
        "732829320",
        "73282932000074",
    )
    before = app.log_position()
    with pytest.raises(InvalidSiren, match=r"^siren: "):
        app.customers.set_legal_identity(ctx(), customer_id, SetLegalIdentity(siren="732829321"))
    assert app.log_position() == before
    history = app.history(customer_id)
    assert history[-1].type == "Customer.LegalIdentitySet"
