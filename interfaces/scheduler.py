"""Scheduled work: find candidates in a read model, then run the jobs on the event store.

The embedded default runs this in a thread of the serving process; with Redis the
dramatiq worker runs it (interfaces/worker.py), triggered by `comptoir jobs enqueue`.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, time, timedelta

from application.app import Comptoir
from application.dunning import dun_overdue_invoices
from application.jobs import (
    JobReport,
    bill_contracts,
    expire_quotes,
    flag_renewals,
    flag_warranty_expiries,
    mark_inactive_customers,
    print_issued,
)
from domain.customer import months_before
from interfaces.clock import Clock
from projections.finders import documents_of_type, quiet_customers, quotes_past_validity
from projections.invoices import issued_since, overdue_invoices
from projections.live import LiveViews

log = logging.getLogger(__name__)

# How far back the printing job looks for invoices issued and never printed: a week of
# downtime; one issued earlier and never printed is printed on its first request.
PRINT_LOOKBACK = timedelta(days=7)


def run_due_jobs(app: Comptoir, views: LiveViews, now: datetime) -> list[JobReport]:
    """Run every scheduled job once, as of `now`, with candidates from `views`."""
    if views.following:
        views.wait_for(app.log_position(), timeout=30)
    else:
        views.runner.catch_up()
    cursor = views.reader()
    today = now.date()
    quiet_since = datetime.combine(
        months_before(today, app.policies.inactive_after_months), time(), tzinfo=UTC
    )
    reports = [
        expire_quotes(app, now, quotes_past_validity(cursor, today)),
        bill_contracts(app, now, documents_of_type(cursor, "Contract")),
        flag_renewals(app, now, documents_of_type(cursor, "Contract")),
        flag_warranty_expiries(app, now, documents_of_type(cursor, "Asset")),
        mark_inactive_customers(app, now, quiet_customers(cursor, quiet_since)),
        dun_overdue_invoices(app, now, overdue_invoices(cursor, today), app.policies.dunning_days),
        print_issued(app, now, issued_since(cursor, now - PRINT_LOOKBACK)),
    ]
    for report in reports:
        log.info("%s", report)
    return reports


class InProcessScheduler:
    """Runs the scheduled jobs every `interval_s` in a thread (the embedded default)."""

    def __init__(self, app: Comptoir, views: LiveViews, clock: Clock, interval_s: float) -> None:
        self.app = app
        self.views = views
        self.clock = clock
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                run_due_jobs(self.app, self.views, self.clock())
            except Exception:  # the next round tries again; jobs are idempotent
                log.exception("scheduled jobs failed")
