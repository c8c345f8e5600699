"""The `invoices` view and the aged balance (I5) on SQLite and Postgres, against the book
of `receivables_support` worked out by hand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from adapters.duckdb_store import DuckStore
from application.app import Comptoir
from interfaces.settings import Settings
from projections.invoices import dated, overdue_invoices
from projections.receivables import aged_balance, count_balances, totals_per_currency
from projections.runner import ProjectionRunner
from tests.integration.receivables_support import TODAY, Book, book, paid

D = Decimal


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    yield app
    app.close()


def project(app: Comptoir, path: Path) -> DuckStore:
    store = DuckStore(path)
    ProjectionRunner(app, store.writer()).catch_up()
    return store


def rows(store: DuckStore, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cursor = store.reader()
    cursor.execute(sql, params or [])
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def by_id(store: DuckStore, table: str = "invoices", **where: Any) -> dict[str, dict[str, Any]]:
    clauses = " AND ".join(f"{k} = ?" for k in where) or "TRUE"
    found = rows(store, f"SELECT * FROM {table} WHERE {clauses}", list(where.values()))
    return {r["invoice_id"]: r for r in found}


AMOUNTS = ("net", "vat", "gross", "credited", "paid", "amount_due")


def test_each_invoice_document_is_a_row_with_its_amounts_and_statuses(
    app: Comptoir, tmp_path: Path
) -> None:
    b = book(app)
    view = by_id(project(app, tmp_path / "v.duckdb"))
    assert len(view) == 6
    first = view[str(b.first)]
    assert (first["number"], first["kind"], first["series"]) == ("INV-2026-00001", "invoice", "INV")
    assert (first["status"], first["payment_status"]) == ("issued", "partly_paid")
    assert (first["issue_date"], first["due_date"]) == (date(2026, 7, 1), date(2026, 7, 31))
    assert tuple(first[a] for a in AMOUNTS) == (500, 100, 600, 0, 100, 500)
    assert (first["customer_id"], first["currency"]) == (str(b.martin), "EUR")
    assert (first["payment_count"], first["source_kind"]) == (1, None)
    second = view[str(b.second)]
    assert tuple(second[a] for a in AMOUNTS) == (1000, 200, 1200, 240, 0, 960)
    assert (second["payment_status"], second["credit_note_count"]) == ("unpaid", 1)
    dollars = view[str(b.dollars)]
    assert (dollars["currency"], dollars["gross"], dollars["amount_due"]) == ("USD", 360, 360)
    note = view[str(b.credit_note)]
    assert (note["number"], note["kind"], note["series"]) == ("CN-2026-00001", "credit_note", "CN")
    assert (note["credited_number"], note["credited_invoice_id"]) == (
        "INV-2026-00002",
        str(b.second),
    )
    # a credit note asks nothing: its 240.00 is deducted on the invoice it corrects
    assert tuple(note[a] for a in AMOUNTS) == (200, 40, 240, 0, 0, 0)
    assert (note["payment_status"], note["issue_date"]) == (None, date(2026, 10, 25))
    draft = view[str(b.draft)]
    assert (draft["number"], draft["status"], draft["series"]) == (None, "draft", "INV")
    assert (draft["gross"], draft["payment_status"], draft["issue_date"]) == (60, None, None)


def test_overdue_is_judged_on_the_day_asked_and_nothing_is_overdue_on_its_due_date(
    app: Comptoir, tmp_path: Path
) -> None:
    b = book(app)
    store = project(app, tmp_path / "v.duckdb")
    cursor = store.reader()
    # soonest due first: 31 July, 14 September, 31 October; 19 November is not yet due
    assert overdue_invoices(cursor, TODAY) == [b.first, b.second, b.dollars]
    assert overdue_invoices(cursor, date(2026, 10, 31)) == [b.first, b.second]
    assert overdue_invoices(cursor, date(2026, 11, 20)) == [b.first, b.second, b.dollars, b.fourth]
    late = {r["invoice_id"]: r for r in rows(store, f"SELECT * FROM {dated(TODAY)}")}
    assert (late[str(b.first)]["overdue"], late[str(b.first)]["days_overdue"]) == (True, 94)
    assert (late[str(b.dollars)]["days_overdue"], late[str(b.fourth)]["overdue"]) == (2, False)
    for not_dunned in (b.credit_note, b.draft, b.fourth):
        assert late[str(not_dunned)]["days_overdue"] is None
    on_due_date = rows(store, f"SELECT * FROM {dated(date(2026, 10, 31))} WHERE overdue")
    assert {r["invoice_id"] for r in on_due_date} == {str(b.first), str(b.second)}
    then = rows(store, f"SELECT * FROM {dated(TODAY, b.before_settling)}")
    assert {r["invoice_id"]: r["days_overdue"] for r in then}[str(b.first)] == 94


def test_a_paid_invoice_is_never_overdue(app: Comptoir, tmp_path: Path) -> None:
    b = book(app)
    paid(app, b.martin, b.first, "500.00", TODAY)
    store = project(app, tmp_path / "v.duckdb")
    row = by_id(store)[str(b.first)]
    assert (row["payment_status"], row["amount_due"], row["paid"]) == ("paid", 0, 600)
    assert overdue_invoices(store.reader(), TODAY) == [b.second, b.dollars]


def test_the_aged_balance_puts_each_amount_due_in_its_bucket_per_customer_and_currency(
    app: Comptoir, tmp_path: Path
) -> None:
    b = book(app)
    cursor = project(app, tmp_path / "v.duckdb").reader()
    balance = {(r["customer_id"], r["currency"]): r for r in aged_balance(cursor, TODAY)}
    martin = balance[(str(b.martin), "EUR")]
    # INV-1 94 days past due: 500.00; INV-2 49 days: 1200 − 240 = 960.00; INV-4 not due
    assert (martin["not_due"], martin["days_1_30"], martin["days_31_60"]) == (240, 0, 960)
    assert (martin["days_61_90"], martin["over_90"], martin["total"]) == (0, 500, 1700)
    assert (martin["invoices"], martin["customer_name"]) == (3, "Martin SA")
    dupont = balance[(str(b.dupont), "USD")]
    assert (dupont["days_1_30"], dupont["total"], dupont["invoices"]) == (360, 360, 1)
    assert count_balances(cursor, TODAY) == 2
    totals = totals_per_currency(cursor, TODAY)
    assert [(t["currency"], t["total"]) for t in totals] == [("EUR", 1700), ("USD", 360)]
    # on 1 September: INV-1 is 32 days past due, INV-2 not due, INV-3 and 4 not issued
    september = aged_balance(cursor, date(2026, 9, 1))
    assert [(r["days_31_60"], r["not_due"], r["total"]) for r in september] == [(500, 960, 1460)]
    only_dollars = aged_balance(cursor, TODAY, currency="USD")
    assert [r["customer_id"] for r in only_dollars] == [str(b.dupont)]
    assert aged_balance(cursor, TODAY, customer_id=str(b.martin), limit=1, offset=1) == []


def test_the_view_and_the_balance_read_as_the_data_stood_at_a_past_time(
    app: Comptoir, tmp_path: Path
) -> None:
    b: Book = book(app)
    cursor = project(app, tmp_path / "v.duckdb").reader()
    then = rows_as_of(cursor, b)
    assert (then[str(b.first)]["amount_due"], then[str(b.first)]["payment_status"]) == (
        600,
        "unpaid",
    )
    assert then[str(b.second)]["credited"] == 0
    assert str(b.credit_note) not in then
    before = aged_balance(cursor, TODAY, as_of=b.before_settling, customer_id=str(b.martin))
    assert [(r["over_90"], r["days_31_60"], r["total"]) for r in before] == [(600, 1200, 2040)]


def rows_as_of(cursor: Any, b: Book) -> dict[str, dict[str, Any]]:
    instant = b.before_settling.replace(tzinfo=None)
    cursor.execute(
        "SELECT * FROM invoices_history "
        "WHERE valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)",
        [instant, instant],
    )
    names = [d[0] for d in cursor.description or []]
    return {r[0]: dict(zip(names, r, strict=True)) for r in cursor.fetchall()}


def test_folding_the_log_again_gives_the_same_rows(app: Comptoir, tmp_path: Path) -> None:
    book(app)
    order = "ORDER BY invoice_id"
    once = rows(project(app, tmp_path / "a.duckdb"), f"SELECT * FROM invoices {order}")
    again = rows(project(app, tmp_path / "b.duckdb"), f"SELECT * FROM invoices {order}")
    assert once == again
    assert len(once) == 6
