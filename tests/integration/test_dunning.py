"""Dunning (I5): one notice per overdue invoice per level, exactly once however often
and however concurrently the scheduled jobs run, on SQLite and Postgres.

The book is `receivables_support`'s; the default levels are +7, +30 and +45 days after
the due date. On 2 November 2026: INV-1 (due 31 July) is 94 days overdue, so past every
level; INV-2 (due 14 September) is 49 days overdue, past every level too; INV-3 (due
31 October, USD) is 2 days overdue, below the first level; INV-4 is not yet due.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from application.app import Comptoir
from application.dunning import dun_overdue_invoices, levels, levels_reached
from interfaces.scheduler import run_due_jobs
from interfaces.settings import Settings
from projections.live import LiveViews
from tests.integration.receivables_support import Book, book, paid

NOW = datetime(2026, 11, 2, 18, 0, tzinfo=UTC)
LEVELS = (7, 30, 45)


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    yield app
    app.close()


@pytest.fixture
def views(app: Comptoir, tmp_path: Path) -> Iterator[LiveViews]:
    views = LiveViews(app, tmp_path / "views.duckdb")
    yield views
    views.close()


def dunning_notices(views: LiveViews) -> list[tuple[Any, ...]]:
    views.runner.catch_up()
    return (
        views.reader()
        .execute(
            "SELECT document_id, subject, due, message FROM notices "
            "WHERE kind = 'dunning' ORDER BY due, document_id"
        )
        .fetchall()
    )


def expected(b: Book) -> list[tuple[str, str, date]]:
    """Each level's day: the due date plus 7, 30 and 45 days."""
    return [
        (str(b.first), "level-1", date(2026, 8, 7)),
        (str(b.first), "level-2", date(2026, 8, 30)),
        (str(b.first), "level-3", date(2026, 9, 14)),
        (str(b.second), "level-1", date(2026, 9, 21)),
        (str(b.second), "level-2", date(2026, 10, 14)),
        (str(b.second), "level-3", date(2026, 10, 29)),
    ]


def test_each_level_reached_raises_one_notice_however_often_the_jobs_run(
    app: Comptoir, views: LiveViews
) -> None:
    b = book(app)
    for _ in range(3):
        run_due_jobs(app, views, NOW)
    notices = dunning_notices(views)
    assert [n[:3] for n in notices] == expected(b)
    first_level = notices[0][3]
    assert first_level == (
        "invoice INV-2026-00001 to Martin SA: 500.00 EUR due since 2026-07-31, "
        "94 days overdue: dunning level 1 (+7 days)"
    )
    assert "960.00 EUR" in notices[3][3]
    assert "49 days overdue" in notices[3][3]


def test_a_duplicated_run_at_the_same_instant_raises_each_notice_once(
    app: Comptoir, views: LiveViews
) -> None:
    b = book(app)
    views.runner.catch_up()
    candidates = [b.first, b.second, b.dollars]
    together = threading.Barrier(2)
    reports = []

    def run() -> None:
        together.wait(timeout=10)
        reports.append(dun_overdue_invoices(app, NOW, candidates, LEVELS))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(reports) == 2
    assert sum(r.done for r in reports) == 6  # one run or the other raised each level
    assert [n[:3] for n in dunning_notices(views)] == expected(b)
    again = dun_overdue_invoices(app, NOW, candidates, LEVELS)
    assert (again.done, again.unchanged, again.refused) == (0, 7, [])  # 6 levels + INV-3


def test_levels_are_raised_as_days_pass_and_not_after_the_invoice_is_paid(
    app: Comptoir, views: LiveViews
) -> None:
    b = book(app)
    paid(app, b.martin, b.first, "500.00", NOW.date())  # INV-1 settled before any run
    run_due_jobs(app, views, NOW)
    assert [n[:2] for n in dunning_notices(views)] == [
        (str(b.second), "level-1"),
        (str(b.second), "level-2"),
        (str(b.second), "level-3"),
    ]
    # INV-3 (due 31 October) reaches its first level on 7 November, not on the 6th
    run_due_jobs(app, views, datetime(2026, 11, 6, 18, 0, tzinfo=UTC))
    assert len(dunning_notices(views)) == 3
    run_due_jobs(app, views, datetime(2026, 11, 7, 6, 0, tzinfo=UTC))
    dollars = [n for n in dunning_notices(views) if n[0] == str(b.dollars)]
    assert [(n[1], n[2]) for n in dollars] == [("level-1", date(2026, 11, 7))]
    assert "360.00 USD" in dollars[0][3]
    assert "7 days overdue" in dollars[0][3]


def test_the_decision_is_taken_on_the_invoice_loaded_fresh(app: Comptoir) -> None:
    b = book(app)
    fourth = app.invoices.get(b.fourth)  # due 19 November
    assert levels_reached(fourth, date(2026, 11, 25), LEVELS) == []  # 6 days overdue
    reached = levels_reached(fourth, date(2026, 11, 26), LEVELS)
    assert [(r.number, r.days, r.reached_on) for r in reached] == [(1, 7, date(2026, 11, 26))]
    note = app.invoices.get(b.credit_note)
    assert levels_reached(note, date(2027, 6, 1), LEVELS) == []  # a credit note is not dunned
    assert levels([45, 7, 30, 7]) == [7, 30, 45]
    with pytest.raises(ValueError, match="at least 1"):
        levels([0, 7])
