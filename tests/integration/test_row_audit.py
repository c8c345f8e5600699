"""The row audit's counts: rows the log walk never meets are named by what `audit verify`
prints, not only rows that fail their MAC.

The database is changed behind Comptoir's back, as in test_tamper_evidence.py: a journal
row left without its event (the unsealed end of the log cut off), and an event table
holding a row the walk did not see; a command recorded while the audit runs is no problem.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

from application.app import Comptoir
from application.row_audit import audit_rows
from interfaces.settings import Settings
from tests.integration.test_tamper_evidence import ALICE, quote_with_lines, run_sql, table


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    yield app
    app.close()


def event_id(settings: Settings) -> str:
    return "rowid" if settings.event_store == "sqlite" else "notification_id"


def test_an_event_cut_from_the_end_of_the_log_leaves_a_journal_row_the_audit_names(
    app: Comptoir, settings: Settings
) -> None:
    quote_with_lines(app, 3)
    last = app.log_position()
    events = table(settings, "events")
    deleted = run_sql(settings, f"DELETE FROM {events} WHERE {event_id(settings)} = ?", (last,))
    assert deleted == 1

    audit = audit_rows(app)

    assert audit.problems == ["1 journal rows cover no event of the log"]
    assert (audit.events, audit.journal_rows) == (last - 1, last - 1)
    assert str(audit).startswith("1 row problems (3 events, 3 journal rows and 0 snapshots")


def test_a_journal_row_made_up_for_no_event_is_named(app: Comptoir, settings: Settings) -> None:
    quote_with_lines(app, 1)
    journal = table(settings, "journal")
    columns = (
        "command, actor, reason, idempotency_key, fingerprint, issued_at, aggregate_id, "
        "version, result, api_key, key_id, mac"
    )
    new_id = (
        "lower(hex(randomblob(16)))" if settings.event_store == "sqlite" else "gen_random_uuid()"
    )
    copied = run_sql(
        settings,
        f"INSERT INTO {journal} (command_id, {columns}, first_position, last_position) "
        f"SELECT {new_id}, {columns}, 1000, 1000 FROM {journal} WHERE first_position = 2",
    )
    assert copied == 1

    assert audit_rows(app).problems == ["1 journal rows cover no event of the log"]


def insert_after_the_walk_is_bounded(
    app: Comptoir, monkeypatch: pytest.MonkeyPatch, write: Callable[[], None]
) -> None:
    """Run `write` right after the audit reads where the log ends, before it counts rows."""
    recorder = app.recorder
    read_end = recorder.max_notification_id

    def end_then_write() -> int | None:
        end = read_end()
        write()
        return end

    monkeypatch.setattr(recorder, "max_notification_id", end_then_write)


def test_an_event_the_log_walk_did_not_see_is_counted_and_named(
    app: Comptoir, monkeypatch: pytest.MonkeyPatch
) -> None:
    quote_with_lines(app, 3)
    recorder = app.recorder
    select = recorder.select_notifications

    def skipping_the_second(*args: Any, **kwargs: Any) -> list[Any]:
        page: list[Any] = select(*args, **kwargs)
        return [n for n in page if n.id != 2]  # a walk that misses a row of its range

    monkeypatch.setattr(recorder, "select_notifications", skipping_the_second)

    audit = audit_rows(app)

    assert "the events table holds 4 rows, the log walk saw 3" in audit.problems


def test_a_command_recorded_while_the_audit_runs_is_not_a_problem(
    app: Comptoir, monkeypatch: pytest.MonkeyPatch
) -> None:
    quote = quote_with_lines(app, 3)

    def record() -> None:
        one = Decimal(1)
        app.quotes.add_line(
            ALICE, quote, description="During", quantity=one, unit_price=one, vat_rate=one
        )

    insert_after_the_walk_is_bounded(app, monkeypatch, record)

    audit = audit_rows(app)

    assert audit.ok, audit.problems
