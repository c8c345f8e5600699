"""Decimals in requests: one strict parser, and the bounds the domain enforces (#13, 1 and 14).

A decimal is ASCII digits, an optional leading '-' and an optional '.' fraction: no other
script's digits, underscores, spaces, exponent, NaN or Infinity; `-0` is taken as 0. JSON
numbers are still taken when their float keeps every digit. Out of bounds is a 422
problem naming the field, and the document stays readable.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from interfaces.http.schemas import Amount, Percent, Quantity, UnitPrice
from tests.api.support import PROBLEM, assert_problem, log_position

QUOTE = {"currency": "EUR", "prospect": "Boulangerie Martin", "valid_until": "2026-12-31"}
LINE = {"description": "x", "quantity": "1", "unit_price": "10", "vat_rate": "20"}
NOT_DECIMALS = [
    "٣",  # Arabic-Indic three
    "３",  # fullwidth three
    "1_000",
    "  1 ",
    "1 ",
    "1\n",
    "+1",
    "1e3",
    "1E+3",
    ".5",
    "1.",
    "0x10",
    "1,5",
    "NaN",
    "Infinity",
    "-Infinity",
    "",
    "--1",
]


def a_quote(client: TestClient) -> str:
    response = client.post("/quotes", json=QUOTE)
    assert response.status_code == 201, response.text
    quote_id: str = response.json()["id"]
    return quote_id


def refused_naming(client: TestClient, response: Any, field: str, before: int) -> str:
    """A 422 problem whose detail names `field`, and nothing recorded."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    detail: str = response.json()["detail"]
    assert field in detail
    assert log_position(client) == before
    return detail


# --- finding 1: the line that froze every view ------------------------------------------


def test_the_line_of_the_report_is_a_422_naming_its_field_and_the_quote_still_answers(
    client: TestClient,
) -> None:
    quote = a_quote(client)
    before = log_position(client)
    line = {
        "description": "x",
        "quantity": "99999999999999.999999",
        "unit_price": "99999999999999.999999",
        "vat_rate": "20",
    }
    response = client.post(f"/quotes/{quote}/lines", json=line)
    body = assert_problem(response, 422, "invalid-request")
    assert {"body.quantity", "body.unit_price"} <= {e["field"] for e in body["errors"]}
    assert log_position(client) == before
    assert client.get(f"/quotes/{quote}").status_code == 200


def test_a_line_within_the_field_bounds_but_past_the_total_is_refused_by_the_domain(
    client: TestClient,
) -> None:
    quote = a_quote(client)
    before = log_position(client)
    line = {**LINE, "quantity": "1000000000", "unit_price": "1000000"}
    response = client.post(f"/quotes/{quote}/lines", json=line)
    assert_problem(response, 422, "amount-out-of-bounds")
    refused_naming(client, response, "quantity × unit_price", before)
    assert client.get(f"/quotes/{quote}").status_code == 200


def test_amounts_past_the_bounds_are_refused_on_every_kind_of_document(
    client: TestClient,
) -> None:
    before = log_position(client)
    over = "1000000000000.01"
    customer = client.post("/customers", json={"name": "Martin", "credit_limit": over})
    refused_naming(client, customer, "credit_limit", before)
    quote = a_quote(client)
    before = log_position(client)
    price = client.post(f"/quotes/{quote}/lines", json={**LINE, "unit_price": over})
    refused_naming(client, price, "unit_price", before)
    digits = client.post(f"/quotes/{quote}/lines", json={**LINE, "quantity": "1.0000001"})
    refused_naming(client, digits, "quantity", before)


def test_the_openapi_document_states_the_bounds_of_a_line(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]["LineIn"]["properties"]
    quantity = schema["quantity"]
    number = next(b for b in quantity["anyOf"] if b["type"] == "number")
    text = next(b for b in quantity["anyOf"] if b["type"] == "string")
    assert number["maximum"] == 1e9
    assert number["exclusiveMinimum"] == 0
    assert re.fullmatch(text["pattern"].strip("^$"), "1000000000")
    assert not re.fullmatch(text["pattern"].strip("^$"), "1000000000.5")
    assert "at most 6 decimals" in quantity["description"]


