"""Property-based fuzzing of every route against the app's own OpenAPI document (issues 5,
7 and 13).

Schemathesis generates requests for every operation the app documents — valid ones and,
in negative mode, ones that break the schema, plus its coverage cases (boundaries, missing
headers, methods a path does not take) — and each response passes every check
schemathesis 4 has (`--checks all`), but one (LEFT_OUT says which and why):

- never a 5xx;
- a documented status code, content type, headers and a body matching the documented
  schema (problem+json for every error);
- data that breaks the schema refused (4xx); data the schema allows accepted, or refused
  by a rule of the domain the schema cannot state (a 409, or a 422 whose problem type is
  the rule's own, never `invalid-request`: that would be a schema that says too little);
- a missing required header refused; a method the path does not take a 405 with `Allow`;
- an operation that declares a key refuses a request without one or with a wrong one;
- any refused request (4xx) leaves the log untouched.

A stateful phase then follows the OpenAPI links (declared and inferred) from the documents
a request creates — draft a quote, then read it, add lines, send it; register a customer,
then read it — with the same checks plus those that only make sense in a sequence (a
deleted thing is gone, a created thing is there).

The schema is the one the app serves (`create_app().openapi()`, built without starting
anything, so operations are known at collection time and each one is its own test); the
requests go in-process to one app started on the SQLite store for the whole module. Half
of the generated document ids are swapped for ids of real documents seeded before the
run, so the fuzzer reaches past the 404 into each document's own rules.

Bounded for CI (328 tests, all checks, both identities and the stateful phase: 7.5 minutes
on 2 cores shared with other runs, 2026-12-04): `COMPTOIR_FUZZ_EXAMPLES` (default 15 per
operation, derandomized) and `COMPTOIR_FUZZ_STEPS` (default 10 stateful scenarios) raise
it for long soak runs, which are then randomized.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast
from uuid import UUID

import jsonschema_rs
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS as REGISTRY
from schemathesis.checks import load_all_checks, not_a_server_error
from schemathesis.python.asgi import ASGIClient
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    ensure_resource_availability,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
    use_after_free,
)

from interfaces.http.app import create_app
from interfaces.settings import Settings
from interfaces.wiring import Services
from tests.api.support import issue_key
from tests.conftest import settings_for

EXAMPLES = int(os.environ.get("COMPTOIR_FUZZ_EXAMPLES", "15"))
SOAK = "COMPTOIR_FUZZ_EXAMPLES" in os.environ

# Operations are read from the schema the app serves; nothing starts until the fixture.
OPENAPI = create_app(Settings()).openapi()


class LiveApp:
    """The app the `live` fixture starts, reached through this stand-in: the probes some
    checks send (`ignored_auth`) go through the schema's own transport, which is chosen
    when the tests are collected, before the app has started."""

    target: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await self.target(scope, receive, send)
            return
        while True:  # the fixture runs the app's own lifespan, once
            message = await receive()
            await send({"type": message["type"] + ".complete"})
            if message["type"] == "lifespan.shutdown":
                return


LIVE_APP = LiveApp()
schema = schemathesis.openapi.from_dict(OPENAPI)
schema.app = LIVE_APP
schema.config.generation.update(
    modes=[schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
)
auditor_schema = schema.include(method="GET")


def _formats(node: object) -> set[str]:
    if isinstance(node, dict):
        found = {node["format"]} if isinstance(node.get("format"), str) else set()
        for value in node.values():
            found |= _formats(value)
        return found
    if isinstance(node, list):
        return set().union(*(_formats(item) for item in node))
    return set()


def _repeated_scalar_query(case: schemathesis.Case[Any]) -> bool:
    """A list or object for a single-valued parameter, sent as `?zone=a&zone=b`: FastAPI
    keeps the last value, as most frameworks do; also a known leniency."""
    scalar = str | int | float | bool | None
    return any(not isinstance(value, scalar) for value in (case.query or {}).values())


def rejects_negative_data(ctx: Any, response: Any, case: schemathesis.Case[Any]) -> bool | None:
    """Schemathesis' negative_data_rejection, less the leniency above."""
    if 200 <= response.status_code < 300 and _repeated_scalar_query(case):
        return None
    return negative_data_rejection(ctx, response, case)


