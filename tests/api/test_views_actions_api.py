"""The affairs' actions as an agenda (A8): by assignee, due date and status on a day; as
it stood at a time (V9); exported (V10)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from application.app import Comptoir
from application.journal import CommandContext

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)  # the clock's day: 2026-11-02


def comptoir(client: TestClient) -> Comptoir:
    app: Comptoir = client.app.state.services.app  # type: ignore[attr-defined]
    return app


def ctx(actor: str = "manon") -> CommandContext:
    return CommandContext(actor=actor, at=AT, reason="test")


def agenda(client: TestClient, **params: Any) -> dict[str, Any]:
    params.setdefault("min_position", comptoir(client).log_position())
    response = client.get("/views/actions", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def subjects(client: TestClient, **params: Any) -> list[str]:
    return [row["subject"] for row in agenda(client, **params)["items"]]


class Agenda:
    """Two affairs with four actions: one late, one coming, one undated, one done."""

    def __init__(self, app: Comptoir) -> None:
        self.martin = app.customers.register(ctx(), name="Martin", status="customer").aggregate_id
        self.ovens = self.affair(app, "Ovens", "bob", customer_id=self.martin)
        self.audit = self.affair(app, "Audit", "carol", prospect="Dupont")
        self.record(app, self.ovens, "task", "Call back", "bob", date(2026, 10, 30))
        self.record(app, self.ovens, "appointment", "Site visit", "bob", date(2026, 11, 5))
        self.record(app, self.audit, "note", "Findings", "carol", None)
        self.offer = self.record(app, self.audit, "email", "Send offer", "carol", date(2026, 11, 1))

    @staticmethod
    def affair(app: Comptoir, name: str, salesperson: str, **party: Any) -> UUID:
        return app.affairs.open(
            ctx(),
            name=name,
            salesperson=salesperson,
            currency="EUR",
            expected_amount=Decimal(1000),
            sale_type="study",
            **party,
        ).aggregate_id

    @staticmethod
    def record(
        app: Comptoir, affair: UUID, kind: str, subject: str, assignee: str, due: date | None
    ) -> UUID:
        result = app.affairs.record_action(
            ctx(), affair, kind=kind, subject=subject, assignee=assignee, due=due, body="…"
        ).result
        return UUID(str(result["action_id"]))


def test_the_agenda_lists_what_each_person_has_to_do_soonest_first(client: TestClient) -> None:
    app = comptoir(client)
    plan = Agenda(app)
    app.affairs.complete_action(ctx(), plan.audit, plan.offer)
    assert subjects(client) == ["Call back", "Send offer", "Site visit", "Findings"]
    assert subjects(client, assignee="bob") == ["Call back", "Site visit"]
    rows = {r["subject"]: r for r in agenda(client)["items"]}
    assert {s: r["status"] for s, r in rows.items()} == {
        "Call back": "overdue",
        "Site visit": "open",
        "Findings": "open",
        "Send offer": "done",
    }
    call = rows["Call back"]
    assert (call["affair_name"], call["customer_id"], call["salesperson"]) == (
        "Ovens",
        str(plan.martin),
        "bob",
    )
    assert (call["kind"], call["due"], call["completed_at"]) == ("task", "2026-10-30", None)
    assert rows["Findings"]["prospect"] == "Dupont"
    assert rows["Send offer"]["completed_at"] is not None


def test_actions_are_selected_by_status_due_date_kind_and_affair(client: TestClient) -> None:
    app = comptoir(client)
    plan = Agenda(app)
    app.affairs.complete_action(ctx(), plan.audit, plan.offer)
    assert subjects(client, status="overdue") == ["Call back"]
    assert subjects(client, status=["open", "overdue"]) == ["Call back", "Site visit", "Findings"]
    assert subjects(client, status="done") == ["Send offer"]
    assert subjects(client, due_from="2026-11-01", due_to="2026-11-05") == [
        "Send offer",
        "Site visit",
    ]
    assert subjects(client, status="overdue", today="2026-11-06") == ["Call back", "Site visit"]
    assert subjects(client, kind="note") == ["Findings"]
    assert subjects(client, affair_id=str(plan.audit)) == ["Send offer", "Findings"]
    assert subjects(client, customer_id=str(plan.martin)) == ["Call back", "Site visit"]
    assert subjects(client, salesperson="carol", status="open") == ["Findings"]
    latest_due = subjects(client, order_by="due", descending=True)
    assert latest_due == ["Site visit", "Send offer", "Call back", "Findings"]  # undated last


def test_the_agenda_reads_as_it_stood(client: TestClient) -> None:
    app = comptoir(client)
    plan = Agenda(app)
    agenda(client)
    then = datetime.now(UTC).isoformat()
    app.affairs.complete_action(ctx(), plan.audit, plan.offer)
    Agenda.record(app, plan.ovens, "task", "Quote", "bob", date(2026, 11, 3))
    day = {"today": "2026-11-02"}
    assert subjects(client, status="overdue", **day) == ["Call back"]
    assert subjects(client, status="overdue", as_of=then, **day) == ["Call back", "Send offer"]
    assert subjects(client, assignee="bob", as_of=then) == ["Call back", "Site visit"]
    assert subjects(client, assignee="bob") == ["Call back", "Quote", "Site visit"]


def test_the_agenda_is_exported_with_its_status_of_the_day(client: TestClient) -> None:
    app = comptoir(client)
    Agenda(app)
    params = {"assignee": "bob", "min_position": app.log_position(), "format": "csv"}
    response = client.get("/views/actions/export", params=params)
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["subject"], r["status"]) for r in rows] == [
        ("Call back", "overdue"),
        ("Site visit", "open"),
    ]
    openapi = client.get("/openapi.json").json()["paths"]
    listed = {p["name"] for p in openapi["/views/actions"]["get"]["parameters"]}
    exported = {p["name"] for p in openapi["/views/actions/export"]["get"]["parameters"]}
    assert exported == (listed - {"limit", "offset"}) | {"format"}


def test_an_unknown_status_or_a_malformed_day_is_refused(client: TestClient) -> None:
    for params in ({"status": "late"}, {"due_from": "02/11/2026"}, {"kind": "fax"}):
        response = client.get("/views/actions", params=params)
        assert response.status_code == 422, response.text
