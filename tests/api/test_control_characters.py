"""Control characters never enter the store: every string of a JSON body, at any depth,
is checked before a route sees it; tab and newlines stay allowed."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.support import log_position

PROBLEM = "application/problem+json"


def refused_at(client: TestClient, body: Any, path: str, field: str) -> None:
    before = log_position(client)
    response = client.post(path, json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["errors"][0]["field"] == field
    assert "control character" in problem["detail"]
    assert log_position(client) == before


@pytest.mark.parametrize("char", ["\x01", "\x08", "\x0b", "\x1f", "\x7f", "\x85", "\x9f"])
def test_a_control_character_in_a_prospect_name_is_refused(client: TestClient, char: str) -> None:
    body = {"currency": "EUR", "prospect": f"=HYPERLINK(x){char}"}
    refused_at(client, body, "/quotes", "body.prospect")


def test_a_control_character_deep_in_a_body_is_refused_naming_where_it_is(
    client: TestClient,
) -> None:
    quote = client.post("/quotes", json={"currency": "EUR", "prospect": "Martin"}).json()["id"]
    line = {"description": "Till\x01", "quantity": "1", "unit_price": "10", "vat_rate": "20"}
    refused_at(client, line, f"/quotes/{quote}/lines", "body.description")
    customer = {"name": "Martin", "addresses": [{"kind": "billing", "street": "1 rue\x02"}]}
    refused_at(client, customer, "/customers", "body.addresses.0.street")


def test_tabs_and_newlines_are_kept_in_text(client: TestClient) -> None:
    prospect = "Boulangerie\tMartin\r\nLyon"
    created = client.post("/quotes", json={"currency": "EUR", "prospect": prospect})
    assert created.status_code == 201, created.text
    assert client.get(f"/quotes/{created.json()['id']}").json()["prospect"] == prospect