def test_every_request_decimal_uses_the_strict_type(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    bodies = {
        ref.rsplit("/", 1)[1]
        for path in document["paths"].values()
        for operation in path.values()
        for ref in re.findall(r'"\$ref": "([^"]+)"', json.dumps(operation.get("requestBody", {})))
    }
    seen: set[str] = set()
    loose: list[str] = []

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        for field, prop in schemas[name].get("properties", {}).items():
            text = json.dumps(prop)
            for ref in re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', text):
                visit(ref)
            if '"type": "number"' in text and '"pattern"' not in text:
                loose.append(f"{name}.{field}")

    for body in bodies:
        visit(body)
    assert "LineIn" in seen
    assert loose == []


# --- finding 14: one strict parser ------------------------------------------------------


def test_a_decimal_in_any_other_form_is_a_422_naming_the_field(client: TestClient) -> None:
    quote = a_quote(client)
    before = log_position(client)
    for text in NOT_DECIMALS:
        for field in ("quantity", "unit_price", "vat_rate"):
            response = client.post(f"/quotes/{quote}/lines", json={**LINE, field: text})
            body = assert_problem(response, 422, "invalid-request")
            assert [e["field"] for e in body["errors"]] == [f"body.{field}"], text
    percents = client.put(f"/quotes/{quote}/discounts", json={"percents": ["٣"]})
    assert_problem(percents, 422, "invalid-request")
    customer = client.post("/customers", json={"name": "Martin", "credit_limit": "1_000"})
    assert_problem(customer, 422, "invalid-request")
    assert log_position(client) == before


def test_minus_zero_is_taken_as_zero(client: TestClient) -> None:
    quote = a_quote(client)
    line = {**LINE, "unit_price": "-0.00", "vat_rate": "-0"}
    assert client.post(f"/quotes/{quote}/lines", json=line).status_code == 201
    taken = client.get(f"/quotes/{quote}").json()["lines"][0]
    assert not taken["unit_price"].startswith("-")
    assert not taken["vat_rate"].startswith("-")
    assert Decimal(taken["vat_rate"]) == 0


def test_a_negative_quantity_or_price_is_still_refused(client: TestClient) -> None:
    quote = a_quote(client)
    before = log_position(client)
    for field in ("quantity", "unit_price"):
        response = client.post(f"/quotes/{quote}/lines", json={**LINE, field: "-1"})
        refused_naming(client, response, field, before)


def test_json_numbers_are_still_taken_when_their_float_keeps_every_digit(
    client: TestClient,
) -> None:
    quote = a_quote(client)
    line = {**LINE, "quantity": 3, "unit_price": 19.99}
    assert client.post(f"/quotes/{quote}/lines", json=line).status_code == 201
    taken = client.get(f"/quotes/{quote}").json()["lines"][0]
    assert (Decimal(taken["quantity"]), Decimal(taken["unit_price"])) == (3, Decimal("19.99"))
    before = log_position(client)
    blurred = json.dumps({**LINE, "unit_price": "@"}).replace('"@"', "0.12345678901234567")
    response = client.post(
        f"/quotes/{quote}/lines",
        content=blurred.encode(),
        headers={"Content-Type": "application/json"},
    )
    refused_naming(client, response, "unit_price", before)


# --- the type itself ---------------------------------------------------------------------

TYPES = [TypeAdapter(t) for t in (Quantity, UnitPrice, Amount, Percent)]


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("0123456789-.+_ eE٣３\n,xN"), max_size=16))
def test_a_text_is_taken_exactly_when_it_is_an_ascii_decimal(text: str) -> None:
    strict = re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text) is not None
    for adapter in TYPES:
        try:
            value = adapter.validate_python(text)
        except ValidationError:
            continue
        assert strict, text
        assert value == Decimal(text)
        assert not value.is_signed()


@settings(max_examples=300, deadline=None)
@given(text=st.from_regex(r"\A-?[0-9]{1,14}(\.[0-9]{1,8})?\Z"))
def test_the_published_pattern_says_exactly_which_texts_are_taken(text: str) -> None:
    for kind in (Quantity, UnitPrice, Amount, Percent):
        adapter = TypeAdapter(kind)
        pattern = adapter.json_schema()["anyOf"][0]["pattern"]
        published = re.search(pattern, text) is not None
        try:
            adapter.validate_python(text)
            taken = True
        except ValidationError:
            taken = False
        assert published == taken, (kind, text)
