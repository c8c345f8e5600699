"""Tampering with the database alone is caught: snapshots, journal rows, forged events,
rows outside the log, revoked keys and other users' idempotency keys.

Each test writes to the database behind Comptoir's back (SQL on the real SQLite file or
Postgres schema, or the recorder without the signing event store) and checks that what
is served, sealed or authenticated does not trust it, and that `audit_rows` names it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest

from adapters.eventstore.chain import chain_store_for
from adapters.eventstore.signed import open_snapshot, sign_snapshot
from application.access import key_hash
from application.adoption import adopt
from application.app import Comptoir
from application.errors import KeyRevoked, NotAssigned
from application.journal import CommandContext, JournalRecord, fingerprint
from application.row_audit import audit_rows
from application.sealing import Sealer
from domain.access import ApiKey
from interfaces.settings import Settings
from tests.conftest import pg_dsn

AT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
ALICE = CommandContext(actor="alice", at=AT)


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    yield app
    app.close()


def fresh(settings: Settings) -> Comptoir:
    """Another process's view of the same store: nothing cached."""
    return Comptoir(settings.eventstore_env())


def run_sql(settings: Settings, statement: str, params: tuple[Any, ...] = ()) -> int:
    """Run one statement on the store's database as someone with database access."""
    if settings.event_store == "sqlite":
        with sqlite3.connect(settings.sqlite_path) as conn:
            count = conn.execute(statement, params).rowcount
        conn.close()
        return count
    tables = {"events": "comptoir_events", "journal": "comptoir_commands"}
    tables["snapshots"] = "comptoir_snapshots"
    statement = statement.format(**{k: f"{settings.pg_schema}.{v}" for k, v in tables.items()})
    with psycopg.connect(**pg_dsn(), autocommit=True) as conn:  # type: ignore[arg-type]
        return conn.execute(statement.replace("?", "%s"), params).rowcount


def table(settings: Settings, name: str) -> str:
    if settings.event_store == "postgres":
        return "{" + name + "}"
    return {"events": "stored_events", "journal": "command_journal"}.get(name, "stored_snapshots")


def quote_with_lines(app: Comptoir, lines: int) -> UUID:
    quote = app.quotes.draft(ALICE, currency="EUR", prospect="Boulangerie Martin").aggregate_id
    add_lines(app, quote, lines)
    return quote


def add_lines(app: Comptoir, quote: UUID, count: int) -> None:
    for i in range(count):
        app.quotes.add_line(
            ALICE,
            quote,
            description=f"Cash register {i}",
            quantity=Decimal(1),
            unit_price=Decimal("10.00"),
            vat_rate=Decimal(20),
        )


def test_an_untouched_store_passes_the_row_audit_with_its_snapshots_recomputed(
    app: Comptoir,
) -> None:
    quote_with_lines(app, 55)
    audit = audit_rows(app)
    assert audit.ok, str(audit)
    assert audit.snapshots == 1
    assert audit.events == app.log_position()
    assert audit.journal_rows == 56


def test_a_snapshot_edited_in_the_database_is_ignored_and_reported(
    app: Comptoir, settings: Settings
) -> None:
    quote = quote_with_lines(app, 55)
    assert app.quotes.get(quote).totals().net == Decimal("550.00")
    changed = run_sql(
        settings,
        f"UPDATE {table(settings, 'snapshots')} SET state = "
        "CAST(replace(CAST(state AS TEXT), '10.00', '99.00') AS BLOB)"
        if settings.event_store == "sqlite"
        else "UPDATE {snapshots} SET state = decode(replace(encode(state, 'hex'), "
        "encode('10.00'::bytea, 'hex'), encode('99.00'::bytea, 'hex')), 'hex')",
    )
    assert changed == 1

    other = fresh(settings)
    try:
        assert other.quotes.get(quote).totals().net == Decimal("550.00")
        assert other.snapshots is not None
        assert other.snapshots.rejected == 1  # type: ignore[attr-defined]
        audit = audit_rows(other)
        assert not audit.ok
        assert any("its MAC fails" in p for p in audit.problems), audit.problems
    finally:
        other.close()


