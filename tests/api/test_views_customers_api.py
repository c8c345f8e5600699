"""The customers list (U1): search by name whatever its case and accents, by SIREN, VAT
number, status and salesperson; as it stood at a time (V9); exported (V10)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from application.app import Comptoir
from application.customers import SetLegalIdentity
from application.journal import CommandContext

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def comptoir(client: TestClient) -> Comptoir:
    app: Comptoir = client.app.state.services.app  # type: ignore[attr-defined]
    return app


def ctx(actor: str = "alice", reason: str | None = "test") -> CommandContext:
    return CommandContext(actor=actor, at=AT, reason=reason)


def customers(client: TestClient, **params: Any) -> dict[str, Any]:
    params.setdefault("min_position", comptoir(client).log_position())
    response = client.get("/views/customers", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def names(client: TestClient, **params: Any) -> list[str]:
    return [row["name"] for row in customers(client, **params)["items"]]


def register(app: Comptoir, name: str, status: str = "customer", **more: Any) -> UUID:
    return app.customers.register(ctx(), name=name, status=status, **more).aggregate_id


def test_a_name_is_found_by_any_part_whatever_its_case_and_accents(client: TestClient) -> None:
    app = comptoir(client)
    generale = register(app, "Société Générale Équipements")
    register(app, "Boulangerie Dupont")
    app.customers.set_legal_identity(
        ctx(), register(app, "ACME"), SetLegalIdentity(legal_name="Aciéries Réunies")
    )
    assert names(client, q="societe gen") == ["Société Générale Équipements"]
    assert names(client, q="ÉQUIPEMENTS") == ["Société Générale Équipements"]
    assert names(client, q="acieries") == ["ACME"]  # the legal name counts too
    assert names(client, q="e") == ["ACME", "Boulangerie Dupont", "Société Générale Équipements"]
    assert names(client, q="zzz") == []
    (row,) = customers(client, q="générale")["items"]
    assert row["customer_id"] == str(generale)
    assert "search_name" not in row


def test_siren_and_vat_number_are_matched_in_compact_form(client: TestClient) -> None:
    app = comptoir(client)
    martin = register(app, "Martin SA", vat_number="FR44732829320")
    app.customers.set_legal_identity(ctx(), martin, SetLegalIdentity(siren="732 829 320"))
    register(app, "Dupont SARL", vat_number="FR03552081317")
    assert names(client, siren="732 829 320") == ["Martin SA"]
    assert names(client, siren="552081317") == []  # Dupont states no SIREN
    assert names(client, vat_number="fr 03 552 081 317") == ["Dupont SARL"]
    (row,) = customers(client, siren="732829320")["items"]
    assert (row["siren"], row["vat_number"]) == ("732829320", "FR44732829320")


def test_customers_are_listed_by_status_and_by_the_salespeople_holding_their_work(
    client: TestClient,
) -> None:
    app = comptoir(client)
    martin = register(app, "Martin")
    dupont = register(app, "Dupont", status="prospect")
    register(app, "Durand", status="qualified")
    affair = app.affairs.open(
        ctx("bob"),
        name="Ovens",
        salesperson="bob",
        currency="EUR",
        expected_amount=Decimal(1000),
        sale_type="product",
        customer_id=martin,
    ).aggregate_id
    app.quotes.draft(ctx("carol"), currency="EUR", customer_id=dupont, salesperson="carol")
    app.quotes.draft(ctx("bob"), currency="EUR", customer_id=dupont, salesperson="bob")
    assert names(client, status="prospect") == ["Dupont"]
    assert names(client, salesperson="bob") == ["Dupont", "Martin"]
    assert names(client, salesperson="carol") == ["Dupont"]
    by_name = {r["name"]: r["salespeople"] for r in customers(client)["items"]}
    assert by_name == {"Dupont": ["bob", "carol"], "Durand": [], "Martin": ["bob"]}
    app.affairs.reassign(ctx("manon", "holiday cover"), affair, "dave")
    assert names(client, salesperson="bob") == ["Dupont"]
    assert names(client, salesperson="dave", status="customer") == ["Martin"]


def test_the_list_reads_as_it_stood_and_pages_from_one_snapshot(client: TestClient) -> None:
    app = comptoir(client)
    dupont = register(app, "Dupont", status="prospect")
    register(app, "Martin")
    app.quotes.draft(ctx("bob"), currency="EUR", customer_id=dupont, salesperson="bob")
    customers(client)  # projected up to here
    then = datetime.now(UTC).isoformat()
    app.customers.qualify(ctx(), dupont)
    register(app, "Zola")
    assert names(client, status="prospect") == []
    assert names(client, status="prospect", as_of=then) == ["Dupont"]
    assert names(client, as_of=then, salesperson="bob") == ["Dupont"]
    page = customers(client, limit=2, offset=1, order_by="name", descending=True)
    assert (page["total"], [r["name"] for r in page["items"]]) == (3, ["Martin", "Dupont"])
    position = comptoir(client).log_position()
    assert page["position"] == position


def test_the_list_is_exported_with_its_filters(client: TestClient) -> None:
    app = comptoir(client)
    register(app, "=cmd|' /C calc'!A0")
    register(app, "Élise")
    params = {"q": "elise", "min_position": app.log_position(), "format": "csv"}
    response = client.get("/views/customers/export", params=params)
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["name"], r["salespeople"]) for r in rows] == [("Élise", "[]")]
    params["q"] = "cmd"
    (row,) = csv.DictReader(io.StringIO(client.get("/views/customers/export", params=params).text))
    assert row["name"].startswith("'=")  # a spreadsheet never runs it
    openapi = client.get("/openapi.json").json()["paths"]
    listed = {p["name"] for p in openapi["/views/customers"]["get"]["parameters"]}
    exported = {p["name"] for p in openapi["/views/customers/export"]["get"]["parameters"]}
    assert exported == (listed - {"limit", "offset"}) | {"format"}


def test_a_search_text_too_long_or_an_unknown_status_is_refused(client: TestClient) -> None:
    for params in ({"q": "x" * 201}, {"status": "friend"}, {"order_by": "credit_limit"}):
        response = client.get("/views/customers", params=params)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
