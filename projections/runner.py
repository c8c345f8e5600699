"""The projector: folds the ordered log into the DuckDB views, batch by batch.

Each batch's view rows and the new tracking position commit in one DuckDB
transaction, so a crash between batches loses nothing and doubles nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from application.app import Comptoir
from domain.stages import RiskFactors
from projections.audit import AuditView
from projections.base import DocumentView, EventView, Folded, LoggedEvent
from projections.budget import BudgetVsActualView
from projections.contracts import ContractsView, ContractTermsView
from projections.customers import CustomersView
from projections.documents import DOCUMENTS, DocumentFolder, append, replace
from projections.history import HistoryRecorder, history_table
from projections.notices import NoticesView
from projections.orders import OrderLinesView, OrdersView
from projections.pipeline import PipelineAffairsView, PipelineQuotesView
from projections.quotes import QuotesView
from projections.schema import Table
from projections.stages import StageHistoryView
from projections.warranty import ServiceCasesView, WarrantyView

log = logging.getLogger(__name__)

TRACKING = Table("projection_tracking", [("name", "text"), ("position", "int")])
TRACKING_NAME = "views"


def default_views(
    risk_factors: RiskFactors | None = None,
) -> tuple[list[DocumentView], list[EventView]]:
    """Every view the product serves, weighting the pipeline with the company's risk factors."""
    return [
        QuotesView(),
        CustomersView(),
        NoticesView(),
        OrdersView(),
        OrderLinesView(),
        WarrantyView(),
        ServiceCasesView(),
        ContractsView(),
        ContractTermsView(),
        PipelineAffairsView(risk_factors or RiskFactors()),
        PipelineQuotesView(),
        StageHistoryView(),
        BudgetVsActualView(),
    ], [AuditView()]


class ProjectionRunner:
    """Reads the notification log in pages and applies each page to every view."""

    def __init__(
        self,
        app: Comptoir,
        cursor: Any,
        *,
        page_size: int = 5000,
        views: tuple[Sequence[DocumentView], Sequence[EventView]] | None = None,
    ) -> None:
        self.app = app
        self.cursor = cursor
        self.page_size = page_size
        self.document_views, self.event_views = views or default_views(app.policies.risk_factors)
        self.folder = DocumentFolder(app.mapper.transcoder)
        self._changed = threading.Condition()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self._create_tables()
        self.position = self._tracked_position()

    def _create_tables(self) -> None:
        tables: list[Table] = [DOCUMENTS, TRACKING]
        tables += [v.table for v in self.document_views]
        tables += [history_table(v) for v in self.document_views if v.history]
        tables += [v.table for v in self.event_views]
        for table in tables:
            for statement in table.ddl():
                self.cursor.execute(statement)

    def _tracked_position(self) -> int:
        row = self.cursor.execute(
            "SELECT position FROM projection_tracking WHERE name = ?", [TRACKING_NAME]
        ).fetchone()
        return 0 if row is None else int(row[0])

    def run_batch(self, until: int | None = None) -> int:
        """Project the next page of the log (up to `until`); return how many events it held."""
        if until is not None and self.position >= until:
            return 0
        notifications = self.app.recorder.select_notifications(
            start=self.position, limit=self.page_size, stop=until, inclusive_of_start=False
        )
        if not notifications:
            return 0
        first, last = notifications[0].id, notifications[-1].id
        journal = self.app.journal.journal_between(first, last)
        events = []
        cursor_j = 0
        for n in notifications:
            while cursor_j < len(journal) and journal[cursor_j].last_position < n.id:
                cursor_j += 1
            entry = journal[cursor_j] if cursor_j < len(journal) else None
            if entry is not None and entry.first_position > n.id:
                entry = None
            event = self.app.mapper.to_domain_event(n)
            events.append(LoggedEvent(n.id, n.originator_id, n.originator_version, event, entry))  # type: ignore[arg-type]
        self._apply(events, last)
        with self._changed:
            self.position = last
            self._changed.notify_all()
        return len(events)

    def _apply(self, events: list[LoggedEvent], last: int) -> None:
        cursor = self.cursor
        cursor.begin()
        try:
            recorders = [HistoryRecorder(v) for v in self.document_views if v.history]

            def remember(state: Folded) -> None:
                for recorder in recorders:
                    recorder.record(state)

            folded = self.folder.fold(cursor, events, remember if recorders else None)
            self.folder.store(cursor, folded)
            for recorder in recorders:
                recorder.write(cursor)
            for view in self.document_views:
                mine = {i: f for i, f in folded.items() if isinstance(f.aggregate, view.document)}
                rows = [row for f in mine.values() for row in view.rows(f)]
                replace(cursor, view.table, view.key, [str(i) for i in mine], rows)
            for event_view in self.event_views:
                append(cursor, event_view.table, event_view.rows(events))
            cursor.execute("DELETE FROM projection_tracking WHERE name = ?", [TRACKING_NAME])
            cursor.execute("INSERT INTO projection_tracking VALUES (?, ?)", [TRACKING_NAME, last])
            cursor.commit()
        except BaseException:
            cursor.rollback()
            raise

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
            if on_idle is not None:
                on_idle()
            self._wake.wait(poll_s)
            self._wake.clear()
