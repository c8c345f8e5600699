"""What the person running Comptoir sees: a docs page that works offline, one log line
per request, and the request id on every problem answer."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import orjson
import pytest
from fastapi.testclient import TestClient

from tests.api.support import PROBLEM


def test_the_docs_page_loads_every_asset_from_comptoir(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources, page.text
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))], sources
    kinds = {"swagger-ui-bundle.js": "javascript", "swagger-ui.css": "css"}
    for name, kind in kinds.items():
        asset = client.get(f"/docs-assets/{name}")
        assert asset.status_code == 200
        assert kind in asset.headers["content-type"]
        assert len(asset.content) > 10_000
    assert "SwaggerUIBundle" in client.get("/docs-assets/swagger-ui-bundle.js").text
    assert client.get("/docs-assets/..%2F__init__.py").status_code == 404
    assert client.get("/redoc").status_code == 404  # its page would load a CDN script


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[dict[str, object]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(orjson.loads(record.getMessage()))


@pytest.fixture
def request_lines() -> Iterator[Lines]:
    handler = Lines()
    logger = logging.getLogger("comptoir.requests")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def test_each_request_is_one_structured_line_with_its_actor_and_id(
    client: TestClient, request_lines: Lines
) -> None:
    answer = client.get("/health")
    anonymous = client.get("/health", headers={"X-API-Key": ""})
    missing = client.get("/quotes/00000000-0000-0000-0000-000000000000")
    lines = request_lines.lines[-3:]
    assert [line["status"] for line in lines] == [200, 200, 404]
    assert [line["path"] for line in lines][2] == "/quotes/00000000-0000-0000-0000-000000000000"
    assert lines[0]["actor"] == "alice"
    assert "actor" not in lines[1]
    for line, response in zip(lines, (answer, anonymous, missing), strict=True):
        assert line["method"] == "GET"
        assert line["request_id"] == response.headers["X-Request-ID"]
        assert isinstance(line["duration_ms"], float)
        assert line["duration_ms"] >= 0


def test_every_problem_answer_names_its_request_id(client: TestClient) -> None:
    for response in (
        client.get("/quotes/00000000-0000-0000-0000-000000000000"),  # 404 from the domain
        client.post("/quotes", json={"customer_id": "nope"}),  # 422 from validation
        client.get("/quotes", headers={"X-API-Key": "nope"}),  # 401
        client.get("/health", headers={"X-Request-ID": "proxy-id-42", "X-API-Key": "x"}),
    ):
        assert response.headers["content-type"].startswith(PROBLEM)
        body = response.json()
        assert body["request_id"] == response.headers["X-Request-ID"], body
        assert int(response.headers["content-length"]) == len(response.content)
    assert body["request_id"] == "proxy-id-42"
