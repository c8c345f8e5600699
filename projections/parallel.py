"""A rebuild split across processes: each folds a share of the documents, then one file.

Every view's rows derive from one document's events (or, for the event views, from one
event), so documents can be folded apart: process `i` of `n` folds the documents whose id
is `i` modulo `n` into a file of its own, reading the whole log up to the same position
and skipping the other events undecoded. The shares are then appended, table by table,
into the first one's file. The result equals a one-process rebuild row for row
(`tests/integration/test_parallel_rebuild.py`).

Processes are spawned, never forked: the parent may hold threads, pools and DuckDB
handles. They end with the process that started them: daemonic when it exits, and by
watching it when it is killed. A store only one process can read (the in-memory ones)
folds in one process.

A rebuild given a `stop` event ends when it is set (a server stopping): between two
batches, or while it waits for the other processes, it raises `RebuildStopped`, ends
those processes and removes every file it wrote.
"""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing.connection import Connection, wait
from multiprocessing.context import SpawnProcess
from pathlib import Path
from threading import Event

from adapters.duckdb_store import REBUILD_CONFIG, DuckStore
from adapters.processes import when_parent_ends
from application.app import Comptoir
from application.policies import Policies
from projections.runner import TRACKING, ProjectionRunner
from projections.schema import base_tables

# Below this many events, starting the processes (about a second each) costs more than
# they save: one process folds them in a few seconds.
PARALLEL_FROM = 20_000

# A rebuild commits every few pages and keeps more documents live than a follower.
COMMIT_EVERY = 2
KEEP_DOCUMENTS = 2000


def shareable(app: Comptoir) -> bool:
    """Whether other processes can read the log `app` reads (not an in-memory store)."""
    module = str(app.env.get("PERSISTENCE_MODULE", ""))
    if "memory" in module:
        return False
    if "sqlite" in module:
        name = str(app.env.get("SQLITE_DBNAME", ""))
        return bool(name) and ":memory:" not in name and "mode=memory" not in name
    return bool(module)


def readable_end(app: Comptoir) -> int:
    """The last position of the log as the store `app` reads holds it (a query node's
    `log_position()` may be the primary's, ahead of the standby it reads)."""
    return int(app.recorder.max_notification_id() or 0)


class RebuildStopped(RuntimeError):
    """The rebuild was told to stop (its process is stopping): nothing of it is kept."""

    def __init__(self) -> None:
        super().__init__("the rebuild was stopped before its end: its files are removed")


def fold_share(
    app: Comptoir,
    target: Path,
    page_size: int,
    until: int | None,
    share: tuple[int, int] | None,
    stop: Event | None = None,
) -> tuple[int, int]:
    """Fold the log up to `until` (the documents of `share` only) into a new file at `target`;
    return how many events were read and the position reached. Set, `stop` ends it between
    two batches with `RebuildStopped` (the caller removes the file)."""
    config = {**REBUILD_CONFIG, "threads": "1"}
    store = DuckStore(target, config)
    try:
        runner = ProjectionRunner(
            app,
            store.writer(),
            page_size=page_size,
            commit_every=COMMIT_EVERY,
            keep_documents=KEEP_DOCUMENTS,
            share=share,
        )
        events = 0
        while count := runner.run_batch(until):
            events += count
            if stop is not None and stop.is_set():
                raise RebuildStopped
        store.writer().execute("CHECKPOINT")
        return events, runner.position
    finally:
        store.close()


def _fold_in_child(
    env: dict[str, str],
    policies: Policies,
    target: str,
    page_size: int,
    until: int,
    share: tuple[int, int],
    answer: Connection,
) -> None:
    _end_with_parent()
    try:
        app = Comptoir(env, policies=policies)
        try:
            fold_share(app, Path(target), page_size, until, share)
        finally:
            app.close()
    except BaseException as error:
        answer.send(f"{type(error).__name__}: {error}")
        raise
    answer.send(None)


def _end_with_parent() -> None:
    """End this process as soon as the one that started it ends: killed, it cannot end its
    daemonic processes, and an orphaned share would fold on for nothing."""
    when_parent_ends(lambda: os._exit(1))


class ShareFailed(RuntimeError):
    """A process folding a share of the documents failed: the rebuild fails with it."""


def fold_in_parallel(
    app: Comptoir,
    target: Path,
    page_size: int,
    until: int,
    workers: int,
    stop: Event | None = None,
) -> tuple[int, int]:
    """Fold share 0 here and shares 1 … `workers - 1` in spawned processes, then append
    theirs into `target`; return how many events were read and the position reached (the
    same in every process). Each reads pages `workers` times longer, so that it folds
    about `page_size` events a page.

    The processes are daemonic: they end with this process, and are ended at once when
    the rebuild fails or `stop` is set."""
    page_size *= workers
    parts = [target.with_name(f"{target.name}.share{i}") for i in range(1, workers)]
    # the store's tables exist (this process's application made them): processes that
    # all ran their DDL at once would collide on Postgres's catalog
    env = {str(k): str(v) for k, v in app.env.items()} | {"CREATE_TABLE": "n"}
    context = multiprocessing.get_context("spawn")
    children: list[tuple[Path, SpawnProcess, Connection]] = []
    try:
        for i, part in enumerate(parts, start=1):
            remove_database(part)  # left by a rebuild killed before it could remove it
            receiver, sender = context.Pipe(duplex=False)
            arguments = (env, app.policies, str(part), page_size, until, (i, workers), sender)
            process = context.Process(target=_fold_in_child, args=arguments, daemon=True)
            process.start()
            sender.close()
            children.append((part, process, receiver))
        folded = fold_share(app, target, page_size, until, (0, workers), stop)
        for part, process, receiver in children:
            while not wait([process.sentinel], timeout=_STOP_POLL_S):
                if stop is not None and stop.is_set():
                    raise RebuildStopped
            process.join()
            failure = receiver.recv() if receiver.poll() else f"exit code {process.exitcode}"
            if failure is not None or process.exitcode != 0:
                raise ShareFailed(f"the process folding {part.name} failed: {failure}")
        append_shares(target, parts)
        return folded
    except BaseException:
        remove_database(target)
        raise
    finally:
        for _, running, receiver in children:
            if running.is_alive():
                running.terminate()
                running.join()
            receiver.close()
        for part in parts:
            remove_database(part)


# How often a rebuild waiting for its other processes looks whether it was stopped.
_STOP_POLL_S = 0.2


def remove_database(database: Path) -> None:
    """Remove a DuckDB file and its write-ahead log, where they exist."""
    for path in (database, database.with_name(database.name + ".wal")):
        if path.is_file():
            path.unlink()


def append_shares(target: Path, parts: list[Path]) -> None:
    """Append every table of each file in `parts` into the file at `target`, in one
    transaction; the tracking position is the same in all of them and stays."""
    store = DuckStore(target, REBUILD_CONFIG)
    try:
        cursor = store.writer()
        tables = base_tables(cursor, {TRACKING.name})
        for i, part in enumerate(parts):
            cursor.execute(f"ATTACH '{part}' AS share{i} (READ_ONLY)")
        cursor.begin()
        for i in range(len(parts)):
            for table in tables:
                cursor.execute(f"INSERT INTO main.{table} SELECT * FROM share{i}.main.{table}")
        cursor.commit()
        for i in range(len(parts)):
            cursor.execute(f"DETACH share{i}")
        cursor.execute("CHECKPOINT")
    finally:
        store.close()
