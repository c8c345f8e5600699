"""Signing keys rotate as the README says: with the ring "new,old" the new key signs what
is written from then on and the old one still verifies what it signed (journal rows,
snapshots, API keys), so the sealer seals everything and `audit verify` is ok; a ring
without the old key reports every row it signed."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from adapters.eventstore.chain import chain_store_for
from application.app import Comptoir
from application.journal import CommandContext
from application.row_audit import audit_rows
from application.sealing import Sealer
from application.signing import Keyring
from application.verification import verify
from interfaces.settings import Settings
from tests.integration.test_tamper_evidence import add_lines

AT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
ALICE = CommandContext(actor="alice", at=AT)
OLD = Keyring.generate("old")
NEW = Keyring.generate("new")
ROTATED = Keyring(NEW.keys + OLD.keys)


def opened(settings: Settings, ring: Keyring) -> Comptoir:
    """The store as a command node configured with `ring` (COMPTOIR_SIGNING_KEY) sees it."""
    return Comptoir(settings.model_copy(update={"signing_key": ring.text()}).eventstore_env())


def signed_by(app: Comptoir) -> dict[str, set[int]]:
    """The positions of the log's events by the id of the key that signed their command."""
    journal = app.recorder.journal_between(1, app.log_position())  # type: ignore[attr-defined]
    positions: dict[str, set[int]] = {}
    for entry in journal:
        span = range(entry.first_position, entry.last_position + 1)
        positions.setdefault(entry.record.key_id, set()).update(span)
    return positions


@pytest.fixture
def rotated_store(settings: Settings) -> tuple[UUID, str]:
    """A quote of 110 events and an API key: the key and the first 55 events (and the
    snapshot at version 50) signed with OLD, the rest (and the snapshot at 100) with NEW."""
    with opened(settings, OLD) as app:
        quote = app.quotes.draft(ALICE, currency="EUR", prospect="Martin").aggregate_id
        secret, _ = app.access.issue(ALICE, user="bob", roles=["sales"])
        add_lines(app, quote, 53)
    with opened(settings, ROTATED) as app:
        add_lines(app, quote, 55)
    return quote, secret


def test_a_rotated_ring_signs_with_the_new_key_and_still_verifies_the_old_one(
    settings: Settings, rotated_store: tuple[UUID, str]
) -> None:
    quote, secret = rotated_store
    with opened(settings, ROTATED) as app:
        by_key = signed_by(app)
        assert set(by_key) == {"old", "new"}
        assert max(by_key["old"]) < min(by_key["new"])
        assert (len(by_key["old"]), len(by_key["new"])) == (55, 55)

        sealer = Sealer(app, chain_store_for(app))
        assert sealer.seal() == app.log_position() == 110
        assert sealer.blocked is None
        report = verify(app, chain_store_for(app))
        rows = audit_rows(app)
        assert report.ok, str(report)
        assert (report.sealed, report.unsealed) == (110, 0)
        assert rows.ok, str(rows)
        assert (rows.events, rows.journal_rows, rows.snapshots) == (110, 110, 2)

        assert app.quotes.get(quote).totals().net == Decimal("1080.00")
        assert app.snapshots is not None
        assert app.snapshots.rejected == 0  # type: ignore[attr-defined]
        assert app.access.authenticate(secret) is not None  # a key issued under OLD


def test_a_ring_without_the_old_key_reports_every_row_it_signed(
    settings: Settings, rotated_store: tuple[UUID, str]
) -> None:
    quote, secret = rotated_store
    with opened(settings, ROTATED) as app:
        old_positions = signed_by(app)["old"]
    with opened(settings, NEW) as app:
        rows = audit_rows(app, page_size=1)  # one page per event: each failure is named
        failing = {
            int(found.group(1))
            for problem in rows.problems
            if (found := re.match(r"unauthenticated event at notification (\d+) \(", problem))
        }
        assert failing == old_positions, rows.problems
        assert all("its journal row's MAC fails" in p for p in rows.problems[:-1])
        assert rows.problems[-1] == f"snapshot of {quote} at version 50: its MAC fails"
        assert len(rows.problems) == len(old_positions) + 1

        sealer = Sealer(app, chain_store_for(app))
        assert sealer.seal() == 0  # the first event is the old key's: nothing is sealed
        assert sealer.blocked is not None
        assert sealer.blocked.notification_id == 1
        assert app.access.authenticate(secret) is None
