"""HTTP conformance (issue 13, findings 8, 9, 12 and 13): bounded and strict dates, the
`Allow` header, request ids, a 500 that is a problem and keeps the connection, and what
`/health` shows with and without a key."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from interfaces.http.app import create_app
from interfaces.http.routes.params import DAY_PATTERN, INSTANT_PATTERN, MONTH_PATTERN
from interfaces.http.security import IF_MATCH
from interfaces.settings import Settings
from tests.api.support import PROBLEM, as_role, assert_problem
from tests.conftest import settings_for
from tests.load.harness import LiveServer


@pytest.fixture(scope="module")
def app_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    config = settings_for("sqlite", tmp_path_factory.mktemp("conformance"))
    return config.model_copy(update={"jobs_interval_s": 1e9})


@pytest.fixture(scope="module")
def api(app_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(app_settings)) as client:
        client.headers.update(as_role(client, "max", "manager", "sales", "accountant", "auditor"))
        yield client


def _formats(node: object) -> set[str]:
    if isinstance(node, dict):
        found = {node["format"]} if isinstance(node.get("format"), str) else set()
        for value in node.values():
            found |= _formats(value)
        return found
    if isinstance(node, list):
        return set().union(*(_formats(item) for item in node))
    return set()


def dated_query_parameters() -> list[tuple[str, str, str]]:
    """(path, parameter, format) of every query parameter that is a day, instant or month."""
    found = []
    for path, methods in create_app(Settings()).openapi()["paths"].items():
        for parameter in methods.get("get", {}).get("parameters", []):
            formats = _formats(parameter["schema"]) & {"date", "date-time"}
            if parameter["in"] != "query":
                continue
            if formats:
                found.append((path, parameter["name"], formats.pop()))
            elif parameter["name"].endswith("_month"):
                found.append((path, parameter["name"], "month"))
    return found


DATED = dated_query_parameters()
OUT_OF_RANGE = {
    "date": ["9999-12-31", "0001-01-01", "1899-12-31", "3000-01-01", "0.5", "20261102"],
    "date-time": [
        "9999-12-31T23:59:59+00:00",
        "0001-01-01T00:00:00Z",
        "3000-01-01T00:00:00Z",
        "0.5",
        "1700000000",
        "2026-11-02",
        "2026-11-02T09:30:00",
    ],
    "month": ["0001-01", "9999-12", "1899-12", "3000-01", "2026-1"],
}
VALID = {"date": "2026-11-02", "date-time": "2026-11-02T09:30:00Z", "month": "2026-11"}
ZERO_ID = "00000000-0000-0000-0000-000000000000"


def test_every_dated_query_parameter_is_found() -> None:
    names = {(path, name) for path, name, _ in DATED}
    assert ("/views/forecast", "from_month") in names
    assert ("/views/recurring-revenue", "today") in names
    assert ("/audit/events", "until") in names
    assert ("/quotes/{quote_id}", "as_of") in names


def query_for(path: str, name: str, value: str) -> dict[str, str]:
    """The parameter under test, plus valid values for the route's other required ones."""
    params = {name: value}
    if path == "/views/forecast-accuracy":
        params = {"period_start": "2026-01-01", "period_end": "2027-01-01", **params}
    for other_path, other, kind in DATED:
        if other_path == path and other != name:
            params.setdefault(other, VALID[kind])
    return params


@pytest.mark.parametrize(("path", "name", "kind"), DATED, ids=[f"{p} {n}" for p, n, _ in DATED])
def test_a_day_month_or_instant_outside_its_form_or_bounds_is_a_422_naming_it(
    api: TestClient, path: str, name: str, kind: str
) -> None:
    url = re.sub(r"\{[a-z_]+_id\}", ZERO_ID, path).replace("{bucket}", "expired")
    url = url.replace("{number}", "INV-2026-00001")
    for value in OUT_OF_RANGE[kind]:
        response = api.get(url, params=query_for(path, name, value))
        body = assert_problem(response, 422, "invalid-request")
        assert name in body["detail"], (value, body)
        assert "between 1900 and 2999" in body["detail"], (value, body)
    accepted = api.get(url, params=query_for(path, name, VALID[kind]))
    assert accepted.status_code in (200, 404), accepted.text


