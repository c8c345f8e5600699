"""One snapshot per view answer: a batch the projector commits between two queries of one
answer is seen by neither, and the answer carries the position of the state it shows.

The write happens between the queries: a hook on `Snapshot.execute` records a command and
waits until the projector has committed it, then lets the answer's next query run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from application.app import Comptoir
from application.journal import CommandContext
from domain.contract import ContractLine
from domain.periods import Frequency
from projections.snapshot import Snapshot

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def comptoir(client: TestClient) -> Comptoir:
    app: Comptoir = client.app.state.services.app  # type: ignore[attr-defined]
    return app


def ctx() -> CommandContext:
    return CommandContext(actor="carol", at=AT, reason="test")


@pytest.fixture
def between_queries(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[Callable[[], int | None]], list[int]]]:
    """Arrange for `write` to run, and be projected, after an answer's first query."""
    views = client.app.state.services.views  # type: ignore[attr-defined]
    original = Snapshot.execute

    def arrange(write: Callable[[], int | None]) -> list[int]:
        written: list[int] = []

        def execute(self: Snapshot, sql: str, parameters: Any = ()) -> Snapshot:
            result = original(self, sql, parameters)
            if not written:
                position = write() or 0
                assert views.wait_for(position, 10)
                written.append(position)
            return result

        monkeypatch.setattr(Snapshot, "execute", execute)
        return written

    yield arrange
    monkeypatch.setattr(Snapshot, "execute", original)


def draft(app: Comptoir, title: str) -> int:
    return int(
        app.quotes.draft(ctx(), currency="EUR", prospect="Martin", title=title).position or 0
    )


def test_a_page_and_its_total_see_the_same_state_when_a_batch_lands_between_them(
    client: TestClient, between_queries: Callable[[Callable[[], int | None]], list[int]]
) -> None:
    app = comptoir(client)
    before = draft(app, "first")
    assert client.get("/views/quotes", params={"min_position": before}).json()["total"] == 1
    written = between_queries(lambda: draft(app, "second"))
    response = client.get("/views/quotes", params={"min_position": before})
    assert response.status_code == 200, response.text
    body = response.json()
    assert written
    assert written[0] > before
    assert (body["total"], [q["title"] for q in body["items"]]) == (1, ["first"])
    assert body["position"] == before == int(response.headers["X-View-Position"])
    after = client.get("/views/quotes", params={"min_position": written[0]}).json()
    assert (after["total"], after["position"]) == (2, written[0])


def test_recurring_revenue_never_mixes_the_states_before_and_after_an_amendment(
    client: TestClient, between_queries: Callable[[Callable[[], int | None]], list[int]]
) -> None:
    app = comptoir(client)
    customer = app.customers.register(ctx(), name="Martin", status="customer").aggregate_id
    line = ContractLine("Maintenance", Decimal(1), Decimal("100.00"), Decimal(20))
    signed = app.contracts.sign(
        ctx(),
        customer_id=customer,
        currency="EUR",
        lines=[line],
        frequency=Frequency.MONTH,
        start=date(2026, 1, 1),
    )
    contract = signed.aggregate_id
    premium = ContractLine("Maintenance", Decimal(1), Decimal("300.00"), Decimal(20))

    def amend() -> int | None:
        amended = app.contracts.amend(
            ctx(), contract, effective=date(2026, 11, 1), lines=[premium], reason="upgrade"
        )
        return amended.position

    written = between_queries(amend)
    response = client.get("/views/recurring-revenue", params={"min_position": signed.position})
    assert response.status_code == 200, response.text
    body = response.json()
    assert written
    assert written[0] > int(body["position"])
    # the monthly revenue and next year's revenue both describe the contract before the
    # amendment: 100.00 a month, and 12 × 100.00 from December 2026 to November 2027
    assert body["items"] == [
        {
            "currency": "EUR",
            "contracts": 1,
            "mrr": "100.00",
            "arr": "1200.00",
            "next_year_revenue": "1200.00",
        }
    ]
    later = client.get("/views/recurring-revenue", params={"min_position": written[0]}).json()
    assert (later["items"][0]["mrr"], later["items"][0]["next_year_revenue"]) == (
        "300.00",
        "3600.00",
    )
