"""`/company` over HTTP on SQLite and Postgres (issue 14): establish then amend the seller's
settings, read them as they stood, their history, the logo as exact bytes; and the buyer's
legal identity on `/customers/{id}/legal-identity`. Every refusal is a problem naming the
field at fault."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interfaces.http.app import create_app
from interfaces.settings import Settings
from tests.api.invoicing_support import COMPANY as INVOICING_COMPANY
from tests.api.support import as_role, assert_problem, log_position
from tests.conftest import FrozenClock

# The company the invoicing tests establish, with a head-office SIRET, from this year on.
COMPANY: dict[str, Any] = {
    **INVOICING_COMPANY,
    "siret": "732 829 320 00074",
    "effective_on": "2026-01-01",
}
OLD_IBAN = "FR1420041010050500013M02606"
NEW_IBAN = "FR7630006000011234567890189"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16


@pytest.fixture
def client(settings: Settings, clock: FrozenClock, tmp_path: Path) -> Iterator[TestClient]:
    """A client authenticated as a manager, with its own blob directory."""
    config = settings.model_copy(update={"blob_dir": tmp_path / "blobs"})
    with TestClient(create_app(config, clock)) as client:
        client.headers.update(as_role(client, "maud", "manager"))
        yield client


def establish(client: TestClient) -> None:
    response = client.put("/company", json=COMPANY)
    assert response.status_code == 201, response.text
    assert response.headers["Location"] == "/company"


def test_the_first_put_establishes_and_a_later_one_amends_with_its_reason(
    client: TestClient,
) -> None:
    assert_problem(client.get("/company"), 404, "company-not-established")
    establish(client)
    shown = client.get("/company").json()
    assert (shown["siren"], shown["siret"], shown["vat_number"], shown["iban"]) == (
        "732829320",
        "73282932000074",
        "FR44732829320",
        OLD_IBAN,
    )
    assert shown["registration"] == "RCS Lyon"
    assert (shown["share_capital"], shown["capital_currency"]) == ("10000", "EUR")
    amended = {**COMPANY, "iban": NEW_IBAN, "effective_on": "2026-12-01"}
    assert_problem(client.put("/company", json=amended), 422, "reason-required")
    response = client.put("/company", json={**amended, "reason": "bank moved to BNP"})
    assert response.status_code == 200, response.text
    assert response.json()["result"] == {"changed": ["iban"]}
    assert response.headers["ETag"] == '"2"'
    again = client.put("/company", json={**amended, "reason": "again"})
    assert_problem(again, 409, "amendment-changes-nothing")


def test_the_history_shows_who_changed_the_iban_and_why_and_as_of_gives_the_old_one(
    client: TestClient,
) -> None:
    establish(client)
    sales = as_role(client, "sam", "sales")
    amended = {**COMPANY, "iban": NEW_IBAN, "reason": "bank moved to BNP"}
    assert client.put("/company", json=amended).status_code == 200
    history = client.get("/company/history", headers=sales).json()
    assert [(h["type"], h["actor"], h["reason"]) for h in history] == [
        ("Company.Established", "maud", None),
        ("Company.Amended", "maud", "bank moved to BNP"),
    ]
    assert history[1]["data"]["changed"] == ["iban"]
    old = client.get("/company", params={"as_of": history[0]["recorded_at"]}, headers=sales)
    assert old.json()["iban"] == OLD_IBAN
    assert old.headers["ETag"] == '"1"'
    assert client.get("/company", params={"version": 1}).json()["iban"] == OLD_IBAN
    assert client.get("/company").json()["iban"] == NEW_IBAN


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("siren", "732 829 321", "invalid-siren"),
        ("siret", "732 829 320 00079", "invalid-siret"),
        ("siret", "404 833 048 00022", "identifiers-disagree"),
        ("vat_number", "FR 45 732 829 320", "invalid-vat-number"),
        ("vat_number", "FR40303265045", "identifiers-disagree"),
        ("iban", "FR15 2004 1010 0505 0001 3M02 606", "invalid-iban"),
        ("bic", "PSSTFRPP1", "invalid-bic"),
    ],
)
def test_a_bad_identifier_is_a_422_problem_naming_the_field(
    client: TestClient, field: str, value: str, code: str
) -> None:
    before = log_position(client)
    problem = assert_problem(client.put("/company", json={**COMPANY, field: value}), 422, code)
    assert problem["detail"].startswith(f"{field}: ")
    assert log_position(client) == before


def test_a_company_without_its_register_or_capital_is_refused(client: TestClient) -> None:
    for missing in ("registration", "share_capital"):
        body = {k: v for k, v in COMPANY.items() if k != missing}
        problem = assert_problem(client.put("/company", json=body), 422, "invalid-input")
        assert problem["detail"].startswith(missing)


def test_only_admins_and_managers_set_the_company_and_every_user_reads_it(
    client: TestClient,
) -> None:
    for role in ("sales", "accountant", "auditor"):
        headers = as_role(client, f"{role}-user", role)
        assert_problem(client.put("/company", json=COMPANY, headers=headers), 403, "forbidden")
    admin = as_role(client, "ines", "admin")
    assert client.put("/company", json=COMPANY, headers=admin).status_code == 201
    for role in ("sales", "accountant", "auditor", "admin"):
        headers = as_role(client, f"{role}-reader", role)
        assert client.get("/company", headers=headers).status_code == 200


def test_the_logo_comes_back_byte_identical_with_its_type_and_hash(client: TestClient) -> None:
    establish(client)
    assert_problem(client.get("/company/logo"), 404, "not-found")
    put = client.put("/company/logo", content=PNG, headers={"Content-Type": "image/png"})
    assert put.status_code == 200, put.text
    digest = hashlib.sha256(PNG).hexdigest()
    assert put.json()["result"] == {"sha256": digest}
    got = client.get("/company/logo", headers=as_role(client, "sam", "sales"))
    assert got.status_code == 200
    assert got.content == PNG
    assert got.headers["content-type"] == "image/png"
    assert got.headers["ETag"] == f'"{digest}"'
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    cached = client.get("/company/logo", headers={"If-None-Match": f'"{digest}"'})
    assert cached.status_code == 304
    assert cached.content == b""
    logo = client.get("/company").json()["logo"]
    assert logo == {
        "sha256": digest,
        "media_type": "image/png",
        "size": len(PNG),
        "href": "/company/logo",
    }


def test_an_svg_logo_is_served_as_svg_that_can_run_nothing(client: TestClient) -> None:
    establish(client)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect/></svg>'
    put = client.put("/company/logo", content=svg, headers={"Content-Type": "image/svg+xml"})
    assert put.status_code == 200, put.text
    got = client.get("/company/logo")
    assert got.content == svg
    assert got.headers["content-type"].startswith("image/svg+xml")
    assert "default-src 'none'" in got.headers["Content-Security-Policy"]


def test_an_oversized_logo_is_a_413_and_a_wrong_type_a_415(client: TestClient) -> None:
    establish(client)
    before = log_position(client)
    large = b"\x89PNG\r\n\x1a\n" + b"\x00" * (512 * 1024)
    too_large = client.put("/company/logo", content=large, headers={"Content-Type": "image/png"})
    assert_problem(too_large, 413, "request-too-large")
    gif = client.put("/company/logo", content=b"GIF89a...", headers={"Content-Type": "image/gif"})
    assert_problem(gif, 415, "unsupported-media-type")
    as_json = client.put("/company/logo", json={"logo": "x"})
    assert_problem(as_json, 415, "unsupported-media-type")
    lying = client.put("/company/logo", content=PNG, headers={"Content-Type": "image/jpeg"})
    assert_problem(lying, 422, "invalid-logo")
    assert log_position(client) == before


def test_a_logo_before_the_company_is_established_is_refused(client: TestClient) -> None:
    response = client.put("/company/logo", content=PNG, headers={"Content-Type": "image/png"})
    assert_problem(response, 404, "company-not-established")


def test_the_buyers_legal_identity_is_set_checked_and_shown(client: TestClient) -> None:
    created = client.post("/customers", json={"name": "Martin", "vat_number": "FR44732829320"})
    path = f"/customers/{created.json()['id']}"
    identity = {"legal_name": "Martin SARL", "siret": "732 829 320 00074", "reason": "Kbis"}
    assert client.put(f"{path}/legal-identity", json=identity).status_code == 200
    shown = client.get(path).json()
    assert (shown["legal_name"], shown["siren"], shown["siret"]) == (
        "Martin SARL",
        "732829320",
        "73282932000074",
    )
    bad = client.put(f"{path}/legal-identity", json={"siren": "732 829 321"})
    assert assert_problem(bad, 422, "invalid-siren")["detail"].startswith("siren: ")
    other = client.put(f"{path}/legal-identity", json={"siren": "404833048"})
    assert assert_problem(other, 422, "identifiers-disagree")["detail"].startswith("vat_number")
    history = client.get(f"{path}/history").json()
    assert history[-1]["type"] == "Customer.LegalIdentitySet"
    assert history[-1]["reason"] == "Kbis"
