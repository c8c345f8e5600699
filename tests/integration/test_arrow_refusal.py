"""Rows of views with history are checked by Arrow, and a refused batch is folded again.

Every state of a view with history (and every row of an event view) is converted to
Arrow, which refuses a value its column cannot hold. The runner leaves the check to that
conversion; when it refuses, the open transaction is undone and its pages folded again
with each state's rows checked, so the document is quarantined at the event that made the
row, whatever the pages and transactions, and no event is counted twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from adapters.duckdb_store import DuckStore
from application.app import Comptoir
from interfaces.settings import Settings
from projections import quarantine
from projections.base import Folded, LoggedEvent
from projections.quarantine import quarantined_documents
from projections.quotes import QuotesView
from projections.registry import default_views
from projections.runner import ProjectionRunner
from projections.schema import Table
from tests.integration.test_quarantine import sell


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    yield app
    app.close()


class OverflowingQuotesView(QuotesView):
    """The quotes view, with a total its DECIMAL(18, 4) column cannot hold for Martin."""

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        rows = super().rows(folded)
        for row in rows:
            if row["prospect"] == "Martin" and row["line_count"]:
                row["total_net"] = Decimal("123456789012345678.5")
        return rows


class AmountsView:
    """An event view of each quote event's amount; Martin's second event's cannot fit."""

    table = Table("quote_amounts", [("position", "int"), ("amount", "money")])

    def rows(self, events: Sequence[LoggedEvent]) -> list[dict[str, Any]]:
        return [
            {
                "position": e.position,
                "amount": Decimal("1e15") if e.position == self.refused else Decimal("1.5"),
            }
            for e in events
        ]

    def __init__(self, refused: int) -> None:
        self.refused = refused


@pytest.mark.parametrize(("page_size", "commit_every"), [(1, 1), (1, 3), (2, 2), (1000, 1)])
def test_a_row_arrow_refuses_quarantines_its_document_at_its_event(
    app: Comptoir, tmp_path: Path, page_size: int, commit_every: int
) -> None:
    martin = sell(app, "Martin")
    sell(app, "Dupont")
    documents, events = default_views()
    views = [OverflowingQuotesView() if isinstance(v, QuotesView) else v for v in documents]
    store = DuckStore(tmp_path / "views.duckdb")
    runner = ProjectionRunner(
        app,
        store.writer(),
        views=(views, events),
        page_size=page_size,
        commit_every=commit_every,
    )
    assert runner.catch_up() == app.log_position()  # every event counted once
    assert runner.position == app.log_position()
    (entry,) = quarantined_documents(store.writer())
    assert (entry.document_id, entry.version) == (str(martin), 2)
    assert "quotes.total_net cannot hold" in entry.error
    found = store.writer().execute("SELECT prospect, line_count FROM quotes ORDER BY 1").fetchall()
    assert found == [("Dupont", 1), ("Martin", 0)]
    audited = store.writer().execute("SELECT count(*) FROM audit_log").fetchone()
    assert audited == (app.log_position() - 1,)  # all but Martin's refused event
    store.close()


@pytest.mark.parametrize("page_size", [1, 3, 1000])
def test_an_event_view_row_arrow_refuses_quarantines_its_document(
    app: Comptoir, tmp_path: Path, page_size: int
) -> None:
    martin = sell(app, "Martin")
    refused = app.log_position()  # Martin's line
    sell(app, "Dupont")
    documents, _ = default_views()
    store = DuckStore(tmp_path / "views.duckdb")
    runner = ProjectionRunner(
        app, store.writer(), views=(documents, [AmountsView(refused)]), page_size=page_size
    )
    assert runner.catch_up() == app.log_position()
    (entry,) = quarantined_documents(store.writer())
    assert (entry.document_id, entry.position) == (str(martin), refused)
    assert "quote_amounts.amount cannot hold" in entry.error
    kept = store.writer().execute("SELECT position FROM quote_amounts ORDER BY 1").fetchall()
    assert [p for (p,) in kept] == [p for p in range(1, app.log_position() + 1) if p != refused]
    store.close()


def test_rows_of_views_with_history_are_not_checked_one_by_one(
    app: Comptoir, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sell(app, "Martin")
    sell(app, "Dupont")
    checked: list[str] = []
    check = quarantine.RowCheck.__call__

    def counting(self: quarantine.RowCheck, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        checked.append(self.table.name)
        return check(self, rows)

    monkeypatch.setattr(quarantine.RowCheck, "__call__", counting)
    store = DuckStore(tmp_path / "views.duckdb")
    runner = ProjectionRunner(app, store.writer())
    runner.catch_up()
    with_history = {v.table.name for v in runner.document_views if v.history}
    assert {"quotes", "pipeline", "margin_quote_lines"} <= with_history
    assert runner.position == app.log_position()
    assert checked == []  # every view a quote moves keeps its history; Arrow checks it
    store.close()