def test_the_forecast_and_recurring_revenue_of_the_report_are_422s(api: TestClient) -> None:
    forecast = api.get("/views/forecast", params={"from_month": "0001-01", "to_month": "9999-12"})
    assert_problem(forecast, 422, "invalid-request")
    revenue = api.get("/views/recurring-revenue", params={"today": "9999-12-31"})
    assert_problem(revenue, 422, "invalid-request")
    assert api.get("/views/recurring-revenue", params={"today": "2999-12-31"}).status_code == 200


def test_a_month_range_longer_than_twenty_years_is_refused(api: TestClient) -> None:
    long = api.get("/views/forecast", params={"from_month": "1900-01", "to_month": "2999-12"})
    body = assert_problem(long, 422, "invalid-input")
    assert "240 months" in body["detail"]
    fine = api.get("/views/forecast", params={"from_month": "2026-01", "to_month": "2045-12"})
    assert fine.status_code == 200, fine.text


def test_the_openapi_document_states_each_form_as_a_pattern() -> None:
    parameters = create_app(Settings()).openapi()["paths"]["/views/kpis"]["get"]["parameters"]
    until = next(p for p in parameters if p["name"] == "until")
    assert until["schema"]["anyOf"][0]["pattern"] == INSTANT_PATTERN
    assert "RFC 3339" in until["description"]
    forecast = create_app(Settings()).openapi()["paths"]["/views/forecast"]["get"]
    assert forecast["parameters"][0]["schema"]["pattern"] == MONTH_PATTERN
    accuracy = create_app(Settings()).openapi()["paths"]["/views/forecast-accuracy"]["get"]
    days = [p for p in accuracy["parameters"] if p["name"].startswith("period_")]
    assert [p["schema"]["pattern"] for p in days] == [DAY_PATTERN, DAY_PATTERN]


def test_the_openapi_document_states_the_rules_of_reads() -> None:
    paths = create_app(Settings()).openapi()["paths"]
    quote = {p["name"]: p for p in paths["/quotes/{quote_id}"]["get"]["parameters"]}
    assert "as_of" in quote["version"]["description"]
    assert "version" in quote["as_of"]["description"]
    views = {p["name"]: p for p in paths["/views/quotes"]["get"]["parameters"]}
    assert "position-not-recorded" in views["min_position"]["description"]
    assert "view-not-ready" in views["min_position"]["description"]


def test_version_and_as_of_together_are_refused(api: TestClient) -> None:
    quote = api.post("/quotes", json={"currency": "EUR", "prospect": "Martin"}).json()["id"]
    both = api.get(f"/quotes/{quote}", params={"version": 1, "as_of": "2999-01-01T00:00:00Z"})
    assert_problem(both, 422, "invalid-input")


# 405 ---------------------------------------------------------------------------------


def test_a_405_names_the_allowed_methods(api: TestClient) -> None:
    """`GET` and `PATCH /affairs/{id}` are two routes: both are named."""
    response = api.delete(f"/affairs/{ZERO_ID}")
    body = assert_problem(response, 405, "method-not-allowed")
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "PATCH"}
    assert body["status"] == 405


# Request ids ---------------------------------------------------------------------------


def test_every_response_carries_a_request_id(api: TestClient) -> None:
    ids = set()
    for response in (api.get("/health"), api.get("/views/quotes"), api.delete("/orders")):
        ids.add(response.headers["x-request-id"])
    assert len(ids) == 3
    too_large = api.post("/quotes", content=b"x" * (2 * 1024 * 1024))
    assert too_large.status_code == 413
    assert too_large.headers["x-request-id"]


