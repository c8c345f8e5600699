"""The console in a real headless Chromium (Debian's `chromium`, driven by Playwright):
sign in, every page, a filter and the as-of day changed, a timeline and a diff, an
export downloaded, the verify button, and what a salesperson may not see.

Screenshots of each page are saved (PNG) in the test's directory, and under
`docs/console/` for the README when COMPTOIR_CONSOLE_SCREENSHOTS=1. Without Chromium or
Playwright the tests fail under COMPTOIR_REQUIRE_SERVICES=1 (scripts/test, CI), and skip
elsewhere.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.console.server import Running, serving
from tests.console.story import Story, tell

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "console"
PAGES = ("pipeline", "forecast", "quotes", "budget", "orders", "contracts", "service")


Told = tuple[Running, Story, dict[str, str]]


def missing(what: str) -> None:
    message = f"{what} is missing: the console's browser tests need it"
    if os.environ.get("COMPTOIR_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright for Python (pip install playwright)")
    if shutil.which(CHROMIUM) is None:
        missing(f"Chromium ({CHROMIUM}: apt-get install -y chromium)")
    with sync_playwright() as playwright:
        found = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield found
        found.close()


@pytest.fixture(scope="module")
def told(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Running, Story, dict[str, str]]]:
    """The server with the sales story told through its HTTP API."""
    with serving(tmp_path_factory.mktemp("console")) as server:
        users = {"sales": "alice", "manager": "maud", "accountant": "carla", "auditor": "audrey"}
        keys = {role: server.issue_key(user, role) for role, user in users.items()}
        headers = {role: {"X-API-Key": key} for role, key in keys.items()}
        with httpx.Client(base_url=server.url, timeout=60) as http:
            story = tell(http, headers, server.advance)
            # the views have read the last command before the browser looks
            http.get(
                "/views/audit", params={"min_position": story.position}, headers=headers["auditor"]
            )
        yield server, story, keys


def shoot(page: Any, name: str, shots: Path) -> None:
    """A PNG of the page (whole length), kept for the README when asked."""
    page.wait_for_load_state("networkidle")
    target = shots / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("COMPTOIR_CONSOLE_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, DOCS / target.name)


def htmx_settled(page: Any) -> None:
    """Wait until htmx has no request in flight and has swapped and settled the last
    answer: a control of the new content filled before then may have no listener yet."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def signed_in(browser: Any, server: Running, key: str, lang: str = "en-GB") -> Any:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale=lang, accept_downloads=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console", lambda m: errors.append(f"{m.text} {m.location}") if m.type == "error" else None
    )
    page.errors = errors
    page.goto(f"{server.url}/console/pipeline")
    assert "/console/sign-in" in page.url
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/console/pipeline")
    return page


def test_a_manager_reads_every_page_changes_filters_and_the_as_of_day_and_exports(
    browser: Any, told: Told, tmp_path: Path
) -> None:
    server, story, keys = told
    page = signed_in(browser, server, keys["manager"])
    cookie = next(c for c in page.context.cookies() if c["name"] == "comptoir_console")
    assert (cookie["httpOnly"], cookie["secure"], cookie["sameSite"]) == (True, True, "Strict")
    assert page.evaluate("document.cookie").find("cpt_") == -1  # scripts cannot read the key

    # The pipeline: four affairs and the open quotes; the funnel is drawn.
    table = page.get_by_role("table").nth(1)
    assert table.get_by_role("row").count() == 1 + 7
    assert page.locator("canvas[data-chart='funnel-chart']").evaluate("c => c.width") > 0
    shoot(page, "pipeline", tmp_path)

    # A filter: bob's affairs only, swapped in by htmx, the address kept in the history.
    page.get_by_label("Salesperson").select_option("bob")
    page.wait_for_url("**salesperson=bob**")
    rows = page.get_by_role("table").nth(1).get_by_role("row")
    rows.nth(2).wait_for()
    names = rows.all_inner_texts()[1:]
    assert len(names) == 2
    assert all("bob" in row for row in names), names
    assert "Staff training" in " ".join(names)

    # As of a day before anything was recorded: the pipeline was empty then.
    before = (date.today() - timedelta(days=2)).isoformat()
    htmx_settled(page)
    page.get_by_label("As of").fill(before)
    page.wait_for_url(f"**as_of={before}**")
    page.get_by_text("No affair or quote matches these filters.").wait_for()
    assert page.get_by_label("As of").input_value() == before

    for name in PAGES[1:]:
        page.goto(f"{server.url}/console/{name}")
        assert page.locator("h1").first.is_visible()
        assert page.get_by_role("table").count() >= 1
        shoot(page, name, tmp_path)

    # The orders page's export: the file the /views/orders/export route gives.
    page.goto(f"{server.url}/console/orders")
    with page.expect_download() as waiting:
        page.get_by_role("navigation", name="Export the orders").get_by_role(
            "link", name="CSV"
        ).click()
    download = waiting.value
    assert download.suggested_filename.startswith("orders-")
    text = Path(download.path()).read_text()
    assert text.splitlines()[0].startswith("order_id,")
    assert story.order_id in text
    assert page.errors == [], "\n".join(page.errors)


