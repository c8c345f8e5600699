"""Through HTTP: a poison event in the store leaves every read working, and admins see it."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient

from tests.api.support import as_role
from tests.integration.test_quarantine import sell, write_poison


def wait_for_notice(client: TestClient, document: str, kind: str) -> dict[str, Any] | None:
    """The notice of `kind` raised about `document`, once it has been raised and projected."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        position = client.get("/health").json()["log_position"]
        found = client.get(f"/views/notices?document_id={document}&min_position={position}")
        items = [n for n in found.json()["items"] if n["kind"] == kind]
        if items:
            return items[0]
        time.sleep(0.05)
    return None


def test_views_keep_answering_past_a_poison_event_and_admins_see_the_quarantine(
    client: TestClient,
) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    martin = sell(services.app, "Martin")
    poison_at = write_poison(services.app, martin)
    dupont = sell(services.app, "Dupont")
    end = services.app.log_position()

    quotes = client.get(f"/views/quotes?min_position={end}")
    assert quotes.status_code == 200, quotes.text
    assert {q["quote_id"] for q in quotes.json()["items"]} == {str(martin), str(dupont)}
    health = client.get("/health").json()
    assert health["view_position"] >= end
    assert health["quarantined"] == 1

    admin = as_role(client, "root", "admin")
    listed = client.get("/views/quarantine", headers=admin)
    assert listed.status_code == 200, listed.text
    (entry,) = listed.json()["items"]
    assert (entry["document_id"], entry["position"]) == (str(martin), poison_at)
    assert entry["event_type"] == "Quote.LineRemoved"
    assert entry["skipped_events"] == 0
    assert client.get("/views/quarantine").status_code == 403  # a salesperson

    notice = wait_for_notice(client, str(martin), "view_quarantine")
    assert notice is not None
    assert "KeyError" not in notice["message"]  # the error itself is for admins
    # Written straight into the store, the poison event is no command's: the sealer
    # refuses it too, and says so.
    assert wait_for_notice(client, str(martin), "integrity_alert") is not None
