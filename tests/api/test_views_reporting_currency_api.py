"""The views' reporting currency comes from the company's settings (`reporting_currency`,
ISO 4217, EUR by default), not from a constant or the share capital's currency; company
events recorded before the setting existed still load, with the default."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import duckdb
from eventsourcing.persistence import Mapper, StoredEvent
from fastapi.testclient import TestClient

from adapters.transcoding import domain_transcoder
from application.app import Comptoir
from application.journal import CommandContext
from domain.company import Company
from domain.company_details import CompanyDetails, LegalForm
from domain.customer import Address, AddressKind
from projections.pipeline import reporting_currency
from projections.runner import ProjectionRunner
from tests.api.invoicing_support import COMPANY
from tests.api.support import as_role, assert_problem

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def comptoir(client: TestClient) -> Comptoir:
    app: Comptoir = client.app.state.services.app  # type: ignore[attr-defined]
    return app


def put_company(client: TestClient, **changes: Any) -> Any:
    body = {**COMPANY, **changes}
    return client.put("/company", json=body, headers=as_role(client, "maud", "manager"))


def test_the_company_states_its_reporting_currency_eur_by_default(client: TestClient) -> None:
    assert reporting_currency(comptoir(client)) == "EUR"  # before the company exists
    assert put_company(client).status_code == 201
    assert client.get("/company").json()["reporting_currency"] == "EUR"
    assert reporting_currency(comptoir(client)) == "EUR"
    amended = put_company(client, reporting_currency="CHF", reason="Swiss group reporting")
    assert amended.status_code == 200, amended.text
    shown = client.get("/company").json()
    assert (shown["reporting_currency"], shown["capital_currency"]) == ("CHF", "EUR")
    assert reporting_currency(comptoir(client)) == "CHF"
    history = client.get("/company/history").json()
    assert len(history) == 2


def test_an_unknown_reporting_currency_is_refused(client: TestClient) -> None:
    assert_problem(put_company(client, reporting_currency="ZZZ"), 422, "unknown-currency")
    assert_problem(put_company(client, reporting_currency="chf"), 422, "unknown-currency")
    refused = put_company(client, reporting_currency="EURO")
    assert refused.status_code == 422, refused.text
    assert_problem(client.get("/company"), 404, "company-not-established")


def test_the_views_built_after_the_setting_report_in_that_currency(client: TestClient) -> None:
    assert put_company(client, reporting_currency="USD").status_code == 201
    app = comptoir(client)
    ctx = CommandContext(actor="manon", at=AT, reason="test")
    affair = app.affairs.open(
        ctx,
        name="Boiler",
        salesperson="manon",
        currency="USD",
        expected_amount=Decimal("1000.00"),
        sale_type="product",
        prospect="Dupont",
        expected_close=date(2026, 12, 1),
    ).aggregate_id
    runner = ProjectionRunner(app, duckdb.connect())  # as a rebuild starts one
    runner.catch_up()
    found = runner.cursor.execute(
        "SELECT base_currency, amount_base FROM pipeline WHERE document_id = ?", [str(affair)]
    ).fetchall()
    assert found == [("USD", Decimal("1000.0000"))]


def test_company_events_recorded_before_the_setting_load_with_the_default() -> None:
    details = CompanyDetails(
        legal_name="Comptoir Lyonnais SAS",
        legal_form=LegalForm.SASU,
        siren="732829320",
        address=Address(AddressKind.BILLING, "12 rue de la République", "69002", "Lyon", "FR"),
        registration=None,
    )
    mapper: Mapper[Any] = Mapper(transcoder=domain_transcoder())
    established = _established(details)
    stored = mapper.to_stored_event(established)
    state = json.loads(stored.state)
    inner = state["details"]["_data_"]
    assert inner.pop("reporting_currency") == "EUR"
    old = StoredEvent(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=json.dumps(state).encode(),
    )
    loaded: Any = mapper.to_domain_event(old)
    assert loaded.details == details
    assert loaded.details.reporting_currency == "EUR"


def _established(details: CompanyDetails) -> Any:
    """The Established event of a company with these details (its checks skipped: the
    event is what matters here)."""
    company = Company(at=AT, details=details, effective_on=date(2026, 1, 1))
    (event,) = company.collect_events()
    return event