def accepts_positive_data(ctx: Any, response: Any, case: schemathesis.Case[Any]) -> bool | None:
    """Schemathesis' positive_data_acceptance, less what no JSON Schema states:

    - a 422 for a rule of the domain (a quote needs a customer or a prospect; `to_month`
      not before `from_month`; a version or an `as_of`, not both): its problem type is
      the rule's own, not `invalid-request`;
    - a JSON number with more digits or decimals than the field takes (decimals are
      strings; a number is taken when it is exact, and no keyword bounds a binary
      float's digits: `multipleOf: 0.000001` would refuse 19.99);
    - a rule across a body's fields, checked by its model ("give either a percent or an
      amount"), refused on the object, not on one of its fields;
    - a value schemathesis reused from another answer that breaks the parameter's schema.

    Any other 422 `invalid-request` for schema-valid data fails: the schema says too
    little there."""
    if response.status_code == 422:
        problem = response.json()
        if problem.get("type") != "/problems/invalid-request":
            return None
        errors = problem.get("errors") or [{"field": "", "message": ""}]
        if all(_unstatable(case, error) for error in errors):
            return None
    return positive_data_acceptance(ctx, response, case)


def _unstatable(case: schemathesis.Case[Any], error: dict[str, str]) -> bool:
    """An error JSON Schema could not have prevented (see `accepts_positive_data`)."""
    message = error["message"]
    where, _, name = error["field"].partition(".")
    if where in ("path", "query") and not _fits(case, where, name):
        return True  # schemathesis reused a value from another answer that breaks this schema
    if "as a string" in message or "decimal places" in message:
        return isinstance(_at(case, error["field"]), int | float)
    return message.startswith("Value error,") and isinstance(_at(case, error["field"]), dict)


def _fits(case: schemathesis.Case[Any], where: str, name: str) -> bool:
    """Whether the case's path or query value `name` fits its declared schema."""
    values = case.path_parameters if where == "path" else case.query
    operation = OPENAPI["paths"][case.operation.path][case.operation.method.lower()]
    for parameter in operation.get("parameters", []):
        if parameter["name"] == name and parameter["in"] == where:
            value = (values or {}).get(name)
            with_refs = {**parameter["schema"], "components": OPENAPI["components"]}
            return bool(jsonschema_rs.validator_for(with_refs).is_valid(value))
    return True


def _at(case: schemathesis.Case[Any], field: str) -> object:
    """The value a problem's `body.a.0.b` field names in the case's body."""
    where, *path = field.split(".")
    return _walk(case.body if where == "body" else None, path)


def _walk(value: object, path: list[str]) -> object:
    if not path:
        return value
    if isinstance(value, dict):
        for end in range(len(path), 0, -1):  # a generated key may hold dots itself
            key = ".".join(path[:end])
            if key in value:
                return _walk(value[key], path[end:])
        return _walk(value, path[1:])  # a union's tag (`changes.0.add`), not a key of the body
    if isinstance(value, list) and path[0].isdigit() and int(path[0]) < len(value):
        return _walk(value[int(path[0])], path[1:])
    return None


load_all_checks()
LEFT_OUT = {
    # Every reader may read every document by design (a salesperson reads a colleague's
    # quote; only acting on it is assigned): there is no object another identity must not
    # read, so the check has nothing to find and would need peers configured to run.
    "object_level_authorization",
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    rejects_negative_data,
    accepts_positive_data,
    missing_required_header,
    unsupported_method,
    allow_header_conformance,
    ignored_auth,
]
STATEFUL_CHECKS = [*CHECKS, use_after_free, ensure_resource_availability]

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not SOAK,
    database=None,
    suppress_health_check=list(HealthCheck),
)


