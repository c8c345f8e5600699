"""Which characters a request's text may hold: no control characters but tab and newlines.

A control character (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F, U+007F–U+009F) is never
part of a name, a description or a reason; stored, it breaks what reads the text later
(a worksheet refuses it, a PDF or an e-invoice cannot print it). So every string of a
JSON request body, at any depth, is checked before any route sees it, and a body holding
one is a 422 problem naming where it is. Tab, line feed and carriage return stay allowed
(multi-line notes and descriptions). The app's OpenAPI document states the rule as the
pattern NO_CONTROL of each of those strings (`install_text_rule`).
"""

from __future__ import annotations

import re
from typing import Any

import orjson
from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from interfaces.http.limits import BodyTooLarge
from interfaces.http.problems import problem

CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
FORBIDDEN = re.compile(f"[{CONTROL}]")
# The rule as the OpenAPI document states it, on each string a request body may hold.
NO_CONTROL = f"^[^{CONTROL}]*$"
# A weaker pattern some fields declare for themselves (and headers, which this rule does
# not read, since PostgreSQL text columns refuse a NUL): stated as NO_CONTROL in bodies.
NO_NUL = r"^[^\x00]*$"
# What an object that ignores unknown keys takes as one: any JSON value under the rule.
SAFE_VALUE = "TextSafeValue"
SAFE_REF = f"#/components/schemas/{SAFE_VALUE}"
_KEY = {"type": "string", "pattern": NO_CONTROL}


def first_control_character(value: Any, path: str = "body") -> tuple[str, str] | None:
    """(where, which character) of the first forbidden character in a JSON value."""
    if isinstance(value, str):
        found = FORBIDDEN.search(value)
        return None if found is None else (path, found.group())
    if isinstance(value, dict):
        for key, child in value.items():
            hit = first_control_character(key, path) or first_control_character(
                child, f"{path}.{key}"
            )
            if hit is not None:
                return hit
    elif isinstance(value, list):
        for index, child in enumerate(value):
            hit = first_control_character(child, f"{path}.{index}")
            if hit is not None:
                return hit
    return None


class NoControlCharacters:
    """ASGI middleware refusing JSON bodies that hold a control character, with a 422."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        content_type = (
            Headers(scope=scope).get("content-type", "") if scope["type"] == "http" else ""
        )
        if "json" not in content_type:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        try:
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    break
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    break
        except BodyTooLarge as error:
            await problem(413, "request-too-large", str(error.detail))(scope, receive, send)
            return
        body = b"".join(chunks)
        try:
            hit = first_control_character(orjson.loads(body)) if body else None
        except orjson.JSONDecodeError:
            hit = None  # the route's own parser answers a malformed body
        if hit is not None:
            where, char = hit
            message_text = f"control character U+{ord(char):04X} is not allowed in text"
            errors = [{"field": where, "message": message_text}]
            await problem(422, "invalid-request", f"{where}: {message_text}", errors=errors)(
                scope, receive, send
            )
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def install_text_rule(app: FastAPI) -> None:
    """Refuse control characters in JSON bodies and state it in the app's OpenAPI document."""
    app.add_middleware(NoControlCharacters)
    build = app.openapi

    def openapi() -> dict[str, Any]:
        fresh = app.openapi_schema is None  # FastAPI builds the document once, then keeps it
        document = build()
        if fresh:
            state_text_rule(document)
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def state_text_rule(document: dict[str, Any]) -> None:
    """State the rule on everything a JSON request body can hold, at any depth: each free
    string gets the pattern NO_CONTROL (unless an enum or a stricter pattern of its own
    already excludes control characters: decimals, references), each map's keys too, and
    an object that takes unknown keys (ignored by its route) takes them as `TextSafeValue`."""
    components: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    components[SAFE_VALUE] = {
        "description": "Any JSON value whose strings, and keys, hold no control character",
        "anyOf": [
            {"type": "string", "pattern": NO_CONTROL},
            {"type": ["number", "boolean", "null"]},
            {"type": "array", "items": {"$ref": SAFE_REF}},
            {"type": "object", "propertyNames": _KEY, "additionalProperties": {"$ref": SAFE_REF}},
        ],
    }
    visited = {SAFE_VALUE}

    def state(node: Any) -> None:
        if not isinstance(node, dict):
            return
        reference = node.get("$ref")
        if isinstance(reference, str):
            name = reference.rsplit("/", 1)[-1]
            if name in components and name not in visited:
                visited.add(name)
                state(components[name])
            return
        for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
            for branch in node.get(key, []):
                state(branch)
        for schema in (node.get("items"), node.get("additionalProperties")):
            state(schema)
        for schema in node.get("properties", {}).values():
            state(schema)
        free_text = node.get("type") == "string" and not {"enum", "const"} & node.keys()
        if free_text and node.get("pattern") in (None, NO_NUL):
            node["pattern"] = NO_CONTROL
        if node.get("type") == "object" or "properties" in node:
            extra = node.get("additionalProperties", True)
            if extra is True:
                node["additionalProperties"] = {"$ref": SAFE_REF}
            keys = node.get("propertyNames", {})
            if extra is not False and not {"enum", "const", "pattern"} & keys.keys():
                node["propertyNames"] = {"type": "string", **keys, "pattern": NO_CONTROL}

    for operation in _operations(document):
        for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
            if "json" in media_type:
                state(content.get("schema"))


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        operation
        for item in document.get("paths", {}).values()
        for operation in item.values()
        if isinstance(operation, dict)
    ]
