"""The console's sign-in, CSRF and roles over HTTP (no browser), on SQLite and Postgres."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from interfaces.http.app import create_app
from interfaces.settings import Settings
from tests.api.support import issue_key
from tests.conftest import FrozenClock


@pytest.fixture
def browser(settings: Settings, clock: FrozenClock) -> Iterator[TestClient]:
    """A client that keeps cookies, on https (the console's cookies are Secure)."""
    app = create_app(settings, clock)
    with TestClient(app, base_url="https://testserver") as client:
        client.headers["Accept-Language"] = "en"
        yield client


def token(client: TestClient) -> str:
    page = client.get("/console/sign-in")
    assert page.status_code == 200
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def sign_in(client: TestClient, key: str) -> None:
    answer = client.post(
        "/console/sign-in",
        data={"csrf": token(client), "api_key": key},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "Secure" in cookie
    assert "SameSite=strict" in cookie


def test_a_page_without_a_session_leads_to_the_sign_in_page(browser: TestClient) -> None:
    answer = browser.get("/console/orders?as_of=2026-11-01", follow_redirects=False)
    assert answer.status_code == 303
    assert (
        answer.headers["location"]
        == "/console/sign-in?next=%2Fconsole%2Forders%3Fas_of%3D2026-11-01"
    )


def test_a_wrong_key_or_a_missing_token_signs_nobody_in(browser: TestClient) -> None:
    wrong = browser.post("/console/sign-in", data={"csrf": token(browser), "api_key": "cpt_x"})
    assert wrong.status_code == 401
    assert "comptoir_console=" not in wrong.headers.get("set-cookie", "")
    key = issue_key(browser, "maud", "manager")
    forged = browser.post("/console/sign-in", data={"csrf": "x" * 43, "api_key": key})
    assert forged.status_code == 403
    other_site = browser.post(
        "/console/sign-in",
        data={"csrf": token(browser), "api_key": key},
        headers={"Origin": "https://evil.example"},
    )
    assert other_site.status_code == 403


def test_a_salesperson_reads_the_pipeline_but_not_the_audit_page(browser: TestClient) -> None:
    sign_in(browser, issue_key(browser, "alice", "sales"))
    pipeline = browser.get("/console/pipeline")
    assert pipeline.status_code == 200
    assert "default-src 'self'" in pipeline.headers["content-security-policy"]
    assert 'href="/console/audit"' not in pipeline.text
    assert browser.get("/console/audit").status_code == 403
    refused = browser.post("/console/audit/verify", data={"csrf": token(browser)})
    assert refused.status_code == 403


def test_an_auditor_runs_verify_only_with_the_forms_token(browser: TestClient) -> None:
    sign_in(browser, issue_key(browser, "audrey", "auditor"))
    assert browser.post("/console/audit/verify", data={"csrf": "nope"}).status_code == 403
    assert "No check was run" in browser.get("/console/audit").text
    ran = browser.post("/console/audit/verify", data={"csrf": token(browser)})
    assert ran.status_code == 200  # the audit page, after the redirect
    assert "Last check: passed" in ran.text


def test_a_bad_as_of_day_or_export_is_a_page_saying_why(browser: TestClient) -> None:
    sign_in(browser, issue_key(browser, "maud", "manager"))
    assert browser.get("/console/pipeline?as_of=2026-13-01").status_code == 422
    assert browser.get("/console/export/secrets?format=csv").status_code == 422
    refused = browser.get("/console/export/orders?format=pdf")
    assert refused.status_code == 422
    assert "format" in refused.text
    assert browser.get("/console/static/../../app.py").status_code == 404


def test_the_last_check_survives_a_restart_of_the_app(
    settings: Settings, clock: FrozenClock
) -> None:
    with TestClient(create_app(settings, clock), base_url="https://testserver") as first:
        first.headers["Accept-Language"] = "en"
        sign_in(first, issue_key(first, "audrey", "auditor"))
        ran = first.post("/console/audit/verify", data={"csrf": token(first)})
        assert "Last check: passed" in ran.text
    with TestClient(create_app(settings, clock), base_url="https://testserver") as restarted:
        restarted.headers["Accept-Language"] = "en"
        sign_in(restarted, issue_key(restarted, "maud", "manager"))
        page = restarted.get("/console/audit")
        assert page.status_code == 200
        assert "Last check: passed" in page.text
        assert "audrey" in page.text


@pytest.mark.parametrize("role", ["command", "query"])
def test_a_command_or_query_node_says_which_node_serves_the_console(
    settings: Settings, clock: FrozenClock, role: str
) -> None:
    app = create_app(settings.model_copy(update={"role": role}), clock)
    with TestClient(app, base_url="https://testserver") as command:
        for path in ("/console", "/console/sign-in", "/console/pipeline?as_of=2026-11-01"):
            refused = command.get(path, follow_redirects=False)
            assert refused.status_code == 404
            assert refused.json()["type"] == "/problems/console-not-served"
            assert "role all" in refused.json()["detail"]
        assert command.post("/console/audit/verify").status_code == 404
        assert command.get("/consoles").json()["type"] != "/problems/console-not-served"
