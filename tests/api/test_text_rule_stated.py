"""The OpenAPI document states the text rule the API enforces: every string a JSON request
body can hold, at any depth and as a key of a map, refuses the control characters that
`interfaces/http/text_rules.py` refuses, and takes tab and newlines."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

from interfaces.http.app import create_app
from interfaces.http.text_rules import FORBIDDEN, NO_CONTROL
from interfaces.settings import Settings
from tests.api.support import PROBLEM, log_position

OPENAPI = create_app(Settings()).openapi()
COMPONENTS = OPENAPI["components"]["schemas"]


def body_schema(path: str, method: str = "post") -> dict[str, Any]:
    """The component a JSON request body of this operation refers to."""
    content = OPENAPI["paths"][path][method]["requestBody"]["content"]["application/json"]
    schema: dict[str, Any] = COMPONENTS[content["schema"]["$ref"].rsplit("/", 1)[-1]]
    return schema


def string_of(field: dict[str, Any]) -> dict[str, Any]:
    """The string branch of a field's schema (`str | None` is an anyOf)."""
    for branch in field.get("anyOf", [field]):
        if branch.get("type") == "string":
            return branch
    raise AssertionError(f"no string in {field}")


def test_a_prospect_name_and_a_line_description_carry_the_text_rule_as_their_pattern() -> None:
    draft = body_schema("/quotes")["properties"]
    line = body_schema("/quotes/{quote_id}/lines")["properties"]
    assert string_of(draft["prospect"])["pattern"] == NO_CONTROL
    assert string_of(draft["title"])["pattern"] == NO_CONTROL
    assert string_of(line["description"])["pattern"] == NO_CONTROL


def test_plain_strings_and_the_keys_of_maps_carry_it_too() -> None:
    customer = body_schema("/customers")["properties"]
    assert string_of(customer["currency"])["pattern"] == NO_CONTROL
    delivery = body_schema("/orders/{order_id}/deliveries")["properties"]
    maps = [prop for prop in delivery.values() if "additionalProperties" in prop]
    assert maps, delivery
    assert all(prop["propertyNames"]["pattern"] == NO_CONTROL for prop in maps)


def test_an_object_that_ignores_unknown_keys_takes_them_under_the_rule() -> None:
    discount = COMPONENTS["DiscountIn"]
    assert discount["propertyNames"]["pattern"] == NO_CONTROL
    assert discount["additionalProperties"] == {"$ref": "#/components/schemas/TextSafeValue"}
    safe = jsonschema_rs.validator_for(
        {**COMPONENTS["TextSafeValue"], "components": OPENAPI["components"]}
    )
    assert safe.is_valid({"note": ["tab\there", {"deep": "new\nline"}], "n": 1.5, "b": None})
    assert not safe.is_valid({"note": ["fine", {"deep": "bell\x07"}]})
    assert not safe.is_valid({"key\x1b": "value"})


@pytest.mark.parametrize("code_point", range(0x100))
def test_the_pattern_takes_exactly_the_characters_the_api_takes(code_point: int) -> None:
    char = chr(code_point)
    stated = jsonschema_rs.validator_for({"type": "string", "pattern": NO_CONTROL})
    assert stated.is_valid(f"a{char}b") == (FORBIDDEN.search(char) is None)


def _strings(node: Any, seen: set[str]) -> Iterator[dict[str, Any]]:
    """Every string schema reachable from `node`, map keys included."""
    if isinstance(node, list):
        for item in node:
            yield from _strings(item, seen)
    elif isinstance(node, dict):
        name = node.get("$ref", "").rsplit("/", 1)[-1]
        if name:
            if name not in seen:
                seen.add(name)
                yield from _strings(COMPONENTS[name], seen)
            return
        if node.get("type") == "string":
            yield node
        for value in node.values():
            yield from _strings(value, seen)


def test_no_string_of_any_json_request_body_lets_a_control_character_through() -> None:
    """An enum, NO_CONTROL or a stricter pattern of its own (decimals, references)."""
    let_through = []
    for path, item in OPENAPI["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {})
            for media_type, media in content.items():
                if "json" not in media_type:
                    continue
                for string in _strings(media.get("schema"), set()):
                    if "enum" in string or "const" in string:
                        continue
                    schema = {"type": "string", "pattern": string.get("pattern", "")}
                    if jsonschema_rs.validator_for(schema).is_valid("a\x01b"):
                        let_through.append((method, path, string))
    assert let_through == []


def test_a_string_with_no_model_pattern_of_its_own_still_answers_the_text_rule(
    client: TestClient,
) -> None:
    """The document states the rule; the answer stays the middleware's 422 naming the field."""
    before = log_position(client)
    response = client.post("/customers", json={"name": "Martin", "currency": "E\x01R"})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["type"] == "/problems/invalid-request"
    assert problem["errors"] == [
        {"field": "body.currency", "message": "control character U+0001 is not allowed in text"}
    ]
    assert log_position(client) == before


def test_the_served_document_is_the_stated_one(client: TestClient) -> None:
    """/openapi.json, not only `app.openapi()`, carries the rule."""
    served = client.get("/openapi.json").json()
    assert (
        string_of(served["components"]["schemas"]["QuoteDraft"]["properties"]["prospect"])[
            "pattern"
        ]
        == NO_CONTROL
    )