def test_a_snapshot_forged_with_the_key_is_caught_by_recomputing_it_from_its_events(
    app: Comptoir, settings: Settings
) -> None:
    quote = quote_with_lines(app, 55)
    assert app.snapshots is not None
    (stored,) = app.snapshots.recorder.select_events(quote)
    inner = open_snapshot(app.keyring, stored)
    assert inner is not None
    # the amounts' whole JSON strings: a bare 10.00 may also be in a timestamp's seconds
    assert b'"10.00"' in bytes(inner.state)
    forged = replace(inner, state=bytes(inner.state).replace(b'"10.00"', b'"99.00"'))
    signed = sign_snapshot(app.keyring, forged).state
    assert run_sql(settings, f"UPDATE {table(settings, 'snapshots')} SET state = ?", (signed,)) == 1
    other = fresh(settings)
    try:  # with the key, a forged snapshot is trusted by a load…
        assert other.quotes.get(quote).totals().net != Decimal("550.00")
    finally:
        other.close()

    audit = audit_rows(app)  # … and caught by the audit, which recomputes it
    assert any("differs from its events" in p for p in audit.problems), audit.problems


def test_a_rewritten_actor_in_the_journal_stops_the_sealer_and_fails_the_audit(
    app: Comptoir, settings: Settings
) -> None:
    quote = quote_with_lines(app, 3)
    forged = run_sql(
        settings,
        f"UPDATE {table(settings, 'journal')} SET actor = 'mallory' "
        "WHERE command = 'quote.add_line' AND version = 3",
    )
    assert forged == 1
    sealer = Sealer(app, chain_store_for(app))

    sealed = sealer.seal()

    history = app.history(quote)
    forged_position = next(h.position for h in history if h.version == 3)
    assert sealed == forged_position - 1
    assert sealer.blocked is not None
    assert sealer.blocked.notification_id == forged_position
    assert "MAC fails" in sealer.blocked.reason
    audit = audit_rows(app)
    assert any(f"notification {forged_position}" in p for p in audit.problems), audit.problems


def forged_admin_key(app: Comptoir, journal: JournalRecord | None = None) -> str:
    """An `ApiKey.Issued` with admin roles written straight to the events table."""
    secret = "cpt_" + "F" * 43
    key = ApiKey.issue(at=AT, user="mallory", roles=["admin", "manager"], key_hash=key_hash(secret))
    stored = [app.mapper.to_stored_event(e) for e in key.collect_events()]
    if journal is None:
        app.recorder.insert_events(stored)
    else:
        app.recorder.insert_events(stored, journal=replace(journal, aggregate_id=key.id))
    return secret


def test_an_api_key_appended_by_hand_is_refused_and_never_sealed(app: Comptoir) -> None:
    quote_with_lines(app, 1)
    before = app.log_position()
    secret = forged_admin_key(app)
    sealer = Sealer(app, chain_store_for(app))

    assert app.access.authenticate(secret) is None
    assert sealer.seal() == before
    assert sealer.blocked is not None
    assert sealer.blocked.notification_id == before + 1
    assert sealer.blocked.reason == "no journal row"
    assert not audit_rows(app).ok


def test_an_api_key_with_a_made_up_journal_row_and_mac_is_refused(app: Comptoir) -> None:
    record = JournalRecord(
        command_id=uuid4(),
        command="key.issue",
        actor="admin",
        reason=None,
        idempotency_key=None,
        fingerprint=fingerprint("key.issue", {}),
        issued_at=AT,
        aggregate_id=uuid4(),
        version=1,
        result={},
        key_id=app.keyring.current,
        mac=bytes(32),
    )
    secret = forged_admin_key(app, record)

    assert app.access.authenticate(secret) is None
    sealer = Sealer(app, chain_store_for(app))
    assert sealer.seal() == 0
    assert sealer.blocked is not None
    assert "MAC fails" in sealer.blocked.reason


def test_an_event_stored_outside_the_log_is_reported(app: Comptoir, settings: Settings) -> None:
    quote = quote_with_lines(app, 1)
    if settings.event_store == "sqlite":
        statement = (
            "INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) "
            "SELECT 0, originator_id, 99, topic, state FROM stored_events WHERE rowid = 2"
        )
    else:
        statement = (
            "INSERT INTO {events} (notification_id, originator_id, originator_version, "
            "topic, state) SELECT 0, originator_id, 99, topic, state FROM {events} "
            "WHERE notification_id = 2"
        )
    assert run_sql(settings, statement) == 1
    assert app.events.recorder.select_events(quote, gt=98)  # a document load would fold it

    audit = audit_rows(app)
    assert any("outside the log" in p for p in audit.problems), audit.problems


