"""Over HTTP: a key written to the database by hand opens nothing, the sealer's refusal
shows in /health, a revoked key's next command is refused, and one user's idempotency
key never answers another user's request."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from application.access import key_hash
from application.journal import CommandContext
from domain.access import ApiKey
from domain.notice import NoticeKind, notice_id
from tests.api.support import as_role


def test_an_admin_key_written_to_the_events_table_by_hand_opens_nothing(
    client: TestClient,
) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    app = services.app
    secret = "cpt_" + "M" * 43
    key = ApiKey.issue(
        at=datetime(2026, 3, 2, tzinfo=UTC),
        user="mallory",
        roles=["admin", "manager", "auditor"],
        key_hash=key_hash(secret),
    )
    forged_at = app.log_position() + 1
    app.recorder.insert_events([app.mapper.to_stored_event(e) for e in key.collect_events()])

    for path in ("/audit/events", "/admin/views", "/views/audit"):
        answer = client.get(path, headers={"X-API-Key": secret})
        assert answer.status_code == 401, (path, answer.text)
    assert services.sealer is not None
    services.sealer.sealer.seal()
    health = client.get("/health", headers=as_role(client, "ops", "auditor")).json()
    assert health["sealer_blocked_at"] == forged_at
    assert health["sealer_blocked_because"] == "no journal row"
    subject = f"log position {forged_at}"
    alert = notice_id(NoticeKind.INTEGRITY_ALERT, key.id, subject, services.clock().date())
    assert app.notices.get(alert).open


def test_a_revoked_key_records_nothing_even_while_another_process_still_trusts_it(
    client: TestClient,
) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    headers = as_role(client, "bob", "sales")
    drafted = client.post("/quotes", json={"currency": "EUR", "prospect": "A"}, headers=headers)
    assert drafted.status_code == 201
    access = services.app.access
    principal = access.authenticate(headers["X-API-Key"])
    assert principal is not None
    assert principal.key is not None
    access.revoke(CommandContext(actor="admin", at=services.clock()), principal.key)
    # As if revoked by another process: this one's cache still trusts the key.
    access.known.put(key_hash(headers["X-API-Key"]), time.monotonic(), principal)
    before = services.app.log_position()

    refused = client.post("/quotes", json={"currency": "EUR", "prospect": "B"}, headers=headers)

    assert refused.status_code == 401
    assert refused.json()["type"] == "/problems/key-revoked"
    assert services.app.log_position() == before


def test_an_idempotency_key_replays_only_its_own_users_answer(client: TestClient) -> None:
    alice = as_role(client, "alice2", "sales") | {"Idempotency-Key": "same-key"}
    bob = as_role(client, "bob2", "sales") | {"Idempotency-Key": "same-key"}

    first = client.post("/quotes", json={"currency": "EUR", "prospect": "Alice's"}, headers=alice)
    second = client.post("/quotes", json={"currency": "EUR", "prospect": "Bob's"}, headers=bob)

    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    again = client.post("/quotes", json={"currency": "EUR", "prospect": "Bob's"}, headers=bob)
    assert again.json()["id"] == second.json()["id"]