def test_a_document_timeline_shows_every_event_a_diff_a_past_version_and_its_pdfs(
    browser: Any, told: Told, tmp_path: Path
) -> None:
    server, story, keys = told
    page = signed_in(browser, server, keys["manager"])
    page.goto(f"{server.url}/console/quotes?bucket=signed")
    page.get_by_role("link", name="Shop fit-out").click()
    page.wait_for_url(f"**/console/documents/quote/{story.quote_id}")
    events = page.locator("table.timeline tbody tr")
    types = [t.split("\t")[1] for t in events.all_inner_texts()]
    assert types[:2] == ["Quote.Drafted", "Quote.LineAdded"]
    assert "Quote.Revised" in types
    assert "Quote.Accepted" in types
    revised = events.nth(types.index("Quote.Revised"))
    assert "a third counter" in revised.inner_text()  # why
    assert "quote.revise" in revised.inner_text()  # the command
    # Revision 1 as sent against revision 2 as sent: the quantity went from 2 to 3.
    sent = [i + 1 for i, t in enumerate(types) if t == "Quote.Sent"]
    page.get_by_label("From version").select_option(str(sent[0]))
    page.get_by_label("To version").select_option(str(sent[1]))
    page.get_by_role("button", name="Compare").click()
    change = page.locator("#diff tr", has_text="lines[line_id=1].quantity")
    change.wait_for()
    assert change.inner_text().split("\t")[2:] == ["2", "3"]
    shoot(page, "timeline", tmp_path)
    # Each sent revision has its PDF, from the documents routes.
    pdf = page.get_by_role("link", name="PDF r1")
    reply = page.request.get(server.url + str(pdf.get_attribute("href")))
    assert reply.status == 200
    assert reply.headers["content-type"] == "application/pdf"
    assert reply.body()[:5] == b"%PDF-"
    # The quote as it stood at its second version: one line, two counters.
    page.locator("table.timeline tbody tr").nth(1).get_by_role("link", name="As it stood").click()
    page.wait_for_url("**/versions/2")
    assert page.locator("dl.state").first.get_by_text("4800.00").count() >= 1
    assert page.errors == [], "\n".join(page.errors)


def test_an_auditor_filters_the_audit_log_and_runs_verify(
    browser: Any, told: Told, tmp_path: Path
) -> None:
    server, story, keys = told
    page = signed_in(browser, server, keys["auditor"])
    page.get_by_role("link", name="Audit").click()
    page.wait_for_url("**/console/audit")
    page.get_by_label("Document id").fill(story.order_id)
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(f"**document_id={story.order_id}**")
    rows = page.locator("section[aria-labelledby='log-title'] tbody tr")
    rows.first.wait_for()
    events = [r.split("\t")[3] for r in rows.all_inner_texts()]
    assert events[:2] == ["Order.Created", "Order.Confirmed"]
    page.get_by_role("button", name="Run verify").click()
    page.wait_for_url("**/console/audit")
    status = page.get_by_role("status").filter(has_text="Last check")
    assert "passed" in status.inner_text()
    assert "audrey" in status.inner_text()
    shoot(page, "audit", tmp_path)
    assert page.errors == [], "\n".join(page.errors)


def test_a_salesperson_has_no_audit_page_and_french_readers_get_french(
    browser: Any, told: Told, tmp_path: Path
) -> None:
    server, _, keys = told
    page = signed_in(browser, server, keys["sales"])
    assert page.get_by_role("link", name="Audit").count() == 0
    page.goto(f"{server.url}/console/audit")
    assert page.get_by_role("heading", name="Your role does not allow this page").is_visible()
    # the switch answers with a redirect back to this page, now in French
    with page.expect_response(lambda r: r.url == f"{server.url}/console/audit") as back:
        page.get_by_role("link", name="FR").click()
    assert back.value.status == 403
    page.goto(f"{server.url}/console/pipeline")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", name="Pipeline commercial").is_visible()
    shoot(page, "pipeline-fr", tmp_path)
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/console/sign-in")
    page.goto(f"{server.url}/console/orders")
    assert "/console/sign-in" in page.url