def test_a_well_formed_incoming_request_id_is_kept_and_a_malformed_one_replaced(
    api: TestClient,
) -> None:
    kept = api.get("/health", headers={"X-Request-ID": "lb-7f3a.42_x"})
    assert kept.headers["x-request-id"] == "lb-7f3a.42_x"
    for hostile in ("a b", "x" * 200, "<script>", "id\tx"):
        replaced = api.get("/health", headers={"X-Request-ID": hostile})
        assert replaced.headers["x-request-id"] not in (hostile, ""), hostile


def test_an_unhandled_error_is_a_500_problem_with_its_request_id_and_the_connection_stays(
    app_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """Through a real uvicorn server: the keep-alive connection serves the next request."""
    server = LiveServer(app_settings.model_copy(update={"duckdb_path": _fresh(app_settings)}))
    crash = APIRouter()

    @crash.get("/test-only/crash")
    def boom() -> None:
        raise RuntimeError("a bug the test planted")

    server.app.include_router(crash)
    with server, httpx.Client(base_url=server.url, timeout=30) as client:
        with caplog.at_level(logging.ERROR):
            first = client.get("/test-only/crash", headers={"X-Request-ID": "crash-1"})
        assert first.status_code == 500
        assert first.headers["content-type"].startswith(PROBLEM)
        body = first.json()
        assert body["type"] == "/problems/internal-error"
        assert body["request_id"] == "crash-1" == first.headers["x-request-id"]
        assert "a bug the test planted" not in first.text
        assert first.headers.get("connection", "keep-alive").lower() != "close"
        logged = [r for r in caplog.records if "crash-1" in r.getMessage()]
        assert logged
        assert logged[0].exc_info is not None
        second = client.get("/health")
        assert second.status_code == 200, second.text
        assert _local_port(second) == _local_port(first)


def _fresh(settings: Settings) -> Path:
    return Path(str(settings.duckdb_path)).with_name("crash-views.duckdb")


def _local_port(response: httpx.Response) -> int:
    """The client side's port of the connection that carried `response`."""
    stream: Any = response.extensions["network_stream"]
    port: int = stream.get_extra_info("client_addr")[1]
    return port


# /health -------------------------------------------------------------------------------


def test_health_without_a_key_says_only_whether_the_service_is_up(api: TestClient) -> None:
    anonymous = api.get("/health", headers={"X-API-Key": ""})
    assert anonymous.status_code == 200
    assert anonymous.json() == {"status": "ok"}


def test_health_with_a_key_of_any_role_shows_the_positions(api: TestClient) -> None:
    for role in ("sales", "auditor", "admin"):
        shown = api.get("/health", headers=as_role(api, f"{role}-health", role)).json()
        assert shown["status"] == "ok"
        assert {"log_position", "view_position"} <= set(shown)


def test_health_with_an_unknown_key_is_a_401(api: TestClient) -> None:
    assert_problem(api.get("/health", headers={"X-API-Key": "cpt_nope"}), 401, "unauthenticated")


def _dated_nodes(node: object) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if node.get("format") in ("date", "date-time"):
            yield node
        for value in node.values():
            yield from _dated_nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _dated_nodes(value)


def test_every_day_or_instant_a_request_carries_states_its_form_and_bounds() -> None:
    document = create_app(Settings()).openapi()
    components = document["components"]["schemas"]
    requested: set[str] = set()
    for methods in document["paths"].values():
        for operation in methods.values():
            for parameter in operation.get("parameters", []):
                for node in _dated_nodes(parameter["schema"]):
                    assert node["pattern"] in (DAY_PATTERN, INSTANT_PATTERN), parameter
            body = json.dumps(operation.get("requestBody", {}))
            requested |= set(re.findall(r"#/components/schemas/([\w-]+)", body))
    seen: set[str] = set()
    while requested:
        name = requested.pop()
        seen.add(name)
        for node in _dated_nodes(components[name]):
            assert node["pattern"] in (DAY_PATTERN, INSTANT_PATTERN), name
        refs = set(re.findall(r"#/components/schemas/([\w-]+)", json.dumps(components[name])))
        requested |= refs - seen
    assert {"QuoteDraft", "ContractSign", "WarrantyIn", "AffairOpen"} <= seen


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/quotes",
            {"currency": "EUR", "prospect": "M", "valid_until": "9999-12-31"},
            "valid_until",
        ),
        ("/quotes", {"currency": "EUR", "prospect": "M", "valid_until": 1798675200}, "valid_until"),
        (
            "/affairs",
            {
                "name": "Roll-out",
                "prospect": "M",
                "currency": "EUR",
                "expected_amount": "1",
                "sale_type": "study",
                "end": "9999-12-31",
            },
            "end",
        ),
        (
            f"/customers/{ZERO_ID}/mark-inactive",
            {"last_quote_at": "0001-01-01T00:00:00Z"},
            "last_quote_at",
        ),
    ],
)
def test_a_body_day_or_instant_outside_its_form_or_bounds_is_a_422_naming_it(
    api: TestClient, path: str, body: dict[str, Any], field: str
) -> None:
    response = api.post(path, json=body)
    problem = assert_problem(response, 422, "invalid-request")
    assert field in problem["detail"]
    assert "between 1900 and 2999" in problem["detail"]


