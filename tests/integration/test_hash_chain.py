"""The hash chain on real stores: tampering with the events table directly is named."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from typer.testing import CliRunner

from adapters.eventstore.chain import chain_store_for
from application.app import Comptoir
from application.sealing import ChainFollower, ChainStore, Sealer
from application.verification import VerifyReport, verify
from interfaces.cli import cli
from interfaces.settings import Settings
from tests.conftest import pg_dsn, record_quotes, settings_for, store_env

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
Sql = psycopg.Connection[Any]


@pytest.fixture
def pg_settings(pg_schema: str, tmp_path: Path) -> Settings:
    return settings_for("postgres", tmp_path, pg_schema)


@pytest.fixture
def app(pg_settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(pg_settings.eventstore_env())
    yield app
    app.close()


@pytest.fixture
def sql(pg_schema: str) -> Iterator[Sql]:
    """A plain connection to the test schema, as someone with database access."""
    with psycopg.connect(**pg_dsn(), autocommit=True) as conn:  # type: ignore[arg-type]
        conn.execute(f"SET search_path TO {pg_schema}")
        yield conn


def sealed(app: Comptoir, quotes: int = 3) -> ChainStore:
    record_quotes(app, quotes)
    store = chain_store_for(app)
    assert Sealer(app, store).seal() == 2 * quotes
    return store


def problem_of(report: VerifyReport) -> tuple[str, int]:
    assert report.problem is not None, f"verify found nothing: {report}"
    return report.problem.kind, report.problem.notification_id


def test_a_clean_postgres_log_verifies_with_the_head_of_its_last_event(app: Comptoir) -> None:
    store = sealed(app)
    report = verify(app, store)
    assert report.ok, str(report)
    assert report.head is not None
    assert (report.sealed, report.unsealed, report.head.notification_id) == (6, 0, 6)


def test_a_flipped_byte_in_one_event_is_reported_as_altered_at_its_id(
    app: Comptoir, sql: Sql
) -> None:
    store = sealed(app)
    row = sql.execute("SELECT state FROM comptoir_events WHERE notification_id = 4").fetchone()
    assert row is not None
    state = bytearray(row[0])
    state[len(state) // 2] ^= 0x01
    sql.execute("UPDATE comptoir_events SET state = %s WHERE notification_id = 4", (bytes(state),))
    assert problem_of(verify(app, store)) == ("altered", 4)


def test_a_deleted_event_is_reported_as_missing_at_its_id(app: Comptoir, sql: Sql) -> None:
    store = sealed(app)
    sql.execute("DELETE FROM comptoir_events WHERE notification_id = 3")
    assert problem_of(verify(app, store)) == ("missing", 3)


def test_deleting_the_last_sealed_event_is_reported_even_with_events_after_it(
    app: Comptoir, sql: Sql
) -> None:
    store = sealed(app)
    record_quotes(app, 1)
    sql.execute("DELETE FROM comptoir_events WHERE notification_id = 6")
    assert problem_of(verify(app, store)) == ("missing", 6)


def test_an_event_forged_into_a_gap_of_the_sealed_log_is_reported_as_inserted(
    app: Comptoir, sql: Sql
) -> None:
    record_quotes(app, 1)
    # A rolled-back insert leaves a gap in the notification ids; make one on purpose.
    sql.execute("SELECT nextval(pg_get_serial_sequence('comptoir_events', 'notification_id'))")
    record_quotes(app, 1)
    store = chain_store_for(app)
    assert Sealer(app, store).seal() == 4
    ids = [r[0] for r in sql.execute("SELECT notification_id FROM comptoir_events ORDER BY 1")]
    assert ids == [1, 2, 4, 5]
    sql.execute(
        "INSERT INTO comptoir_events "
        "(originator_id, originator_version, topic, state, notification_id) "
        "SELECT %s, 1, topic, state, 3 FROM comptoir_events WHERE notification_id = 1",
        (uuid4(),),
    )
    assert problem_of(verify(app, store)) == ("inserted", 3)


def test_an_event_replaced_by_a_forged_row_at_the_same_id_is_reported_as_altered(
    app: Comptoir, sql: Sql
) -> None:
    store = sealed(app)
    row = sql.execute(
        "SELECT originator_id, originator_version, topic, state FROM comptoir_events "
        "WHERE notification_id = 3"
    ).fetchone()
    assert row is not None
    originator_id, version, topic, state = row
    sql.execute("DELETE FROM comptoir_events WHERE notification_id = 3")
    forged = bytes(state).replace(b"Prospect 1", b"Prospect 9")
    assert forged != state
    sql.execute(
        "INSERT INTO comptoir_events "
        "(originator_id, originator_version, topic, state, notification_id) "
        "VALUES (%s, %s, %s, %s, 3)",
        (originator_id, version, topic, forged),
    )
    assert problem_of(verify(app, store)) == ("altered", 3)


def test_two_events_swapped_in_the_log_are_reported_as_reordered_at_the_first(
    app: Comptoir, sql: Sql
) -> None:
    store = sealed(app)
    sql.execute("UPDATE comptoir_events SET notification_id = -1 WHERE notification_id = 2")
    sql.execute("UPDATE comptoir_events SET notification_id = 2 WHERE notification_id = 5")
    sql.execute("UPDATE comptoir_events SET notification_id = 5 WHERE notification_id = -1")
    report = verify(app, store)
    assert problem_of(report) == ("reordered", 2)
    assert str(report) == "reordered event at notification 2 (holds the event sealed at 5)"


def test_swapping_the_version_topic_and_state_of_two_events_is_reported_as_reordered(
    app: Comptoir, sql: Sql
) -> None:
    store = sealed(app)
    # Events 3 and 4 are versions 1 and 2 of the second quote.
    select = (
        "SELECT originator_version, topic, state FROM comptoir_events WHERE notification_id = %s"
    )
    update = (
        "UPDATE comptoir_events SET originator_version = %s, topic = %s, state = %s "
        "WHERE notification_id = %s"
    )
    third, fourth = (sql.execute(select, (n,)).fetchone() for n in (3, 4))
    assert third is not None
    assert fourth is not None
    with sql.transaction():
        sql.execute("UPDATE comptoir_events SET originator_version = -1 WHERE notification_id = 3")
        sql.execute(update, (*third, 4))
        sql.execute(update, (*fourth, 3))
    assert problem_of(verify(app, store)) == ("reordered", 3)


def test_sealing_in_batches_of_two_gives_the_same_head_as_one_batch_and_resumes(
    app: Comptoir, sql: Sql
) -> None:
    record_quotes(app, 3)
    store = chain_store_for(app)
    assert Sealer(app, store, page_size=2).seal_batch() == 2
    # A new process: a fresh application and chain store on the same schema.
    restarted = Comptoir(app.env)
    try:
        assert Sealer(restarted, chain_store_for(restarted), page_size=2).seal() == 4
    finally:
        restarted.close()
    in_pairs = store.head()
    sql.execute("DELETE FROM comptoir_chain")
    assert Sealer(app, store).seal() == 6
    assert store.head() == in_pairs
    assert verify(app, store).ok


def cli_env(settings: Settings) -> dict[str, str]:
    return store_env(settings)


def test_the_audit_commands_seal_anchor_and_name_the_altered_event(
    app: Comptoir, pg_settings: Settings, sql: Sql
) -> None:
    record_quotes(app, 2)
    runner, env = CliRunner(), cli_env(pg_settings)

    sealed_out = runner.invoke(cli, ["audit", "seal"], env=env)
    assert sealed_out.exit_code == 0, sealed_out.output
    assert sealed_out.output.startswith("sealed 4 events; head 4:")

    anchor = runner.invoke(cli, ["audit", "anchor"], env=env)
    assert anchor.exit_code == 0, anchor.output
    kept = anchor.output.strip()
    position, _, head = kept.partition(":")
    assert (position, len(head)) == ("4", 64)

    clean = runner.invoke(cli, ["audit", "verify", "--anchor", kept], env=env)
    assert clean.exit_code == 0, clean.output
    assert clean.output == (
        f"ok: 4 events sealed, head {head}, unsealed 0\n"
        "rows ok: 4 events, 4 journal rows and 0 snapshots checked\n"
    )

    sql.execute("UPDATE comptoir_events SET topic = topic || 'x' WHERE notification_id = 2")
    broken = runner.invoke(cli, ["audit", "verify"], env=env)
    assert broken.exit_code == 1
    first, rows = broken.output.splitlines()
    assert first == "altered event at notification 2"
    assert "unauthenticated event at notification 2 (its journal row's MAC fails)" in rows


def test_rewriting_the_tail_and_its_chain_is_caught_by_the_kept_anchor(
    app: Comptoir, pg_settings: Settings, sql: Sql
) -> None:
    store = sealed(app, 2)
    head = store.head()
    assert head is not None
    sql.execute("DELETE FROM comptoir_events WHERE notification_id = 4")
    sql.execute("DELETE FROM comptoir_chain WHERE notification_id = 4")
    assert verify(app, store).ok  # without the anchor, a truncated tail looks whole
    result = CliRunner().invoke(
        cli, ["audit", "verify", "--anchor", str(head.anchor)], env=cli_env(pg_settings)
    )
    assert result.exit_code == 1
    assert result.output.startswith("anchor mismatch at notification 4")


def test_a_sqlite_log_verifies_clean_and_names_an_altered_event(tmp_path: Path) -> None:
    settings = settings_for("sqlite", tmp_path)
    with Comptoir(settings.eventstore_env()) as app:
        store = sealed(app)
        record_quotes(app, 1)
        report = verify(app, store)
        assert report.ok, str(report)
        assert (report.sealed, report.unsealed) == (6, 2)
    with closing(sqlite3.connect(settings.sqlite_path)) as db, db:
        db.execute("UPDATE stored_events SET originator_version = 9 WHERE rowid = 5")
    with Comptoir(settings.eventstore_env()) as app:
        assert problem_of(verify(app, chain_store_for(app))) == ("altered", 5)
    result = CliRunner().invoke(cli, ["audit", "verify"], env=cli_env(settings))
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == "altered event at notification 5"


def test_a_follower_sealing_beside_concurrent_writers_leaves_a_whole_valid_chain(
    app: Comptoir,
) -> None:
    store = chain_store_for(app)
    follower = ChainFollower(Sealer(app, store, page_size=3))
    follower.start(poll_s=0.01)
    try:
        writers = [threading.Thread(target=record_quotes, args=(app, 10)) for _ in range(4)]
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join()
    finally:
        follower.stop()
    assert follower.error is None
    Sealer(app, store).seal()
    report = verify(app, store)
    assert report.ok, str(report)
    assert (report.sealed, report.unsealed) == (80, 0)