def test_a_command_by_a_key_revoked_before_it_is_refused_in_its_transaction(
    app: Comptoir,
) -> None:
    secret, issued = app.access.issue(ALICE, user="bob", roles=["sales"])
    principal = app.access.authenticate(secret)
    assert principal is not None
    assert principal.key == issued.aggregate_id
    bob = CommandContext(actor="bob", at=AT, api_key=principal.key)
    app.quotes.draft(bob, currency="EUR", prospect="Before the revoke")
    # Another process revokes it: this one's cache still holds the principal.
    app.access.revoke(ALICE, issued.aggregate_id)
    before = app.log_position()

    with pytest.raises(KeyRevoked):
        app.quotes.draft(bob, currency="EUR", prospect="After the revoke")
    assert app.log_position() == before


def test_an_idempotency_key_belongs_to_its_actor(app: Comptoir) -> None:
    alice = CommandContext(actor="alice", at=AT, idempotency_key="draft-1")
    bob = CommandContext(actor="bob", at=AT, idempotency_key="draft-1")

    mine = app.quotes.draft(alice, currency="EUR", prospect="Alice's prospect")
    theirs = app.quotes.draft(bob, currency="EUR", prospect="Bob's prospect")
    replayed = app.quotes.draft(bob, currency="EUR", prospect="Bob's prospect")

    assert theirs.aggregate_id != mine.aggregate_id
    assert not theirs.replayed
    assert replayed.replayed
    assert replayed.aggregate_id == theirs.aggregate_id


def test_a_replay_is_answered_only_to_who_may_still_act_on_the_document(app: Comptoir) -> None:
    alice = CommandContext(actor="alice", at=AT, idempotency_key="open-1", owner_only=True)
    fields: dict[str, Any] = {
        "name": "Bakery roll-out",
        "salesperson": "alice",
        "currency": "EUR",
        "expected_amount": Decimal(1000),
        "sale_type": "product",
        "prospect": "Boulangerie Martin",
    }
    opened = app.affairs.open(alice, **fields)
    assert app.affairs.open(alice, **fields).replayed
    manager = CommandContext(actor="carol", at=AT, reason="alice is on leave")
    app.affairs.reassign(manager, opened.aggregate_id, "bob")

    with pytest.raises(NotAssigned):
        app.affairs.open(alice, **fields)


def unsign(settings: Settings, app: Comptoir, quote: UUID) -> None:
    """Make the store look as an earlier version wrote it: no MACs anywhere."""
    run_sql(settings, f"UPDATE {table(settings, 'journal')} SET key_id = NULL, mac = NULL")
    assert app.snapshots is not None
    (stored,) = app.snapshots.recorder.select_events(quote)
    inner = open_snapshot(app.keyring, stored)
    assert inner is not None
    statement = f"UPDATE {table(settings, 'snapshots')} SET state = ?"
    assert run_sql(settings, statement, (bytes(inner.state),)) == 1


def test_a_store_from_before_signing_is_adopted_where_the_chain_vouches_for_it(
    app: Comptoir, settings: Settings
) -> None:
    quote = quote_with_lines(app, 55)
    store = chain_store_for(app)
    assert Sealer(app, store).seal() == 56
    unsign(settings, app, quote)
    assert not audit_rows(app).ok

    adopted = adopt(app, store)

    assert (adopted.journal_rows, adopted.snapshots) == (56, 1)
    audit = audit_rows(app)
    assert audit.ok, str(audit)
    app.quotes.add_line(
        ALICE,
        quote,
        description="After",
        quantity=Decimal(1),
        unit_price=Decimal(1),
        vat_rate=Decimal(20),
    )
    assert Sealer(app, store).seal() == 1


def test_adoption_signs_nothing_unsealed_nor_a_snapshot_that_disagrees_with_its_events(
    app: Comptoir, settings: Settings
) -> None:
    quote = quote_with_lines(app, 55)
    store = chain_store_for(app)
    assert Sealer(app, store, page_size=10).seal_batch() == 10
    unsign(settings, app, quote)
    statement = f"UPDATE {table(settings, 'snapshots')} SET state = " + (
        "CAST(replace(CAST(state AS TEXT), '10.00', '99.00') AS BLOB)"
        if settings.event_store == "sqlite"
        else "decode(replace(encode(state, 'hex'), encode('10.00'::bytea, 'hex'), "
        "encode('99.00'::bytea, 'hex')), 'hex')"
    )
    assert run_sql(settings, statement) == 1

    adopted = adopt(app, store)

    assert (adopted.journal_rows, adopted.snapshots) == (10, 0)
    problems = audit_rows(app).problems
    assert any("notification 11" in p for p in problems), problems
    assert any("snapshot" in p for p in problems), problems