def test_if_match_takes_the_etag_form_weak_or_not_or_a_bare_version(api: TestClient) -> None:
    quote = api.post("/quotes", json={"currency": "EUR", "prospect": "Martin"}).json()["id"]
    line = {"description": "Till", "quantity": "1", "unit_price": "5", "vat_rate": "20"}
    for version, form in ((1, '"{}"'), (2, 'W/"{}"'), (3, "{}")):
        added = api.post(
            f"/quotes/{quote}/lines", json=line, headers={"If-Match": form.format(version)}
        )
        assert added.status_code == 201, (form, added.text)
    for wrong in ('"4', "4.0", "v4", "*", '"1234567890123"'):
        refused = api.post(f"/quotes/{quote}/lines", json=line, headers={"If-Match": wrong})
        body = assert_problem(refused, 422, "invalid-input")
        assert "If-Match" in body["detail"]
    send = create_app(Settings()).openapi()["paths"]["/quotes/{quote_id}/send"]["post"]
    if_match = next(p for p in send["parameters"] if p["name"] == "if-match")
    assert if_match["schema"]["pattern"] == IF_MATCH
    assert 'W/"3"' in if_match["description"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/quotes/bulk-actions"),
        ("GET", "/quotes/bulk-reminders"),
        ("PATCH", "/affairs/bulk-actions"),
        ("PUT", f"/affairs/{ZERO_ID}/budget/baselines"),
    ],
)
def test_a_path_that_is_no_document_id_is_a_405_not_a_422(
    api: TestClient, method: str, path: str
) -> None:
    """Regression (schemathesis `unsupported_method`): a document id route took these."""
    response = api.request(method, path, json={})
    assert_problem(response, 405, "method-not-allowed")
    assert response.headers["allow"] == "POST"


def test_a_budget_line_is_still_set_by_its_category(api: TestClient) -> None:
    affair = api.post(
        "/affairs",
        json={
            "name": "Pumping station",
            "prospect": "Martin",
            "currency": "EUR",
            "expected_amount": "1000",
            "sale_type": "study",
        },
    ).json()["id"]
    line = api.put(f"/affairs/{affair}/budget/labour", json={"amount": "100"})
    assert line.status_code == 200, line.text
    unknown = api.put(f"/affairs/{affair}/budget/nope", json={"amount": "1"})
    assert "labour" in assert_problem(unknown, 422, "invalid-request")["detail"]
