"""The projector: folds the ordered log into the DuckDB views, batch by batch.

Each batch's view rows, the documents' states and the new tracking position commit in
one DuckDB transaction, so a crash between batches loses nothing and doubles nothing. A
catch-up may let one transaction span several full pages (`commit_every`): fewer
documents' states to write, the same guarantee.

A document whose event cannot be folded is quarantined in the same transaction (see
`projections.quarantine`); every other document and view moves on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

import pyarrow as pa

from application.app import Comptoir
from projections.base import DocumentView, EventView, Folded, LoggedEvent
from projections.current import current_tables, write_current
from projections.documents import DOCUMENTS, DocumentFolder, FoldFailure, append
from projections.history import HistoryRecorder, by_table, history_table, write_histories
from projections.pages import fold_stored, in_share, logged_events
from projections.pipeline import reporting_currency
from projections.quarantine import (
    QUARANTINE,
    SKIPPED,
    QuarantineNotifier,
    RowCheck,
    quarantine_row,
    skipped_row,
)
from projections.registry import RETIRED_TABLES, default_views
from projections.schema import Table, create_tables
from projections.unmoved import skipped_by_some, unmoved_by

log = logging.getLogger(__name__)

TRACKING = Table("projection_tracking", [("name", "text"), ("position", "int")])
TRACKING_NAME = "views"


class ProjectionRunner:
    """Reads the notification log in pages and applies each page to every view."""

    def __init__(
        self,
        app: Comptoir,
        cursor: Any,
        *,
        page_size: int = 5000,
        views: tuple[Sequence[DocumentView], Sequence[EventView]] | None = None,
        commit_every: int = 1,
        keep_documents: int = 2000,
        share: tuple[int, int] | None = None,
    ) -> None:
        self.app = app
        # (index, count): fold only the documents whose id falls in this share (a rebuild
        # split across processes, `projections.parallel`); every other event is skipped
        # undecoded.
        self.share = share
        self.cursor = cursor
        self.page_size = page_size
        self.commit_every = commit_every
        self.document_views, self.event_views = views or default_views(
            app.policies.risk_factors, reporting_currency(app)
        )
        self.folder = DocumentFolder(
            app.mapper.transcoder,
            keep=keep_documents,
            partial=skipped_by_some(self.document_views),
        )
        # One recorder per document view: with history it keeps every state, else the last.
        self._recorders = [HistoryRecorder(v) for v in self.document_views]
        # Views sharing a table (the pipeline's affairs and quotes) write it at once; a
        # table of views that skip states is bounded by its documents' conservative bound.
        self._tables = [
            (group, any(unmoved_by(r.view) for r in group)) for group in by_table(self._recorders)
        ]
        self._history_tables = [group for group, _ in self._tables if group[0].view.history]
        self._recorders_by_type: dict[type, list[tuple[HistoryRecorder, frozenset[type]]]] = {}
        self.event_views_checked = [(v, RowCheck(v.table)) for v in self.event_views]
        self._quarantined: dict[UUID, int] = {}
        self._quarantined_committed = 0
        self.notifier = QuarantineNotifier(app)
        self._pages = 0  # pages applied in the open transaction
        # Up to this position, every state's rows are checked before Arrow converts them.
        self._checked_until = 0
        self._changed = threading.Condition()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self._create_tables()
        self._load_quarantine()
        self.position = self._tracked_position()
        self._applied = self.position  # ahead of `position` while a transaction is open

    def _create_tables(self) -> None:
        tables: list[Table] = [DOCUMENTS, TRACKING, QUARANTINE, SKIPPED]
        tables += [table for view in self.document_views for table in current_tables(view)]
        tables += [history_table(v) for v in self.document_views if v.history]
        tables += [v.table for v in self.event_views]
        create_tables(self.cursor, tables, RETIRED_TABLES)

    def _tracked_position(self) -> int:
        row = self.cursor.execute(
            "SELECT position FROM projection_tracking WHERE name = ?", [TRACKING_NAME]
        ).fetchone()
        return 0 if row is None else int(row[0])

    def run_batch(self, until: int | None = None) -> int:
        """Project the next page of the log (up to `until`); return how many events it held."""
        if until is not None and self._applied >= until:
            self._commit()
            return 0
        page = self._read(until)
        if not page:
            self._commit()
            return 0
        if not self._apply(page):
            # A row its table cannot hold, found by Arrow: the open transaction is undone.
            # Its pages are folded again with every state's rows checked, so the document
            # is quarantined at the event that made the row (`projections.quarantine`).
            self._checked_until = page[-1].id
            while self._applied < self._checked_until and (again := self._read(page[-1].id)):
                self._apply(again)
        # A short page means the log's end is near: make it visible now.
        if len(page) < self.page_size or self._pages >= self.commit_every:
            self._commit()
        return len(page)

    def _read(self, until: int | None) -> Sequence[Any]:
        """The next page of the log's notifications after the last one applied."""
        page: Sequence[Any] = self.app.recorder.select_notifications(
            start=self._applied, limit=self.page_size, stop=until, inclusive_of_start=False
        )
        return page

    def _apply(self, page: Sequence[Any]) -> bool:
        """Fold a page of notifications into the open transaction; False when Arrow refused
        an unchecked row (the transaction is then rolled back)."""
        events = logged_events(self.app, in_share(page, self.share))
        last = page[-1].id
        # Rows are checked one state at a time only when folding again what Arrow refused.
        checked = self._applied < self._checked_until
        cursor = self.cursor
        if self._pages == 0:
            cursor.begin()
        try:
            recorders = self._recorders
            by_type = self._recorders_by_type
            event_views = self.event_views_checked
            appended: list[list[dict[str, Any]]] = [[] for _ in event_views]

            def remember(state: Folded, logged: LoggedEvent) -> None:
                # Every row of the state is computed before any is kept: a state that
                # fails leaves nothing behind (the document is quarantined at it).
                kind = type(state.aggregate)
                views_of = by_type.get(kind)
                if views_of is None:
                    views_of = by_type[kind] = [
                        (r, unmoved_by(r.view))
                        for r in recorders
                        if issubclass(kind, r.view.document)
                    ]
                # a view whose rows this event cannot change keeps them (`projections.unmoved`)
                event_type = type(logged.event)
                interested = [
                    r for r, unmoved in views_of if event_type not in unmoved or logged.version == 1
                ]
                computed = [recorder.rows(state, checked) for recorder in interested]
                extra = [
                    check(view.rows([logged])) if checked else view.rows([logged])
                    for view, check in event_views
                ]
                key = str(state.aggregate.id)
                for recorder, rows in zip(interested, computed, strict=True):
                    recorder.keep(state, key, rows)
                for bucket, rows in zip(appended, extra, strict=True):
                    bucket += rows

            quarantined = self._quarantined
            skipped = [e for e in events if e.aggregate_id in quarantined]
            if skipped:
                events = [e for e in events if e.aggregate_id not in quarantined]
            outcome = self.folder.fold(cursor, events, remember)
            skipped += outcome.skipped
            stopped = [self._quarantine(failure) for failure in outcome.failures.values()]
            append(cursor, QUARANTINE, stopped)
            append(cursor, SKIPPED, [skipped_row(e) for e in skipped])
            # each table's writes look back only as far as its own documents' rows go
            keys = {
                group[0].view.table.name: [key for r in group for key in r.current]
                for group, _ in self._tables
            }
            since = {
                group[0].view.table.name: outcome.since(keys[group[0].view.table.name], skipping)
                for group, skipping in self._tables
            }
            opened = write_histories(cursor, self._history_tables, since)
            for group, _ in self._tables:
                name = group[0].view.table.name
                if keys[name]:
                    write_current(cursor, group, opened.get(name), keys[name], since[name])
                for recorder in group:
                    recorder.clear()
            for (event_view, _), rows in zip(event_views, appended, strict=True):
                append(cursor, event_view.table, rows)
        except pa.ArrowException:
            self._rollback()
            if checked:
                raise
            return False
        except BaseException:
            self._rollback()
            raise
        self._pages += 1
        self._applied = last
        return True

    def _quarantine(self, failure: FoldFailure) -> dict[str, Any]:
        """Stop a document at its failing event; its state goes back to the last good one."""
        logged = failure.logged
        row = quarantine_row(logged, failure.error)
        log.error(
            "quarantined %s %s at log position %s (version %s, %s): %s; "
            "its later events are skipped, every other document moves on",
            row["document_type"],
            row["document_id"],
            logged.position,
            logged.version,
            row["event_type"],
            row["error"],
            exc_info=failure.error,
        )
        if failure.previous is not None:
            self.folder.restore(
                failure, fold_stored(self.app, logged.aggregate_id, logged.version - 1)
            )
        self._quarantined[logged.aggregate_id] = logged.position
        return row

    @property
    def quarantined_count(self) -> int:
        """How many documents the committed views hold in quarantine."""
        return self._quarantined_committed

    def _load_quarantine(self) -> None:
        found = self.cursor.execute("SELECT document_id, position FROM quarantine").fetchall()
        self._quarantined = {UUID(document): int(position) for document, position in found}
        self._quarantined_committed = len(self._quarantined)

    def _commit(self) -> None:
        """Write the documents' states and the tracking position, and commit."""
        if self._pages == 0:
            return
        cursor = self.cursor
        try:
            self.folder.store(cursor)
            cursor.execute("DELETE FROM projection_tracking WHERE name = ?", [TRACKING_NAME])
            cursor.execute(
                "INSERT INTO projection_tracking VALUES (?, ?)", [TRACKING_NAME, self._applied]
            )
            cursor.commit()
        except BaseException:
            self._rollback()
            raise
        self._pages = 0
        self._quarantined_committed = len(self._quarantined)
        with self._changed:
            self.position = self._applied
            self._changed.notify_all()

    def _rollback(self) -> None:
        """Undo the open transaction and drop what memory holds of it."""
        self._pages = 0
        self._applied = self.position
        self.folder.forget()
        for recorder in self._recorders:
            recorder.forget()
        self.cursor.rollback()
        self._load_quarantine()

    def catch_up(self, until: int | None = None) -> int:
        """Project until the end of the log (or `until`); return how many events were applied."""
        total = 0
        while count := self.run_batch(until):
            total += count
        return total

    def wake(self, _position: int | None = None) -> None:
        """Tell the following thread that new events were recorded."""
        self._wake.set()

    def wait_for(self, position: int, timeout: float) -> bool:
        """Block until the views have reached `position`, at most `timeout` seconds."""
        with self._changed:
            return self._changed.wait_for(lambda: self.position >= position, timeout)

    def start(self, poll_s: float = 0.2, on_idle: Callable[[], None] | None = None) -> None:
        """Catch up and follow the log in a background thread; `on_idle` runs between waits."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._follow, args=(poll_s, on_idle), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _follow(self, poll_s: float, on_idle: Callable[[], None] | None) -> None:
        while not self._stop.is_set():
            try:
                if self.run_batch():
                    continue
            except Exception as error:  # keep following: a broken store comes back
                self.error = error
                log.exception("projection batch failed; retrying")
                self._stop.wait(1.0)
                continue
            self.notifier.raise_pending(self.cursor, self._quarantined.keys())
            if on_idle is not None:
                on_idle()
            self._wake.wait(poll_s)
            self._wake.clear()
