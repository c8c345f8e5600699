"""Hostile input (issue 7): every abuse is a clear 4xx problem+json and appends nothing.

Oversized and deeply nested bodies, numbers no amount can be, impossible dates and
instants, awkward unicode, SQL-looking text and wrong content types, on SQLite and on
Postgres. Text that is merely odd (RTL marks, emoji, quotes and semicolons) is stored
verbatim and comes back unchanged, in the document and through the views' filters.

Also the regression tests of the fixes the OpenAPI fuzzer led to (test_openapi_fuzz.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from interfaces.http.app import create_app
from interfaces.http.limits import MAX_BODY_BYTES
from interfaces.settings import Settings
from tests.api.support import PROBLEM, as_role, assert_problem, log_position

JSON = {"content-type": "application/json"}
QUOTE = {"currency": "EUR", "prospect": "Boulangerie Martin", "valid_until": "2026-12-31"}


def refused(client: TestClient, response: Any, before: int, *statuses: int) -> dict[str, Any]:
    """A 4xx problem document among `statuses`, with a detail, and no event appended."""
    assert response.status_code in statuses, response.text
    assert response.headers["content-type"].startswith(PROBLEM), response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == response.status_code
    assert body["type"].startswith("/problems/")
    assert body["detail"]
    assert log_position(client) == before
    return body


def post_raw(
    client: TestClient, path: str, content: bytes | Iterator[bytes], **headers: str
) -> Any:
    return client.post(path, content=content, headers={**JSON, **headers})


# Sizes and shapes -------------------------------------------------------------------


def test_a_body_over_the_limit_is_refused_before_it_is_read(client: TestClient) -> None:
    before = log_position(client)
    padding = b"x" * (5 * 1024 * 1024)
    response = post_raw(client, "/quotes", b'{"currency": "EUR", "title": "' + padding + b'"}')
    body = refused(client, response, before, 413)
    assert body["type"] == "/problems/request-too-large"


def test_a_streamed_body_over_the_limit_is_refused_too(client: TestClient) -> None:
    """No Content-Length (chunked): the bytes are counted as they come."""
    before = log_position(client)

    def chunks() -> Iterator[bytes]:
        yield b'{"currency": "EUR", "prospect": "x", "title": "'
        for _ in range(6):
            yield b"y" * (1024 * 1024)
        yield b'"}'

    response = post_raw(client, "/quotes", chunks())
    assert refused(client, response, before, 413)["type"] == "/problems/request-too-large"


def test_a_body_on_a_route_that_takes_none_is_bounded_as_well(client: TestClient) -> None:
    before = log_position(client)
    response = client.request("GET", "/views/quotes", content=b"x" * (2 * MAX_BODY_BYTES))
    refused(client, response, before, 413)


def test_a_large_body_under_the_limit_is_read(client: TestClient) -> None:
    """The limit is about size only: 900 KB of whitespace around a valid draft is fine."""
    body = json.dumps(QUOTE).encode() + b" " * (900 * 1024)
    response = post_raw(client, "/quotes", body)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    "content",
    [
        b"[" * 10_000 + b"]" * 10_000,
        b'{"currency": "EUR", "title": ' + b'{"a": ' * 10_000 + b"1" + b"}" * 10_001,
        b'{"currency": "EUR", "prospect": "x", "title": "' + b"[" * 10_000 + b'"}',
    ],
    ids=["nested-arrays", "nested-objects", "brackets-in-a-string"],
)
def test_deeply_nested_json_is_a_client_error_not_a_recursion_error(
    client: TestClient, content: bytes
) -> None:
    before = log_position(client)
    response = post_raw(client, "/quotes", content)
    refused(client, response, before, 400, 422)


def test_a_bulk_list_longer_than_allowed_is_refused(client: TestClient) -> None:
    before = log_position(client)
    ids = [str(uuid4()) for _ in range(501)]
    response = client.post("/quotes/bulk", json={"action": "abandon", "quote_ids": ids})
    refused(client, response, before, 404, 405, 422)


# Numbers ----------------------------------------------------------------------------


NOT_AMOUNTS = [
    "1e1000000",
    str(10**400),
    "9" * 5000,
    '"1e1000000"',
    '"1E+400"',
    '"1e-1000000"',
    "NaN",
    "Infinity",
    "-Infinity",
    '"NaN"',
    '"sNaN"',
    '"-0.000001"',
    "-1",
    '"12.3456789"',
    "true",
    "[]",
    '"1,5"',
]


def test_an_amount_that_is_no_amount_is_refused(client: TestClient) -> None:
    """Credit limits, prices and quantities: finite, non-negative, at most 6 decimals."""
    quote = client.post("/quotes", json=QUOTE).json()["id"]
    before = log_position(client)
    for raw in NOT_AMOUNTS:
        customer = f'{{"name": "Martin", "credit_limit": {raw}}}'.encode()
        refused(client, post_raw(client, "/customers", customer), before, 400, 422)
        for field in ("quantity", "unit_price", "unit_cost"):
            line = {"description": "x", "quantity": "1", "unit_price": "1", "vat_rate": "20"}
            text = json.dumps({**line, field: "@"}).replace('"@"', raw)
            response = post_raw(client, f"/quotes/{quote}/lines", text.encode())
            refused(client, response, before, 400, 422)


def test_a_vat_rate_or_discount_outside_0_to_100_is_refused(client: TestClient) -> None:
    quote = client.post("/quotes", json=QUOTE).json()["id"]
    before = log_position(client)
    for rate in ["-1", "100.0000001", "101", "NaN", "1e3"]:
        line = {"description": "x", "quantity": "1", "unit_price": "1", "vat_rate": rate}
        refused(client, client.post(f"/quotes/{quote}/lines", json=line), before, 422)
        discounts = {"percents": [rate]}
        refused(client, client.put(f"/quotes/{quote}/discounts", json=discounts), before, 422)


def test_an_unknown_currency_is_refused(client: TestClient) -> None:
    before = log_position(client)
    for currency in ["XXQ", "eur", "EU", "EURO", "€€€", "E\u0000R", "", "XTS"]:
        response = client.post("/quotes", json={**QUOTE, "currency": currency})
        refused(client, response, before, 422)


HOSTILE_PATHS = [
    "/quotes/{id}/revisions/" + "9" * 400,
    "/quotes/{id}/revisions/0",
    "/quotes/{id}/revisions/-1",
    "/quotes/{id}?version=" + "9" * 400,
    "/quotes/{id}?version=1e3",
    "/quotes/{id}/diff?from=1&to=" + "9" * 30,
    "/views/quotes?limit=" + "9" * 5000,
    "/views/quotes?offset=-1",
    "/views/quotes?min_position=" + str(2**63),
    "/views/quotes?min_position=NaN",
    "/quotes/not-a-uuid",
    "/quotes/" + "9" * 400,
    "/quotes/%F0%9F%98%80",
]


def test_huge_or_malformed_numbers_in_paths_and_queries_are_refused(client: TestClient) -> None:
    quote = client.post("/quotes", json=QUOTE).json()["id"]
    before = log_position(client)
    for path in HOSTILE_PATHS:
        response = client.get(path.format(id=quote))
        refused(client, response, before, 404, 422)


# Dates and instants -----------------------------------------------------------------


def test_an_impossible_date_is_refused(client: TestClient) -> None:
    before = log_position(client)
    for day in ["2026-02-30", "2026-13-01", "0000-01-01", "99999-01-01", "-0001-01-01", "x", ""]:
        response = client.post("/quotes", json={**QUOTE, "valid_until": day})
        refused(client, response, before, 422)


INSTANTS = [
    "0001-01-01T00:00:00+14:00",  # before year 1 once in UTC
    "9999-12-31T23:59:59-14:00",  # after year 9999 once in UTC
    "2026-02-30T00:00:00Z",
    "99999-01-01T00:00:00Z",
]


@pytest.mark.parametrize(
    "route",
    [
        "/views/quotes?as_of={}",
        "/views/pipeline?as_of={}",
        "/views/orders?as_of={}",
        "/views/budget-vs-actual?as_of={}",
        "/views/kpis?since={}",
        "/views/kpis?until={}",
        "/views/forecast-accuracy?at={}&period_start=2026-01-01&period_end=2026-02-01",
    ],
)
def test_an_instant_out_of_range_in_utc_is_a_422_not_a_500(client: TestClient, route: str) -> None:
    """Regression: these reached `astimezone(UTC)` and failed with an OverflowError (500)."""
    before = log_position(client)
    for instant in INSTANTS:
        response = client.get(route.format(instant.replace("+", "%2B")))
        refused(client, response, before, 422)


@pytest.mark.parametrize("month", ["0000-01", "0000-12"])
def test_forecast_month_zero_is_a_422_not_a_500(client: TestClient, month: str) -> None:
    """Regression: `0000-01` matched YYYY-MM and then failed in `date(0, 1, 1)` (500).
    Months, days and instants are now bounded to the years 1900-2999 (issue 13, 8)."""
    before = log_position(client)
    response = client.get(f"/views/forecast?from_month={month}&to_month=2026-01")
    body = refused(client, response, before, 422)
    assert "from_month" in body["detail"]
    assert "between 1900 and 2999" in body["detail"]


@pytest.mark.parametrize(
    "route",
    [
        "/views/forecast?from_month=0001-01&to_month=9999-12",
        "/views/recurring-revenue?today=9999-12-31",
        "/views/contracts?today=0001-01-01",
        "/audit/events?until=0.5",
        "/views/kpis?since=1700000000",
        "/views/quotes?as_of=2026-11-02",
    ],
)
def test_days_and_instants_outside_their_form_or_years_are_422s_naming_them(
    client: TestClient, route: str
) -> None:
    """Issue 13 (8, 13): these answered 500 (`year 10000 is out of range`) or were read
    as Unix timestamps; now a day is YYYY-MM-DD, an instant RFC 3339 with its offset,
    both in the years 1900-2999."""
    auditor = as_role(client, "audrey", "auditor", "sales")
    before = log_position(client)
    response = client.get(route, headers=auditor)
    body = refused(client, response, before, 422)
    parameter = route.split("?")[1].split("=")[0]
    assert parameter in body["detail"]
    assert "between 1900 and 2999" in body["detail"]


# Unicode ----------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["name", "reason"])
def test_a_nul_character_in_text_is_refused(client: TestClient, field: str) -> None:
    """Regression: a NUL in a reason reached the journal's text column, which Postgres
    refuses (DataError, 500); no text field takes one now."""
    before = log_position(client)
    body = {"name": "Martin", field: "a\x00b"}
    response = client.post("/customers", json=body)
    assert refused(client, response, before, 422)["errors"][0]["field"] == f"body.{field}"


def test_a_nul_character_in_an_issued_key_user_is_refused(client: TestClient) -> None:
    before = log_position(client)
    admin = as_role(client, "root", "admin")
    before = log_position(client)
    response = client.post(
        "/admin/keys", json={"user": "eve\x00", "roles": ["sales"]}, headers=admin
    )
    refused(client, response, before, 422)


def test_a_nul_character_in_an_idempotency_key_is_refused(client: TestClient) -> None:
    """Regression: the key is a journal text column too (Postgres DataError, 500)."""
    before = log_position(client)
    response = client.post("/quotes", json=QUOTE, headers={"Idempotency-Key": "k\x00"})
    refused(client, response, before, 422)


@pytest.mark.parametrize(
    "raw",
    [b'"a\\ud800b"', b'"\\udfff"', b'"a\xed\xa0\x80b"', b'"\xff\xfe"', b'"\xc3"'],
    ids=["lone-high-escape", "lone-low-escape", "surrogate-bytes", "not-utf8", "truncated"],
)
def test_lone_surrogates_and_invalid_utf8_are_refused(client: TestClient, raw: bytes) -> None:
    before = log_position(client)
    response = post_raw(client, "/customers", b'{"name": ' + raw + b"}")
    refused(client, response, before, 400, 422)


ODD_BUT_FINE = [
    "\u202eRTL override\u202c and \u200fRLM\u200e",
    "Émile 😀🇫🇷 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 👩‍👩‍👧",
    "שלום مرحبا",
    "tab\tnew\nline\r\u2028\u2029end",
    "zero\u200bwidth\ufeff",
    "x' OR '1'='1",
    "Robert'); DROP TABLE events;--",
    '"; DELETE FROM quotes WHERE "1"="1',
    "%s %(x)s {0} ${x} \\x00 \\u0000",
]


@pytest.mark.parametrize("text", ODD_BUT_FINE)
def test_odd_text_is_stored_verbatim_and_comes_back_unchanged(
    client: TestClient, text: str
) -> None:
    created = client.post("/customers", json={"name": text, "reason": text})
    assert created.status_code == 201, created.text
    customer = created.json()["id"]
    assert client.get(f"/customers/{customer}").json()["name"] == text
    history = client.get(f"/customers/{customer}/history").json()
    assert history[0]["reason"] == text


@pytest.mark.parametrize("text", ODD_BUT_FINE)
def test_odd_text_filters_views_exactly(client: TestClient, text: str) -> None:
    """SQL-looking values are bound parameters: they match themselves and nothing else.

    A manager drafts them: a salesperson drafts for themselves only (issue 13, 12)."""
    manager = as_role(client, "max", "manager")
    draft = client.post(
        "/quotes", json={**QUOTE, "salesperson": text, "title": text}, headers=manager
    )
    assert draft.status_code == 201, draft.text
    quote, position = draft.json()["id"], draft.json()["position"]
    other = client.post("/quotes", json={**QUOTE, "salesperson": "someone else"}, headers=manager)
    assert other.status_code == 201
    shown = client.get(f"/quotes/{quote}").json()
    assert (shown["salesperson"], shown["title"]) == (text, text)
    page = client.get(
        "/views/quotes",
        params={"salesperson": text, "min_position": other.json()["position"]},
    )
    assert page.status_code == 200, page.text
    assert [row["quote_id"] for row in page.json()["items"]] == [quote]
    assert page.json()["items"][0]["salesperson"] == text
    assert position <= page.json()["position"]


@pytest.mark.parametrize(
    "params",
    [
        {"actor": "x' OR '1'='1"},
        {"document_type": "quote; DROP TABLE audit_log"},
        {"event_type": "%"},
        {"actor": "\x00"},
    ],
)
def test_sql_looking_filters_match_nothing_and_break_nothing(
    client: TestClient, params: dict[str, str]
) -> None:
    position = client.post("/quotes", json=QUOTE).json()["position"]
    auditor = as_role(client, "audrey", "auditor")
    response = client.get(
        "/views/audit", params={**params, "min_position": position}, headers=auditor
    )
    assert response.status_code == 200, response.text
    assert response.json()["items"] == []
    assert client.get("/views/audit", headers=auditor).json()["total"] > 0


@pytest.mark.parametrize(
    "order_by", ["drafted_at; DROP TABLE quotes", "1", "quote_id DESC, (SELECT 1)", "status"]
)
def test_order_by_is_a_closed_list(client: TestClient, order_by: str) -> None:
    response = client.get("/views/quotes", params={"order_by": order_by})
    if order_by == "status":
        assert response.status_code == 200, response.text
    else:
        assert_problem(response, 422, "invalid-request")


# Content types ----------------------------------------------------------------------


WRONG_TYPES = [
    "text/plain",
    "application/xml",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/jsonx",
    "",
]


def test_a_json_body_sent_as_something_else_is_refused(client: TestClient) -> None:
    before = log_position(client)
    for content_type in WRONG_TYPES:
        response = client.post(
            "/quotes", content=json.dumps(QUOTE).encode(), headers={"content-type": content_type}
        )
        refused(client, response, before, 400, 415, 422)


def test_malformed_json_is_refused(client: TestClient) -> None:
    before = log_position(client)
    for content in [b"{", b'{"currency": "EUR",}', b"null", b'"EUR"', b"[]", b"\x00", b"{'a': 1}"]:
        refused(client, post_raw(client, "/quotes", content), before, 400, 422)


def test_unknown_fields_are_refused_not_ignored(client: TestClient) -> None:
    before = log_position(client)
    response = client.post("/quotes", json={**QUOTE, "actor": "mallory", "id": str(uuid4())})
    refused(client, response, before, 422)


def test_a_client_cannot_choose_the_recorded_actor(client: TestClient) -> None:
    created = client.post("/quotes", json=QUOTE, headers={"X-Actor": "mallory", "X-User": "m"})
    history = client.get(f"/quotes/{created.json()['id']}/history").json()
    assert history[0]["actor"] == "alice"


# The documented error responses (fuzzer regressions) --------------------------------


def test_every_operation_documents_its_error_problems(settings: Settings) -> None:
    """Regression: 400 (unreadable body), 413 and 503 were answered but undocumented."""
    operations = create_app(settings).openapi()["paths"]
    for path, methods in operations.items():
        if path in ("/health",):
            continue
        for method, operation in methods.items():
            for status in ("400", "401", "403", "404", "413", "422", "503"):
                documented = operation["responses"].get(status)
                assert documented is not None, f"{method.upper()} {path} misses {status}"
                assert PROBLEM in documented["content"], f"{method.upper()} {path} {status}"


# Issue 13's probes, replayed ---------------------------------------------------------

LINE = {"description": "x", "quantity": "1", "unit_price": "1", "vat_rate": "20"}
POISON = "99999999999999.999999"


def refused_naming(client: TestClient, response: Any, before: int, *fields: str) -> None:
    """A 422 problem naming exactly these body fields, and no event appended."""
    problem = refused(client, response, before, 422)
    assert {error["field"] for error in problem["errors"]} == {f"body.{f}" for f in fields}


@pytest.mark.parametrize(
    "fields", [("quantity",), ("unit_price",), ("quantity", "unit_price")], ids="+".join
)
def test_the_poison_line_is_refused_naming_its_field(
    client: TestClient, fields: tuple[str, ...]
) -> None:
    """The line that froze every view: each value past its documented bound."""
    quote = client.post("/quotes", json=QUOTE).json()["id"]
    before = log_position(client)
    line = {**LINE, **dict.fromkeys(fields, POISON)}
    response = client.post(f"/quotes/{quote}/lines", json=line)
    refused_naming(client, response, before, *fields)


@pytest.mark.parametrize(
    "headers",
    [
        {"X-API-Key": "x" * (1024 * 1024)},
        {"X-API-Key": "cpt_" + "A" * (1024 * 1024)},
        {"X-API-Key": "", "Authorization": "Bearer cpt_" + "A" * (1024 * 1024)},
    ],
    ids=["junk-key", "prefixed-key", "bearer"],
)
def test_a_one_mebibyte_key_is_a_problem_before_any_lookup(
    client: TestClient, headers: dict[str, str]
) -> None:
    before = log_position(client)
    for method, path in [("GET", "/views/quotes"), ("POST", "/quotes")]:
        response = client.request(method, path, json=QUOTE, headers=headers)
        refused(client, response, before, 401, 431)


@pytest.mark.parametrize("decimal", ["٣", "1_000", "  1 ", "1e3", "0x10", "+1"])
@pytest.mark.parametrize("field", ["quantity", "unit_price"])
def test_a_decimal_in_another_form_than_ascii_digits_is_refused(
    client: TestClient, field: str, decimal: str
) -> None:
    quote = client.post("/quotes", json=QUOTE).json()["id"]
    before = log_position(client)
    response = client.post(f"/quotes/{quote}/lines", json={**LINE, field: decimal})
    refused_naming(client, response, before, field)


def test_a_control_character_in_a_prospect_name_is_refused_naming_it(client: TestClient) -> None:
    before = log_position(client)
    response = client.post("/quotes", json={**QUOTE, "prospect": "Martin\x01"})
    refused_naming(client, response, before, "prospect")


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "+33 4 78 00 00 00", "-1", "@SUM(A1)"])
def test_a_formula_looking_prospect_name_is_text_read_back_unchanged(
    client: TestClient, name: str
) -> None:
    """Accepted: it is text. The Excel export writes it as text (test_excel_export.py)."""
    created = client.post("/quotes", json={**QUOTE, "prospect": name})
    assert created.status_code == 201, created.text
    assert client.get(f"/quotes/{created.json()['id']}").json()["prospect"] == name


def test_an_entry_id_past_any_version_is_refused_naming_it(client: TestClient) -> None:
    """Regression (fuzzer): 28401141916081049600 reached the journal's fingerprint, a 500."""
    staff = as_role(client, "max", "manager", "accountant")
    before = log_position(client)
    response = client.post(
        f"/affairs/{uuid4()}/invoices", json={"entry_ids": [3, 2**70]}, headers=staff
    )
    problem = refused(client, response, before, 422)
    assert problem["errors"][0]["field"] == "body.entry_ids.1"