class Live:
    """The running app, its services, one ASGI session and the seeded documents."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.services: Services = client.app.state.services  # type: ignore[attr-defined]
        self.session = ASGIClient(cast(Any, client.app))
        self.staff = {"X-API-Key": issue_key(client, "fuzzer", "manager", "sales", "accountant")}
        self.auditor = {"X-API-Key": issue_key(client, "auditor", "auditor")}
        self.ids: dict[str, str] = {}

    def post(self, path: str, body: dict[str, Any]) -> str:
        response = self.client.post(path, json=body, headers=self.staff)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def seed(self) -> None:
        customer = self.post("/customers", {"name": "Boulangerie Martin", "status": "customer"})
        line = {"description": "Cash register", "quantity": "3", "unit_price": "19.99"}
        line["vat_rate"] = "20"
        quote = self.post("/quotes", {"currency": "EUR", "customer_id": customer})
        self.client.post(f"/quotes/{quote}/lines", json=line, headers=self.staff)
        affair = self.post(
            "/affairs",
            {
                "name": "Pumping station",
                "customer_id": customer,
                "currency": "EUR",
                "expected_amount": "12000",
                "sale_type": "study",
            },
        )
        order = self.post("/orders", {"customer_id": customer, "currency": "EUR", "lines": [line]})
        contract = self.post(
            "/contracts",
            {
                "customer_id": customer,
                "currency": "EUR",
                "lines": [line],
                "frequency": "month",
                "start": "2027-01-31",
            },
        )
        asset = self.post(
            "/assets", {"customer_id": customer, "product_ref": "CR-200", "site": "Shop"}
        )
        self.ids = {
            "customer_id": customer,
            "quote_id": quote,
            "affair_id": affair,
            "order_id": order,
            "contract_id": contract,
            "asset_id": asset,
        }

    def position(self) -> int:
        return self.services.app.log_position()

    def transport(self, headers: dict[str, str]) -> dict[str, Any]:
        """How the checks that send probes (`ignored_auth`) reach the same app."""
        return {"session": self.session, "base_url": "http://testserver", "headers": headers}

    def aim(self, case: schemathesis.Case[Any]) -> None:
        """Swap about half of the generated ids for seeded documents' ids."""
        for where in (case.path_parameters, case.body):
            if not isinstance(where, dict):
                continue
            for name, value in list(where.items()):
                if name in self.ids and _heads(value):
                    where[name] = self.ids[name]


def _heads(value: object) -> bool:
    """A coin drawn from the generated value itself, so a run replays exactly."""
    try:
        return UUID(str(value)).int % 2 == 0
    except ValueError:
        return False


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    base: Path = tmp_path_factory.mktemp("fuzz")
    # No scheduled jobs during the run: they would append events between two calls.
    config = settings_for("sqlite", base).model_copy(update={"jobs_interval_s": 1e9})
    with TestClient(create_app(config)) as client:
        LIVE_APP.target = client.app
        live = Live(client)
        live.seed()
        yield live


def call_and_check(live: Live, case: schemathesis.Case[Any], headers: dict[str, str]) -> None:
    live.aim(case)
    before = live.position()
    # In-process calls: schemathesis' 10-s network default once cut off a call while the
    # whole suite loaded this 2-core machine; a slow answer is not what this test judges.
    response = case.call(
        session=live.session, base_url="http://testserver", headers=headers, timeout=60
    )
    after = live.position()
    case.validate_response(
        response, checks=CHECKS, headers=headers, transport_kwargs=live.transport(headers)
    )
    if response.status_code >= 400:
        assert after == before, (
            f"{case.method} {case.formatted_path} answered {response.status_code} "
            f"but appended {after - before} event(s): {response.text}"
        )


@schema.parametrize()
@FUZZ
def test_every_operation_as_staff(case: schemathesis.Case[Any], live: Live) -> None:
    """A manager who is also sales and accountant may call everything but admin routes."""
    call_and_check(live, case, live.staff)


@auditor_schema.parametrize()
@FUZZ
def test_every_read_as_auditor(case: schemathesis.Case[Any], live: Live) -> None:
    """The read-only auditor: documents, history and views, never a 5xx."""
    call_and_check(live, case, live.auditor)


def test_every_check_schemathesis_has_runs_but_the_ones_left_out() -> None:
    names = {getattr(check, "__name__", "") for check in CHECKS}
    names |= {"negative_data_rejection", "positive_data_acceptance"}
    stateful = {check.__name__ for check in STATEFUL_CHECKS[len(CHECKS) :]}
    assert set(REGISTRY.get_all_names()) - names - stateful == LEFT_OUT


STEPS = int(os.environ.get("COMPTOIR_FUZZ_STEPS", "10"))


def test_the_documented_flows_in_sequence(live: Live) -> None:
    """The stateful phase: OpenAPI links from what a request created to what uses it."""
    machine = schema.as_state_machine()

    class Flows(machine):  # type: ignore[misc,valid-type]
        def get_call_kwargs(self, case: schemathesis.Case[Any]) -> dict[str, Any]:
            return live.transport(live.staff)

        def before_call(self, case: schemathesis.Case[Any]) -> None:
            live.aim(case)

        def validate_response(
            self, response: Any, case: schemathesis.Case[Any], **kwargs: Any
        ) -> None:
            case.validate_response(
                response,
                checks=STATEFUL_CHECKS,
                headers=live.staff,
                transport_kwargs=kwargs,
                recorder=getattr(self, "recorder", None),
            )

    Flows.run(
        settings=settings(
            max_examples=STEPS,
            stateful_step_count=6,
            deadline=None,
            derandomize=not SOAK,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
